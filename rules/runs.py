"""Rule runs: evaluate, store with the rulebook version and a parameter snapshot, print.

Where two schemes with eligibility tests may count the same expense, the run holds the
allocation of the invoices to the obligations (rules/allocation_store.py), stored with it, and
the double-counting rule says what that allocation counts (rules/allocation_verdict.py).

Storing every run lets a financier compare two runs (what changed: the data, a parameter, the
rulebook). The evidence recomputes a run's expense x scheme rows (rules/relation.py).

A portfolio check evaluates every production in one pass (rules/setwise.py) on one read-only
connection and stores all the runs in one write transaction; a single production's check is the
same code over a set of one. The rules receive their connections: finance/checks.py opens them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Any

import duckdb

from finance.domain.fmt import jsonable
from finance.domain.models import Manifest
from finance.store.audit import record_many
from finance.store.migrations import available
from finance.store.productions import get_manifest
from finance.store.reference import category_defaults
from finance.store.sql import literal
from rules import RULEBOOK_VERSION
from rules.allocation import Allocation
from rules.allocation_batch import allocate_checked, shared_rows
from rules.allocation_store import inputs_hash, store_allocations
from rules.allocation_verdict import needs_allocation, with_allocation
from rules.engine import RuleResult
from rules.model import Status
from rules.relation import ledger_states
from rules.setwise import draft, evaluate_drafts, plan_of

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
_FIELDS = CONTRACT_FIELDS + tuple(
    f.name for f in fields(RuleResult) if f.name not in CONTRACT_FIELDS
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


@dataclass(frozen=True)
class Evaluated:
    """A production's evaluation, before it is stored."""

    production_id: str
    sha: str
    results: list[RuleResult]
    state: str
    expenses: int
    #: the allocation of the invoices to the obligations, where two schemes with eligibility
    #: tests may count the same expense (rules/allocation_store.py), and its inputs' hash
    allocation: Allocation | None = None
    inputs: str | None = None


def result_json(result: RuleResult) -> dict[str, Any]:
    """A result as the contract's JSON object (money as two-decimal strings); read field by
    field rather than through a deep copy of the whole result."""
    out = {k: jsonable(getattr(result, k)) for k in _FIELDS}
    out["status"] = result.status.value
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


#: the stored columns of a run and of a result, in the order the rows below give them
RUN_COLUMNS = (
    "id, production_id, as_at, rulebook, ran_at, manifest_sha256, expenses, parameters_json, "
    "ledger_state"
)
RESULT_COLUMNS = (
    "run_id, rule_id, scheme, status, measured, threshold, shortfall, projected, spend_where, "
    "explanation, evidence_count, result_json"
)


def insert_columns(
    con: duckdb.DuckDBPyConnection,
    table: str,
    names: str,
    rows: list[list[Any]],
    money: tuple[int, ...] = (),
) -> None:
    """Rows into the named columns of a table in one statement, each column passed as one list
    and unnested: a parameter per value costs a conversion each (2 s for ten thousand results).
    Money columns (their indexes in `money`) travel as exact text and are cast to DECIMAL(18,2)."""
    if not rows:
        return
    columns: list[list[Any]] = [list(c) for c in zip(*rows, strict=True)]
    for i in money:
        columns[i] = [None if v is None else format(v, "f") for v in columns[i]]
    cells = [
        f"unnest(${i + 1})" + ("::DECIMAL(18,2)" if i in money else "") for i in range(len(columns))
    ]
    con.execute(f"INSERT INTO {table} ({names}) SELECT {', '.join(cells)}", columns)


