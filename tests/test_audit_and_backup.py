"""Audit trail, corrections with a reason, backup and restore (issue: reliability)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from finance.classify.overrides import override
from finance.domain.errors import UserError
from finance.store.audit import acting_as, trail
from finance.store.backup_check import key_path
from finance.store.db import connect
from tests.conftest import DEMO_AT
from tests.test_cli import cli

PRODUCTION = "dernier-tram"


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, copy)
    return copy


def entries(db: Path) -> list[dict[str, object]]:
    with connect(db, read_only=True) as con:
        return trail(con, PRODUCTION).to_dicts()


def test_the_demo_load_is_in_the_trail(db: Path) -> None:
    actions = [e["action"] for e in reversed(entries(db))]
    assert actions[:3] == ["production.add", "import.budget", "import.expenses"]
    imported = json.loads(str(entries(db)[-3]["details"]))
    assert imported["imported"] == 2991 and len(imported["file_sha256"]) == 64


def test_an_override_needs_a_reason_and_is_traced(db: Path) -> None:
    with pytest.raises(UserError, match="reason"):
        override(db, PRODUCTION, [1], "territory", "BE-WAL", "  ")
    with pytest.raises(UserError, match="not a territory"):
        override(db, PRODUCTION, [1], "territory", "Wallonie", "branch in Liège")
    with pytest.raises(UserError, match="no expense with id 999999"):
        override(db, PRODUCTION, [1, 999999], "territory", "BE-WAL", "branch in Liège")
    with acting_as("marie"):
        out = override(db, PRODUCTION, [1, 2], "territory", "be-wal", "branch in Liège")
    assert out.changed.height == 2
    with connect(db, read_only=True) as con:
        got = con.execute(
            "SELECT id, territory, territory_reason FROM v_expenses WHERE id IN (1, 2) ORDER BY id"
        ).fetchall()
    assert got == [
        (1, "BE-WAL", "corrected by user: branch in Liège"),
        (2, "BE-WAL", "corrected by user: branch in Liège"),
    ]
    last = entries(db)[0]
    assert (last["actor"], last["action"], last["reason"]) == (
        "marie",
        "override",
        "branch in Liège",
    )
    assert json.loads(str(last["details"]))["field"] == "territory"


def test_a_rejected_import_leaves_no_trail(db: Path, tmp_path: Path) -> None:
    before = len(entries(db))
    bad = tmp_path / "bad.csv"
    bad.write_text("date,supplier,country,budget_code,amount\n31/02/2026,X,BE,1.01,10\n")
    cli("import", "expenses", PRODUCTION, str(bad), db=db, check=2)
    assert len(entries(db)) == before


def test_check_and_export_are_traced_and_the_trail_is_in_the_provenance_sheet(
    db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "wallimage.xlsx"
    cli(
        "export",
        PRODUCTION,
        "--scheme",
        "wallimage",
        "--out",
        str(out),
        "--at",
        str(DEMO_AT),
        db=db,
    )
    actions = [e["action"] for e in entries(db)]
    assert actions[:2] == ["export", "rules.check"]
    sheet = openpyxl.load_workbook(out)["Provenance"]
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "journal")  # the file is in French
    traced = [r[3] for r in rows[start + 1 :]]
    assert "Contrôle des financeurs" in traced and "Import de dépenses" in traced


def test_cli_audit_lists_the_trail_as_json(db: Path) -> None:
    got = json.loads(cli("audit", PRODUCTION, "--format", "json", db=db).stdout)
    assert {"id", "occurred_at", "actor", "action", "target", "details", "reason"} <= set(got[0])


def test_backup_and_restore_round_trip_the_demo_exactly(db: Path, tmp_path: Path) -> None:
    cli("check", PRODUCTION, "--at", str(DEMO_AT), db=db, check=None)
    cli(
        "override",
        PRODUCTION,
        "3,5-6",
        "--set",
        "ts_class=direct",
        "--reason",
        "fund agreed",
        db=db,
    )
    folder = tmp_path / "backup"
    cli("backup", str(folder), db=db)
    index = json.loads((folder / "backup.json").read_text())
    assert index["tables"]["expenses"] == 2991
    assert (folder / "manifests" / f"{PRODUCTION}.yaml").exists()
    restored = tmp_path / "restored.duckdb"
    cli("restore", str(folder), "--key", str(key_path(db)), db=restored)
    for args in (
        ("report", PRODUCTION, "--format", "json", "--at", str(DEMO_AT), "--lines"),
        ("runs", PRODUCTION),
        ("evidence", PRODUCTION, "wallimage.walloon_spend", "--format", "csv", "--all"),
    ):
        assert cli(*args, db=restored).stdout == cli(*args, db=db).stdout, args
    # a check on the restored database numbers its run after the restored ones
    after = json.loads(
        cli(
            "check", PRODUCTION, "--format", "json", "--at", str(DEMO_AT), db=restored, check=None
        ).stdout
    )
    assert after["run_id"] == 2


@pytest.mark.usefixtures("cli_in_english")  # reads the English errors
def test_restore_refuses_a_damaged_backup_or_a_database_in_use(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    cli("backup", str(folder), db=db)
    assert "already holds data" in cli("restore", str(folder), db=db, check=2).stderr
    damaged = folder / "tables" / "expenses.parquet"
    damaged.write_bytes(damaged.read_bytes()[:-10])
    fresh = tmp_path / "fresh.duckdb"
    key = str(key_path(db))
    assert "damaged" in cli("restore", str(folder), "--key", key, db=fresh, check=2).stderr
    assert "not empty" in cli("backup", str(folder), db=db, check=2).stderr


@pytest.mark.usefixtures("cli_in_english")  # reads the English error
def test_a_sequence_name_in_the_backup_never_reaches_sql(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    cli("backup", str(folder), db=db)
    index = json.loads((folder / "backup.json").read_text())
    index["sequences"]["expense_seq'); DROP TABLE productions; --"] = 5
    (folder / "backup.json").write_text(json.dumps(index))
    fresh = tmp_path / "fresh.duckdb"
    said = cli("restore", str(folder), "--trust", db=fresh, check=2).stderr
    assert "names or counts a backup cannot have" in said
    assert not fresh.exists() or "productions" in _tables(fresh)


def _tables(db: Path) -> set[str]:
    with connect(db, read_only=True) as con:
        return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def test_evidence_csv_cannot_run_formulas(db: Path) -> None:
    with connect(db) as con:
        con.execute("UPDATE expenses SET supplier = '=HYPERLINK(\"http://x\")' WHERE id = 1")
    cli("check", PRODUCTION, "--at", str(DEMO_AT), db=db, check=None)
    out = cli(
        "evidence", PRODUCTION, "wallimage.walloon_spend", "--format", "csv", "--all", db=db
    ).stdout
    assert "'=HYPERLINK" in out
    assert not any(line.startswith(("=", "+", "@")) or ",=" in line for line in out.splitlines())


@pytest.mark.parametrize("separator", [";", ","])
def test_evidence_csv_cannot_run_formulas_after_a_separator(db: Path, separator: str) -> None:
    """Issue 21, point 11: Belgian and French Excel split on `;`, so a formula after a `;` in a
    supplier's name came out as a live cell. Opened as Excel does, every cell is text."""
    with connect(db) as con:
        con.execute(
            "UPDATE expenses SET supplier = $s WHERE id = 1", {"s": "Evil;=cmd|'/C calc'!A0"}
        )
        con.execute("UPDATE expenses SET supplier = $s WHERE id = 2", {"s": "Bad, +1+1"})
    cli("check", PRODUCTION, "--at", str(DEMO_AT), db=db, check=None)
    out = cli(
        "evidence", PRODUCTION, "wallimage.walloon_spend", "--format", "csv", "--all", db=db
    ).stdout
    assert "Evil;'=cmd" in out
    cells = [
        c.strip().strip('"').strip() for line in out.splitlines() for c in line.split(separator)
    ]
    live = [c for c in cells if c[:1] in ("=", "+", "@") or (c[:1] == "-" and not c[1:2].isdigit())]
    assert not live, live[:5]


