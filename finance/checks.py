"""Running the checks on a database file: the connections around the rules engine.

The rules receive a connection and never open one (rules/runs.py evaluates and stores,
rules/evidence.py reads the evidence); this module opens them, short-lived, as DuckDB wants:
the evaluation on a read-only snapshot, so that other readers (the dashboard) get in meanwhile,
then every run stored in one short write transaction. The ledger state recorded is the one
evaluated, so a write that slips in between is seen by the evidence as a change since the run.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import polars as pl

from finance.store.audit import record
from finance.store.db import connect, default_db_path, transaction
from rules.engine import RuleResult
from rules.evidence import evidence_rows
from rules.runs import CheckRun, evaluate, schema_current, store_runs


def run_checks(db: Path | None, production_ids: list[str] | None, at: date) -> list[CheckRun]:
    """Check every production in `production_ids` (None: every production in the database) in
    one pass, and store the runs. The schema is brought up to date first when it needs to be
    (an up-to-date file is not opened for writing twice). Each production gets the same
    results as when checked alone, its allocation of invoices to obligations included."""
    evaluated = None
    if (db or default_db_path()).exists():
        with connect(db, read_only=True) as con:
            if schema_current(con):
                evaluated = evaluate(con, production_ids, at)
    if evaluated is None:
        with connect(db):  # bring the schema up to date before reading
            pass
        with connect(db, read_only=True) as con:
            evaluated = evaluate(con, production_ids, at)
    if not evaluated:
        return []
    with connect(db) as con, transaction(con):
        return store_runs(con, at, evaluated)


def run_check(db: Path | None, production_id: str, at: date) -> CheckRun:
    """Check one production (`run_checks` over a set of one)."""
    return run_checks(db, [production_id], at)[0]


def evaluate_check(db: Path | None, production_id: str, at: date) -> list[RuleResult]:
    """One production's results as at a date, evaluated on a read-only connection and not
    stored: what a page or a prepared file shows for a date that has no stored run (looking
    never writes to the database; only `run_checks` stores a run)."""
    with connect(db, read_only=True) as con:
        return evaluate(con, [production_id], at)[0].results


def rule_evidence(db: Path | None, production_id: str, rule_id: str) -> pl.DataFrame:
    """The expenses behind a rule's measured figure in the latest run (rules.evidence); a
    warning on stderr when the ledger changed since that run."""
    with connect(db, read_only=True) as con:
        rows, stale = evidence_rows(con, production_id, rule_id)
    if stale:
        print(
            f"warning: {production_id}: the ledger changed since the latest check; "
            f"run `cineledger check` for evidence that matches it",
            file=sys.stderr,
        )
    return rows


def record_export(db: Path | None, production_id: str, rule_id: str, fmt: str, rows: int) -> None:
    """An export of a rule's evidence (a CSV or JSON file leaving the tool), in the audit trail:
    who took which expenses out, and when."""
    with connect(db) as con, transaction(con):
        details = {"rule": rule_id, "format": fmt, "rows": rows}
        record(con, "export.evidence", production_id, rule_id, details)
