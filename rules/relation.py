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

from finance.errors import UserError
from finance.productions import get_manifest
from finance.store.db import fetch_one


def ledger_state(con: duckdb.DuckDBPyConnection, production_id: str) -> str:
    """What the run depended on: expenses (count, total, newest id), corrections, devis, plan."""
    row = fetch_one(
        con,
        """
        SELECT (SELECT count(*) || '/' || coalesce(sum(amount), 0) || '/' || coalesce(max(id), 0)
                FROM expenses WHERE production_id = $p),
               (SELECT count(*) FROM overrides o JOIN expenses e ON e.id = o.expense_id
                WHERE e.production_id = $p),
               (SELECT coalesce(max(batch_id), 0) FROM budget_versions WHERE production_id = $p),
               (SELECT manifest_sha256 FROM productions WHERE id = $p)
        """,
        {"p": production_id},
    )
    return "|".join(str(v) for v in (row or ()))


def latest_run(con: duckdb.DuckDBPyConnection, production_id: str) -> tuple[int, date, str | None]:
    """(id, as-at date, ledger state) of the production's latest check, or a UserError."""
    row = fetch_one(
        con,
        "SELECT id, as_at, ledger_state FROM rule_runs WHERE production_id = ? "
        "ORDER BY id DESC LIMIT 1",
        [production_id],
    )
    if row is None:
        raise UserError(f"{production_id}: no check has run yet; run `cineledger check` first")
    return int(row[0]), row[1], row[2]


def relation_at(
    con: duckdb.DuckDBPyConnection, production_id: str, at: date
) -> tuple[str, dict[str, Any]]:
    """The eligibility relation of every scheme as at `at`, with its query parameters."""
    from rules.engine import active_packs, eligibility_relation, resolve_parameters

    manifest = get_manifest(con, production_id)
    packs = active_packs(manifest)
    relation, _ = eligibility_relation(manifest, packs, resolve_parameters(manifest, packs, at))
    return relation, {"pid": production_id, "at": at}


def latest_relation(
    con: duckdb.DuckDBPyConnection, production_id: str
) -> tuple[str, dict[str, Any], bool]:
    """The relation of the latest check, its parameters, and whether the ledger changed since."""
    _, at, state = latest_run(con, production_id)
    relation, params = relation_at(con, production_id, at)
    return relation, params, state is not None and state != ledger_state(con, production_id)
