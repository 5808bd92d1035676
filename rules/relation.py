"""The eligibility relation of a production's latest check, for the evidence, the justification
files and the dashboard.

Rows are recomputed from the ledger for the latest run's date, so they are exactly the run's as
long as the ledger has not changed since. `ledger_state` is the fingerprint the run stores; when
it differs, callers say so and suggest running the check again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from finance.domain import i18n
from finance.store.db import fetch_one
from finance.store.productions import get_manifest
from finance.store.sql import literal
from rules.plan import Plan
from rules.setwise import draft, plan_of
from rules.wide import long_relation

_STATES = """
WITH spent AS (
    SELECT production_id, count(*) AS n, coalesce(sum(amount), 0) AS total,
           coalesce(max(id), 0) AS newest
    FROM expenses WHERE {scope} GROUP BY production_id
),
corrected AS (
    SELECT e.production_id, count(*) AS n
    FROM overrides o JOIN expenses e ON e.id = o.expense_id WHERE e.{scope} GROUP BY 1
),
devis AS (
    SELECT production_id, max(batch_id) AS batch FROM budget_versions WHERE {scope} GROUP BY 1
),
sites AS (
    SELECT production_id, max(batch_id) AS batch FROM suppliers WHERE {scope} GROUP BY 1
)
SELECT p.id,
       coalesce(s.n, 0) || '/' || coalesce(s.total, 0) || '/' || coalesce(s.newest, 0),
       coalesce(c.n, 0), coalesce(d.batch, 0) || coalesce('/s' || r.batch, ''),
       p.manifest_sha256, coalesce(s.n, 0)
FROM productions p
LEFT JOIN spent s ON s.production_id = p.id
LEFT JOIN corrected c ON c.production_id = p.id
LEFT JOIN devis d ON d.production_id = p.id
LEFT JOIN sites r ON r.production_id = p.id
WHERE p.{scope_id}
"""


def ledger_states(
    con: duckdb.DuckDBPyConnection, production_ids: list[str]
) -> dict[str, tuple[str, int]]:
    """Production id -> (ledger state, number of expenses), in one grouped query. The state is
    what a run depended on: expenses (count, total, newest id), corrections, devis (and the
    supplier records, where there are any), plan."""
    ids = ", ".join(literal(p) for p in production_ids) or "NULL"
    sql = _STATES.format(scope=f"production_id IN ({ids})", scope_id=f"id IN ({ids})")
    return {
        r[0]: ("|".join(str(v) for v in r[1:5]), int(r[5])) for r in con.execute(sql).fetchall()
    }


def ledger_state(con: duckdb.DuckDBPyConnection, production_id: str) -> str:
    """One production's ledger state (`ledger_states`)."""
    return ledger_states(con, [production_id])[production_id][0]


def latest_run(con: duckdb.DuckDBPyConnection, production_id: str) -> tuple[int, date, str | None]:
    """(id, as-at date, ledger state) of the production's latest check, or a UserError."""
    row = fetch_one(
        con,
        "SELECT id, as_at, ledger_state FROM rule_runs WHERE production_id = ? "
        "ORDER BY id DESC LIMIT 1",
        [production_id],
    )
    if row is None:
        raise i18n.error("error.check.none_yet", production=production_id)
    return int(row[0]), row[1], row[2]


def relation_at(
    con: duckdb.DuckDBPyConnection, production_id: str, at: date, scheme: str | None = None
) -> tuple[str, dict[str, Any]]:
    """The eligibility relation of every scheme (or of `scheme` alone) as at `at`, with its query
    parameters: the check's own SQL (rules/wide.py) over the production's plan row.

    A scheme's columns depend on its own tests only, so the relation of one scheme is the same
    rows as that scheme's part of the whole, at the cost of one scheme instead of all."""
    plan = plan_of([draft(get_manifest(con, production_id), at)])
    if scheme is not None:
        plan = Plan([s for s in plan.specs if s.scheme == scheme], plan.cte, plan.scope)
    return long_relation(plan), {"pid": production_id, "at": at}


def latest_relation(
    con: duckdb.DuckDBPyConnection, production_id: str
) -> tuple[str, dict[str, Any], bool]:
    """The relation of the latest check, its parameters, and whether the ledger changed since."""
    _, at, state = latest_run(con, production_id)
    relation, params = relation_at(con, production_id, at)
    return relation, params, state is not None and state != ledger_state(con, production_id)