def _result_rows(run_id: int, results: list[RuleResult]) -> list[list[Any]]:
    return [
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


def store_runs(
    con: duckdb.DuckDBPyConnection, at: date, evaluated: list[Evaluated]
) -> list[CheckRun]:
    """Every run, its results and its audit entry, in batches (call it inside a transaction)."""
    ids = sorted(
        int(r[0])
        for r in con.execute(
            "SELECT nextval('rule_run_seq') FROM range(?)", [len(evaluated)]
        ).fetchall()
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    runs, results = [], []
    for run_id, e in zip(ids, evaluated, strict=True):
        snapshot = {r.rule_id: r.parameters for r in e.results}
        runs.append(
            [
                run_id,
                e.production_id,
                at,
                RULEBOOK_VERSION,
                now,
                e.sha,
                e.expenses,
                json.dumps(snapshot, ensure_ascii=False),
                e.state,
            ]
        )
        results += _result_rows(run_id, e.results)
    insert_columns(con, "rule_runs", RUN_COLUMNS, runs)
    insert_columns(con, "rule_results", RESULT_COLUMNS, results, money=(4, 5, 6, 7))
    store_allocations(
        con,
        [
            (run_id, e.allocation, e.inputs)
            for run_id, e in zip(ids, evaluated, strict=True)
            if e.allocation is not None and e.inputs is not None
        ],
    )
    record_many(
        con,
        "rules.check",
        [
            (
                e.production_id,
                f"run {run_id}",
                {
                    "as_at": at,
                    "rulebook": RULEBOOK_VERSION,
                    "statuses": {r.rule_id: r.status.value for r in e.results},
                },
            )
            for run_id, e in zip(ids, evaluated, strict=True)
        ],
    )
    return [
        CheckRun(run_id, e.production_id, at, RULEBOOK_VERSION, e.results)
        for run_id, e in zip(ids, evaluated, strict=True)
    ]


def schema_current(con: duckdb.DuckDBPyConnection) -> bool:
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


def _manifests(
    con: duckdb.DuckDBPyConnection, production_ids: list[str] | None
) -> list[tuple[Manifest, str]]:
    """(manifest, its hash) of each production asked for, in that order (None: every production,
    by id); an unknown id is the UserError naming the known ones."""
    where = ""
    if production_ids is not None:
        where = f"WHERE id IN ({', '.join(literal(p) for p in production_ids) or 'NULL'})"
    rows = con.execute(
        f"SELECT id, manifest_json, manifest_sha256 FROM productions {where} ORDER BY id"
    ).fetchall()
    found = {r[0]: (Manifest.model_validate_json(r[1]), str(r[2])) for r in rows}
    for pid in production_ids or []:
        if pid not in found:
            get_manifest(con, pid)  # raises the message naming the known productions
    return [found[p] for p in (production_ids if production_ids is not None else sorted(found))]


def evaluate(
    con: duckdb.DuckDBPyConnection,
    production_ids: list[str] | None,
    at: date,
    allocations: bool = True,
) -> list[Evaluated]:
    """Every production's results, ledger state and expense count, as at a date; with
    `allocations`, the allocation of each production where it can differ from the check's
    counting, all of them read in one query and solved one production at a time
    (rules/allocation_batch.py)."""
    plans = _manifests(con, production_ids)
    drafts = [draft(m, at) for m, _ in plans]
    plan = plan_of(drafts)
    # the wide rows scanned once for the measures and the allocation's matrices
    with shared_rows(con, drafts if allocations else [], plan, at) as narrow:
        results = evaluate_drafts(con, drafts, at, narrow, plan)
        need = [i for i, r in enumerate(results) if allocations and needs_allocation(r)]
        chosen = [drafts[i] for i in need]
        found = allocate_checked(con, chosen, [results[i] for i in need], at, narrow)
    states = ledger_states(con, [m.id for m, _ in plans])
    allocated = dict(zip(need, found, strict=True))
    out = []
    for i, ((m, sha), res) in enumerate(zip(plans, results, strict=True)):
        state, expenses = states[m.id]
        a = allocated.get(i)
        if a is None:
            out.append(Evaluated(m.id, sha, res, state, expenses))
            continue
        out.append(
            Evaluated(
                m.id,
                sha,
                with_allocation(res, a),
                state,
                expenses,
                a,
                inputs_hash(state, at),
            )
        )
    return out
