"""The benchmark runs (at a tiny size: timings belong to `make bench`, never to tests)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from finance import bench

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bench")]


def test_bench_runs_and_writes_its_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(bench, "RESULTS", tmp_path)
    bench.main(["--sizes", "500", "--repeat", "1", "--portfolio", "3x600"])
    data = json.loads((tmp_path / "latest.json").read_text())
    (result,) = data["results"]
    assert result["expenses"] == 500
    for key in (
        "import",
        "pandas_read_csv",
        "duckdb_floor",
        "check",
        "report",
        "rowwise_baseline",
        "export",
    ):
        assert result[key]["median"] > 0
    assert result["export"]["eligible_lines"] > 0
    assert data["portfolio"]["productions"] == 3 and data["portfolio"]["expenses"] > 0
    assert data["portfolio"]["check_all"]["median"] > 0
    assert result["dashboard"]["overview_first_render"] > 0
    out = capsys.readouterr().out
    assert "| 500 |" in out and "portfolio: 3 productions" in out
