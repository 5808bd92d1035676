"""Schema changes as recorded migrations (sqlite-utils habit).

Each `NNN_name.sql` file in this folder runs once, in order, inside a transaction, and is recorded
in `_migrations`. Never edit a released migration: add the next number.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


@cache
def available() -> tuple[tuple[int, str, str], ...]:
    """(version, name, sql) of every migration file, in order."""
    found = []
    for path in sorted(HERE.glob("*.sql")):
        match = NAME.match(path.name)
        if match:
            found.append((int(match[1]), match[2], path.read_text(encoding="utf-8")))
    return tuple(found)


def applied(con: duckdb.DuckDBPyConnection) -> set[int]:
    """Versions already recorded in the database."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS _migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    return {row[0] for row in con.execute("SELECT version FROM _migrations").fetchall()}


def migrate(con: duckdb.DuckDBPyConnection, upto: int | None = None) -> list[str]:
    """Apply pending migrations (those up to version `upto` only, when given: a database as an
    older release left it); returns the names applied (empty when up to date)."""
    done = applied(con)
    names = []
    for version, name, sql in available():
        if version in done or (upto is not None and version > upto):
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute(
                "INSERT INTO _migrations (version, name, applied_at) VALUES (?, ?, ?)",
                [version, name, datetime.now(UTC).replace(tzinfo=None)],
            )
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        names.append(f"{version:03d}_{name}")
    return names
