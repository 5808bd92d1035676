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

from finance.store.db import fetch_value, read_frame

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
    entry_id = int(fetch_value(con, "SELECT nextval('audit_seq')"))
    con.execute(
        "INSERT INTO audit_log (id, occurred_at, actor, action, production_id, target, details, "
        "reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            entry_id,
            datetime.now(UTC).replace(tzinfo=None),
            current_actor(),
            action,
            production_id,
            target,
            _details(details),
            reason,
        ],
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
    ids = sorted(
        int(r[0])
        for r in con.execute("SELECT nextval('audit_seq') FROM range(?)", [len(entries)]).fetchall()
    )
    con.execute(
        "INSERT INTO audit_log (id, occurred_at, actor, action, production_id, target, details, "
        "reason) SELECT unnest($1), $2, $3, $4, unnest($5), unnest($6), "
        "unnest($7), NULL",
        [
            ids,
            datetime.now(UTC).replace(tzinfo=None),
            current_actor(),
            action,
            [pid for pid, _, _ in entries],
            [target for _, target, _ in entries],
            [_details(details) for _, _, details in entries],
        ],
    )


def trail(
    con: duckdb.DuckDBPyConnection, production_id: str | None = None, limit: int | None = None
) -> pl.DataFrame:
    """The trail, newest first: one production's entries plus the database-wide ones."""
    where = "WHERE production_id = $p OR production_id IS NULL" if production_id else ""
    cap = f"LIMIT {int(limit)}" if limit else ""
    params = {"p": production_id} if production_id else None
    return read_frame(
        con,
        f"SELECT id, occurred_at, actor, action, production_id, target, details, reason "
        f"FROM audit_log {where} ORDER BY id DESC {cap}",
        params,
    )