def test_evidence_says_when_the_ledger_changed_since_the_check(db: Path) -> None:
    cli("check", PRODUCTION, "--at", str(DEMO_AT), db=db, check=None)
    rule = "wallimage.walloon_spend"
    quiet = cli("evidence", PRODUCTION, rule, "--format", "json", db=db)
    assert "changed since" not in quiet.stderr
    cli(
        "override",
        PRODUCTION,
        "7",
        "--set",
        "territory=BE-WAL",
        "--reason",
        "Walloon branch",
        db=db,
    )
    warned = cli("evidence", PRODUCTION, rule, "--format", "json", db=db)
    assert "the ledger changed since the latest check" in warned.stderr


def test_a_newline_in_a_reason_cannot_forge_a_line_of_the_trail(db: Path) -> None:
    """Issue 21, point 12: a newline in --reason added a fake entry to `cineledger audit`."""
    forged = "fund agreed\n999999 2026-01-01 00:00:00 auditor          export"
    cli("override", PRODUCTION, "3", "--set", "ts_class=direct", "--reason", forged, db=db)
    lines = cli("audit", PRODUCTION, db=db).stdout.splitlines()
    assert not any(line.startswith("999999") for line in lines)
    assert any("fund agreed\\n999999" in line for line in lines)


def test_the_dashboard_trail_shows_a_newline_as_its_escape(db: Path) -> None:
    import polars as pl

    from dashboards.ui.audit import readable

    forged = "ok\nforged line"
    cli("override", PRODUCTION, "3", "--set", "ts_class=direct", "--reason", forged, db=db)
    with connect(db, read_only=True) as con:
        shown = readable(trail(con, PRODUCTION), "en")
    reasons = shown.select(pl.col(shown.columns[4])).to_series().drop_nulls().to_list()
    assert "ok\\nforged line" in reasons and not any("\n" in r for r in reasons)


def test_every_export_of_evidence_is_in_the_trail(db: Path) -> None:
    cli("check", PRODUCTION, "--at", str(DEMO_AT), db=db, check=None)
    for fmt in ("csv", "json"):
        cli("evidence", PRODUCTION, "wallimage.walloon_spend", "--format", fmt, db=db)
    exports = [e for e in entries(db) if e["action"] == "export.evidence"]
    assert sorted(json.loads(str(e["details"]))["format"] for e in exports) == ["csv", "json"]


def test_a_download_from_the_dashboard_is_in_the_trail(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21, point 12: the dashboard's downloads (the filtered expenses, the cost report)
    are recorded under the session's user, as the command line's exports are."""
    import streamlit as st

    from dashboards.ui.audited import recorder

    monkeypatch.setenv("CINELEDGER_DB", str(db))
    monkeypatch.setattr(st, "session_state", {"user": "anne"})
    recorder("export.expenses", PRODUCTION, "depenses.csv", {"format": "csv", "rows": 12})()
    (entry,) = [e for e in entries(db) if e["action"] == "export.expenses"]
    assert (entry["actor"], entry["target"]) == ("anne", "depenses.csv")
