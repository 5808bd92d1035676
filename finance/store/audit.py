"""The audit trail: every change and every rule run, with who, when, what and why.

Financiers audit eligibility months after the fact; they need to know who imported which file,
who overrode a classification and why, and which run a justification file came from. Each entry
is written by the operation itself, inside its transaction, so a rolled-back import leaves no
trace claiming it happened.

The actor is the dashboard's logged-in user when there is one (set with `acting_as`), else
`CINELEDGER_USER`, else the operating-system account running the command.
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import duckdb
import polars as pl

from finance.store import queries

_ACTOR: ContextVar[str | None] = ContextVar("cineledger_actor", default=None)


def current_actor() -> str:
    """Who is acting: the logged-in dashboard user, CINELEDGER_USER, or the OS account."""
    actor = _ACTOR.get() or os.environ.get("CINELEDGER_USER")
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"


@contextmanager
def acting_as(actor: str | None) -> Iterator[None]:
    """Attribute the changes made inside the block to `actor` (the dashboard's login)."""
    token = _ACTOR.set(actor)
    try:
        yield
    finally:
        _ACTOR.reset(token)


def _details(details: dict[str, Any] | None) -> str | None:
    return json.dumps(details, ensure_ascii=False, sort_keys=True, default=str) if details else None


def record(
    con: duckdb.DuckDBPyConnection,
    action: str,
    production_id: str | None = None,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    reason: str | None = None,
) -> int:
    """Append one entry; call it inside the transaction of the change it describes."""
    entry_id = int(queries.value(con, "audit.next_id"))
    queries.execute(
        con,
        "audit.insert",
        {
            "id": entry_id,
            "at": datetime.now(UTC).replace(tzinfo=None),
            "actor": current_actor(),
            "action": action,
            "production_id": production_id,
            "target": target,
            "details": _details(details),
            "reason": reason,
        },
    )
    return entry_id


def record_many(
    con: duckdb.DuckDBPyConnection,
    action: str,
    entries: list[tuple[str | None, str | None, dict[str, Any] | None]],
) -> None:
    """Append one entry per (production, target, details), in order, in one statement (each
    column one list): a portfolio check records hundreds of runs, and a statement per entry costs
    a round trip each. Call it inside the transaction of the change."""
    if not entries:
        return
    ids = sorted(int(r[0]) for r in queries.rows(con, "audit.next_ids", {"n": len(entries)}))
    queries.execute(
        con,
        "audit.insert_many",
        {
            "ids": ids,
            "at": datetime.now(UTC).replace(tzinfo=None),
            "actor": current_actor(),
            "action": action,
            "production_ids": [pid for pid, _, _ in entries],
            "targets": [target for _, target, _ in entries],
            "details": [_details(details) for _, _, details in entries],
        },
    )


def trail(
    con: duckdb.DuckDBPyConnection, production_id: str | None = None, limit: int | None = None
) -> pl.DataFrame:
    """The trail, newest first: one production's entries plus the database-wide ones."""
    return queries.frame(con, "audit.trail", {"p": production_id or None, "n": limit or None})
