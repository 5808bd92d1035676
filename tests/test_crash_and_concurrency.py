"""Crash safety and concurrency, with real processes.

- An import killed with SIGKILL at any moment leaves the database with the whole batch or none of
  it; the same import then completes, once.
- While a reader process (what the dashboard does) reads in a loop, the CLI imports and checks:
  neither side sees a lock error, and the reader only ever sees the ledger before or after.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from finance.demo.generate import write_demo
from finance.importers.budget import import_budget
from finance.store.db import connect
from finance.store.productions import add_production

PRODUCTION = "dernier-tram"
ROWS = 60_000
pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("processes"),
    pytest.mark.usefixtures("cli_in_english"),
]  # make test, not test-fast


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A generated production with a large expense file, and an empty ledger ready for it."""
    work = tmp_path_factory.mktemp("big")
    files = write_demo(work / "files", n_expenses=ROWS, belgian_format=True)
    db = work / "empty.duckdb"
    add_production(db, files["manifest"])
    import_budget(db, PRODUCTION, files["budget"])
    return {**files, "empty": db}


def import_cmd(files: dict[str, Path], db: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "finance",
        "import",
        "expenses",
        PRODUCTION,
        str(files["expenses"]),
        "--db",
        str(db),
        "--skip-invalid",
    ]


def ledger(db: Path) -> tuple[int, int]:
    """(expenses, import batches of expenses) as a fresh process would see them."""
    with connect(db, read_only=True) as con:
        n = con.execute("SELECT count(*) FROM expenses").fetchall()[0][0]
        b = con.execute("SELECT count(*) FROM import_batches WHERE kind = 'expenses'").fetchall()[
            0
        ][0]
    return int(n), int(b)


def fresh_copy(big: dict[str, Path], tmp_path: Path, name: str) -> Path:
    db = tmp_path / name
    db.write_bytes(big["empty"].read_bytes())
    return db


def test_a_killed_import_leaves_all_or_nothing_then_completes_once(
    big: dict[str, Path], tmp_path: Path
) -> None:
    reference = fresh_copy(big, tmp_path, "reference.duckdb")
    start = time.monotonic()
    subprocess.run(import_cmd(big, reference), check=True, capture_output=True)
    duration = time.monotonic() - start
    complete = ledger(reference)
    assert complete[0] > 0.9 * ROWS
    outcomes = []
    for fraction in (0.35, 0.6, 0.8, 0.95):
        db = fresh_copy(big, tmp_path, f"killed-{fraction}.duckdb")
        proc = subprocess.Popen(
            import_cmd(big, db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after_crash = ledger(db)
        assert after_crash in ((0, 0), complete), f"partial ledger after a kill at {fraction}"
        outcomes.append(after_crash)
        subprocess.run(import_cmd(big, db), check=True, capture_output=True)
        assert ledger(db) == complete, "the import after a crash completes, once"
        again = subprocess.run(import_cmd(big, db), check=True, capture_output=True, text=True)
        assert "already imported" in again.stdout
        assert ledger(db) == complete
    assert (0, 0) in outcomes, "no kill landed before the commit: the test proves nothing"


READER = """
import json, sys, time
from pathlib import Path
from finance.store.db import connect
db, stop, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
seen, errors = [], []
while not stop.exists():
    try:
        with connect(db, read_only=True) as con:
            n, s = con.execute("SELECT count(*), coalesce(sum(amount), 0) FROM expenses").fetchall()[0]
            runs = con.execute("SELECT count(*) FROM rule_runs").fetchall()[0][0]
        seen.append([int(n), str(s), int(runs)])
        out.with_suffix(".ready").touch()
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    time.sleep(0.02)
out.write_text(json.dumps({"seen": seen, "errors": errors}))
"""


def test_reads_and_writes_at_once_never_see_a_lock_error_nor_partial_data(
    big: dict[str, Path], tmp_path: Path
) -> None:
    db = fresh_copy(big, tmp_path, "shared.duckdb")
    stop, out = tmp_path / "stop", tmp_path / "seen.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db), str(stop), str(out)])
    try:
        deadline = time.monotonic() + 60
        while not out.with_suffix(".ready").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        imported = subprocess.run(import_cmd(big, db), capture_output=True, text=True)
        checked = subprocess.run(
            [
                sys.executable,
                "-m",
                "finance",
                "check",
                PRODUCTION,
                "--db",
                str(db),
                "--at",
                "2026-11-22",
            ],
            capture_output=True,
            text=True,
        )
        time.sleep(0.5)
    finally:
        stop.touch()
        reader.wait(timeout=60)
    assert imported.returncode == 0, imported.stderr
    assert checked.returncode in (0, 1), checked.stderr  # 1: a rule failed, which is an answer
    assert "busy" not in imported.stderr + checked.stderr
    report = json.loads(out.read_text())
    assert report["errors"] == []
    final = ledger(db)[0]
    counts = {row[0] for row in report["seen"]}
    assert counts <= {0, final}, f"the reader saw a partial ledger: {sorted(counts)[:5]}"
    assert {0, final} <= counts, "the reader ran before and after the import"
    assert any(row[2] == 1 for row in report["seen"]), "the reader saw the stored check"
