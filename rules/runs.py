"""Rule runs: evaluate, store with the rulebook version and a parameter snapshot, print.

Storing every run lets a financier compare two runs (what changed: the data, a parameter, the
rulebook). The evidence recomputes a run's expense x scheme rows (rules/relation.py).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from finance.audit import record
from finance.fmt import jsonable
from finance.productions import get_manifest
from finance.store.db import connect, default_db_path, fetch_value, transaction
from finance.store.migrations import available
from finance.store.reference import category_defaults
from rules import RULEBOOK_VERSION
from rules.engine import RuleResult, evaluate
from rules.model import Status
from rules.relation import ledger_state

#: order of the contract's fields first, then our extensions
CONTRACT_FIELDS = (
    "rule_id",
    "scheme",
    "status",
    "measured",
    "threshold",
    "shortfall",
    "projected",
    "explanation",
    "parameters",
    "evidence_count",
)


@dataclass(frozen=True)
class CheckRun:
    """A stored run: its id, the date it was evaluated at, and its results."""

    run_id: int
    production_id: str
    at: date
    rulebook: str
    results: list[RuleResult]

    @property
    def failed(self) -> bool:
        return any(r.status is Status.FAIL for r in self.results)


def result_json(result: RuleResult) -> dict[str, Any]:
    """A result as the contract's JSON object (money as two-decimal strings)."""
    data = asdict(result)
    data["status"] = result.status.value
    ordered = {k: data.pop(k) for k in CONTRACT_FIELDS}
    out: dict[str, Any] = jsonable({**ordered, **data})
    return out


def run_json(run: CheckRun) -> dict[str, Any]:
    """The whole `check --format json` object."""
    return {
        "production": run.production_id,
        "at": run.at.isoformat(),
        "rulebook": run.rulebook,
        "run_id": run.run_id,
        "results": [result_json(r) for r in run.results],
    }


def _store(
    con: duckdb.DuckDBPyConnection,
    production_id: str,
    at: date,
    sha: str,
    results: list[RuleResult],
    state: str,
) -> int:
    run_id = fetch_value(con, "SELECT nextval('rule_run_seq')")
    n = fetch_value(con, "SELECT count(*) FROM expenses WHERE production_id = ?", [production_id])
    snapshot = {r.rule_id: r.parameters for r in results}
    con.execute(
        "INSERT INTO rule_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            production_id,
            at,
            RULEBOOK_VERSION,
            datetime.now(UTC).replace(tzinfo=None),
            sha,
            n,
            json.dumps(snapshot, ensure_ascii=False),
            state,
        ],
    )
    rows = [
        [
            run_id,
            r.rule_id,
            r.scheme,
            r.status.value,
            r.measured,
            r.threshold,
            r.shortfall,
            r.projected,
            r.spend_where,
            r.explanation,
            r.evidence_count,
            json.dumps(result_json(r), ensure_ascii=False),
        ]
        for r in results
    ]
    if rows:  # one statement: executemany costs a round trip per row
        values = ", ".join(["(" + ", ".join("?" * len(rows[0])) + ")"] * len(rows))
        con.execute(f"INSERT INTO rule_results VALUES {values}", [v for r in rows for v in r])
    return int(run_id)


def _schema_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether every migration is applied and the reference tables match their files, so that a
    read-only connection can evaluate without a writable open first (which would migrate)."""
    try:
        done = {r[0] for r in con.execute("SELECT version FROM _migrations").fetchall()}
        categories = con.execute("SELECT category, ts_class FROM categories ORDER BY 1").fetchall()
    except duckdb.CatalogException:
        return False
    return {v for v, _, _ in available()} <= done and categories == sorted(
        category_defaults().items()
    )


def _evaluate(
    con: duckdb.DuckDBPyConnection, production_id: str, at: date
) -> tuple[str, list[RuleResult], str]:
    """(manifest hash, results, ledger state) of a production as at a date."""
    manifest = get_manifest(con, production_id)
    sha = fetch_value(con, "SELECT manifest_sha256 FROM productions WHERE id = ?", [production_id])
    return str(sha), evaluate(con, manifest, at), ledger_state(con, production_id)


def run_check(db: Path | None, production_id: str, at: date) -> CheckRun:
    """Evaluate on a read-only snapshot, then store the run in one short write transaction.

    Evaluating read-only lets other readers (the dashboard) in meanwhile and is faster than in a
    write transaction; the ledger state recorded is the one evaluated, so a write that slips in
    between is seen by the evidence as a change since the run. The schema is brought up to date
    first when it needs to be (an up-to-date file is not opened for writing twice)."""
    evaluated = None
    if (db or default_db_path()).exists():
        with connect(db, read_only=True) as con:
            if _schema_current(con):
                evaluated = _evaluate(con, production_id, at)
    if evaluated is None:
        with connect(db):  # bring the schema up to date before reading
            pass
        with connect(db, read_only=True) as con:
            evaluated = _evaluate(con, production_id, at)
    sha, results, state = evaluated
    with connect(db) as con, transaction(con):
        run_id = _store(con, production_id, at, sha, results, state)
        record(
            con,
            "rules.check",
            production_id,
            f"run {run_id}",
            {
                "as_at": at,
                "rulebook": RULEBOOK_VERSION,
                "statuses": {r.rule_id: r.status.value for r in results},
            },
        )
    return CheckRun(run_id, production_id, at, RULEBOOK_VERSION, results)
