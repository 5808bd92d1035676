"""The command line as a user drives it: exact totals, atomic rejection, quarantine, idempotence,
clear errors with exit code 2 and never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.belgian_csv import (
    ACTUAL_TOTAL,
    BROKEN,
    COMMITTED_TOTAL,
    ROWS,
    setup_production,
    write_csv,
)


def cli(*args: str, db: Path | None, check: int | None = 0) -> subprocess.CompletedProcess[str]:
    db_args = ["--db", str(db)] if db else []
    proc = subprocess.run(
        [sys.executable, "-m", "finance", *args, *db_args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    if check is not None:
        assert proc.returncode == check, proc.stdout + proc.stderr
    return proc


@pytest.fixture
def production(tmp_path: Path, db: Path) -> Path:
    manifest, devis = setup_production(tmp_path)
    cli("production", "add", str(manifest), db=db)
    cli("import", "budget", "essai", str(devis), db=db)
    return tmp_path


def totals(db: Path) -> dict[str, Decimal]:
    report = json.loads(
        cli("report", "essai", "--format", "json", "--at", "2025-06-30", db=db).stdout
    )
    return {k: Decimal(v) for k, v in report["totals"].items() if k != "pct_spent"}


def test_belgian_excel_csv_imports_with_exact_totals(production: Path, db: Path) -> None:
    path = write_csv(production / "depenses.csv", ROWS)
    out = cli("import", "expenses", "essai", str(path), db=db)
    assert "8 rows read, 8 imported" in out.stdout
    figures = totals(db)
    assert figures["actual"] == ACTUAL_TOTAL
    assert figures["committed"] == COMMITTED_TOTAL


def test_three_broken_rows_reject_the_file_whole(production: Path, db: Path) -> None:
    path = write_csv(production / "depenses.csv", ROWS + BROKEN)
    before = db.read_bytes()
    out = cli("import", "expenses", "essai", str(path), db=db, check=2)
    assert "nothing imported: 3 invalid rows" in out.stderr
    for row, column in ((10, "date"), (11, "amount"), (12, "budget_code")):
        assert f"depenses.csv:row {row}, column '{column}'" in out.stderr
    assert db.read_bytes() == before


def test_skip_invalid_quarantines_the_broken_rows(production: Path, db: Path) -> None:
    path = write_csv(production / "depenses.csv", ROWS + BROKEN)
    out = cli("import", "expenses", "essai", str(path), "--skip-invalid", db=db)
    assert "11 rows read, 8 imported, 3 rejected to quarantine" in out.stdout
    quarantine = cli("quarantine", "essai", db=db).stdout.splitlines()
    assert [line.split(":")[0] for line in quarantine] == [
        "depenses.csv row 10",
        "depenses.csv row 11",
        "depenses.csv row 12",
    ]
    assert totals(db)["actual"] == ACTUAL_TOTAL


def test_a_second_import_adds_nothing(production: Path, db: Path) -> None:
    path = write_csv(production / "depenses.csv", ROWS)
    cli("import", "expenses", "essai", str(path), db=db)
    again = cli("import", "expenses", "essai", str(path), db=db)
    assert "already imported" in again.stdout and "nothing added" in again.stdout
    copy = write_csv(production / "depenses-copie.csv", ROWS[:3])
    third = cli("import", "expenses", "essai", str(copy), db=db)
    assert "0 imported, 3 already in the ledger (skipped)" in third.stdout
    assert totals(db)["actual"] == ACTUAL_TOTAL


def test_same_invoice_number_with_other_content_is_a_conflict(production: Path, db: Path) -> None:
    cli("import", "expenses", "essai", str(write_csv(production / "a.csv", ROWS[:1])), db=db)
    changed = [[*ROWS[0][:5], "1.300,00", *ROWS[0][6:]]]
    out = cli(
        "import", "expenses", "essai", str(write_csv(production / "b.csv", changed)), db=db, check=2
    )
    assert "same supplier and invoice number as expense #1 (a.csv row 2)" in out.stderr


@pytest.mark.parametrize(
    "args,message",
    [
        (("report", "nope"), "unknown production 'nope'"),
        (("import", "expenses", "essai", "missing.csv"), "file not found"),
        (("report", "essai", "--at", "31/12/2025"), "not an ISO date"),
        (("production", "add", "nowhere.yaml"), "file not found"),
        (("check", "essai", "--format", "xml"), "Invalid value for '--format'"),
    ],
)
def test_errors_are_one_clear_message_and_exit_2(
    production: Path, db: Path, args: tuple[str, ...], message: str
) -> None:
    out = cli(*args, db=db, check=2)
    assert message in out.stderr


def test_help_lists_the_contract_commands() -> None:
    text = cli("--help", db=None).stdout
    for command in ("production", "import", "report", "check", "demo"):
        assert command in text
