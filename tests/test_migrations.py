"""A database built by the previous release (migrations 001-005, the wide expense row and ids as
max(id) + 1) is carried forward by migration 006: same `v_expenses` rows, same cost report, same
check results, ids kept, and new imports take ids after the old ones. A backup that release made
restores into the current schema with the same answers.

The fixture (tests/fixtures/release_005/backup) is that release's own backup of a database it
built: the demo, a folder of e-invoices, a FEC and user corrections (see make_fixture.py there).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from finance import DATA_DIR
from finance.checks import run_check
from finance.importers.ingest import import_expenses
from finance.reports.cost_report import build_report
from finance.store.backup import restore
from finance.store.db import connect, read_frame
from finance.store.migrations import available, migrate
from finance.store.reference import sync_reference
from rules.runs import evaluate, result_json

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "release_005" / "backup"
AT = date(2026, 11, 22)
PRODUCTIONS = ("dernier-tram", "eprod")


def build_previous_release(db: Path) -> None:
    """The fixture's tables loaded into a database at schema 005, as that release left it."""
    index = json.loads((FIXTURE / "backup.json").read_text(encoding="utf-8"))
    assert max(index["schema_versions"]) == 5
    con = duckdb.connect(str(db))
    try:
        migrate(con, upto=5)
        sync_reference(con)
        for table in index["tables"]:
            source = str(FIXTURE / "tables" / f"{table}.parquet")
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet('{source}')")
        for name, last in index["sequences"].items():
            if last:
                con.execute(f"SELECT max(nextval('{name}')) FROM range({int(last)})").fetchall()
    finally:
        con.close()


#: the columns a later migration added to v_expenses (008: the Belgian tax regime and the fee
#: slip), which the previous release could not show
ADDED = ("be_tax_regime", "be_tax_regime_reason", "fee_slip")


def answers(con: duckdb.DuckDBPyConnection, check: bool = True) -> dict[str, Any]:
    """What readers see: every v_expenses row (the columns the previous release had), each
    production's cost report and, with `check`, its check (the rules read the current schema:
    they run on the migrated database only)."""
    columns = [c for c in con.execute("DESCRIBE v_expenses").fetchall() if c[0] not in ADDED]
    names = ", ".join(f'"{c[0]}"' for c in columns)
    out: dict[str, Any] = {
        "columns": columns,
        "v_expenses": read_frame(con, f"SELECT {names} FROM v_expenses ORDER BY id").rows(),
    }
    for pid in PRODUCTIONS:
        report = build_report(con, pid, AT)
        out[f"report {pid}"] = (
            report.lines.rows(),
            report.chapters.rows(),
            report.totals,
            report.weekly.rows(),
            report.burn,
        )
    if check:
        (evaluated,) = evaluate(con, ["dernier-tram"], AT)
        out["check"] = [result_json(r) for r in evaluated.results]
        out["ledger state"] = (evaluated.state, evaluated.expenses)
    return out


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("release") / "old.duckdb"
    build_previous_release(db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert "territory" in {r[0] for r in con.execute("DESCRIBE expenses").fetchall()}
        return answers(con, check=False)
    finally:
        con.close()


def test_the_fixture_covers_what_moves_out_of_the_row(before: dict[str, Any]) -> None:
    frame = pl.DataFrame(
        before["v_expenses"], schema=[c[0] for c in before["columns"]], orient="row"
    )
    assert frame.height > 2900
    assert set(frame["fx_source"]) == {
        "same currency",
        "rate on the expense line",
        "rates table, 2018-08-30",
    }
    assert frame["source_format"].n_unique() == 3  # canonical CSV, e-invoices, FEC
    assert frame.filter(pl.col("source_format") == "peppol_ubl")["source_file"].n_unique() == 2
    assert frame["be_taxable_reason"].n_unique() >= 4  # three defaults and a user's correction
    assert frame["territory_reason"].str.contains("FEC").any()


def test_migrating_a_previous_release_database_changes_no_answer(
    before: dict[str, Any], tmp_path: Path
) -> None:
    db = tmp_path / "old.duckdb"
    build_previous_release(db)
    with connect(db) as con:  # a writable open migrates
        versions = [r[0] for r in con.execute("SELECT version FROM _migrations").fetchall()]
        assert sorted(versions) == [v for v, _, _ in available()]
        stored = {r[0] for r in con.execute("DESCRIBE expenses").fetchall()}
        assert {"territory", "source_file", "fx_source", "be_taxable_reason"}.isdisjoint(stored)
        after = answers(con)
        regimes = con.execute(
            "SELECT DISTINCT be_tax_regime, be_tax_regime_reason FROM v_expenses ORDER BY 2"
        ).fetchall()
    assert {k: v for k, v in after.items() if k in before} == before
    # no old row states a regime: Belgian payees have the ordinary one, the others none yet
    assert regimes == [
        (None, "not recorded"),
        (None, "payee established in Belgium: ordinary regime"),
    ]


def test_the_migrated_ledger_has_a_key_and_new_ids_follow_the_old(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    build_previous_release(db)
    with connect(db) as con:
        (old_max,) = con.execute("SELECT max(id) FROM expenses").fetchall()[0]
        with pytest.raises(duckdb.ConstraintException):
            con.execute(
                "INSERT INTO expenses SELECT * REPLACE (fingerprint + 1 AS fingerprint) "
                "FROM expenses WHERE id = 1"
            )
    extra = tmp_path / "extra.csv"
    extra.write_text(
        "date,supplier,country,postcode,budget_code,amount\n"
        "2026-05-04,Brasserie du Port,BE,4000,7.01,120.00\n",
        encoding="utf-8",
    )
    outcome = import_expenses(db, "eprod", [extra])
    assert outcome.files[0].imported == 1
    with connect(db, read_only=True) as con:
        (new_id, territory) = con.execute(
            "SELECT id, territory FROM v_expenses WHERE supplier = 'Brasserie du Port'"
        ).fetchall()[0]
    assert new_id == old_max + 1
    assert territory == "BE-WAL"
    assert run_check(db, "dernier-tram", AT).results


def test_the_old_fingerprints_still_recognise_the_same_rows(tmp_path: Path) -> None:
    """The demo file now has a column more (the Belgian tax regime, which is not part of an
    expense's identity): its rows are still the ones the old release imported."""
    db = tmp_path / "old.duckdb"
    build_previous_release(db)
    copy = tmp_path / "renamed.csv"
    copy.write_bytes((DATA_DIR / "demo" / "expenses.csv").read_bytes() + b"\n")
    outcome = import_expenses(db, "dernier-tram", [copy])
    assert outcome.files[0].imported == 0
    assert outcome.files[0].duplicates == outcome.files[0].rows_read > 2900


def test_a_backup_of_the_previous_release_restores_with_the_same_answers(
    tmp_path: Path,
) -> None:
    """Restored, the backup answers as the same database migrated in place, check included."""
    migrated = tmp_path / "old.duckdb"
    build_previous_release(migrated)
    with connect(migrated) as con:
        expected = answers(con)
    db = tmp_path / "restored.duckdb"
    restore(FIXTURE, db, trust=True)  # made before backups were signed
    with connect(db, read_only=True) as con:
        after = answers(con)
    assert after == expected
