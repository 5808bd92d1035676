"""Short-lived DuckDB connections with a retry while another process holds the file.

DuckDB lets one process hold a database file for writing, and while it does no other process can
open it, not even read-only. So nothing here caches a connection: each operation opens, works and
closes, and an open that meets a lock retries with backoff before giving a clear message.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from finance.domain import i18n
from finance.domain.errors import DatabaseBusyError
from finance.store.migrations import migrate
from finance.store.reference import sync_reference

DEFAULT_DB = "cineledger.duckdb"
ENV_DB = "CINELEDGER_DB"
#: how long an open waits for another process's lock, in seconds (default 30)
ENV_WAIT = "CINELEDGER_LOCK_WAIT"
LOCK_MARKERS = ("lock", "Conflicting lock", "being used by another process")


def default_db_path() -> Path:
    """`CINELEDGER_DB` if set, else `./cineledger.duckdb` (interfaces.md section 4)."""
    return Path(os.environ.get(ENV_DB) or DEFAULT_DB)


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return any(marker.lower() in text.lower() for marker in LOCK_MARKERS)


def _open(path: Path, read_only: bool, timeout_s: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + timeout_s
    delay = 0.02
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            if not _is_lock_error(exc) or time.monotonic() >= deadline:
                if _is_lock_error(exc):
                    busy = {"name": path.name}
                    said = i18n.text("error.db.busy", "en", **busy)
                    raise DatabaseBusyError(said, key="error.db.busy", values=busy) from None
                raise i18n.error("error.db.cannot_open", name=path.name, detail=str(exc)) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


_PROCESS_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()


def _process_lock(path: Path) -> threading.RLock:
    """One lock per database file in this process: DuckDB refuses a read-only connection while a
    read-write one to the same file is open in the same process (a dashboard serving several
    sessions), so connections to a file take turns."""
    key = str(path.resolve())
    with _LOCKS_GUARD:
        return _PROCESS_LOCKS.setdefault(key, threading.RLock())


def lock_wait() -> float:
    """Seconds an open waits for a lock: CINELEDGER_LOCK_WAIT, else 30."""
    try:
        return float(os.environ.get(ENV_WAIT) or 30.0)
    except ValueError:
        return 30.0


@contextmanager
def connect(
    path: Path | None = None, *, read_only: bool = False, timeout_s: float | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database for one operation; the schema is migrated on every writable open.

    A read-only open of a file that does not exist yet is an error the user can act on.
    """
    db = path or default_db_path()
    if read_only and not db.exists():
        raise i18n.error("error.db.none_yet", path=str(db))
    with _process_lock(db):
        con = _open(db, read_only, lock_wait() if timeout_s is None else timeout_s)
        try:
            if not read_only:
                migrate(con)
                sync_reference(con)
            yield con
        finally:
            con.close()


def read_frame(
    con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any] | list[Any] | None = None
) -> pl.DataFrame:
    """Run a query and fetch it whole as polars (duckdb 2: `con.sql(q, params=...).pl()`)."""
    frame: pl.DataFrame = con.sql(query, params=params).pl()
    return frame


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction: committed whole on success, rolled back whole on any error."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def fetch_one(
    con: duckdb.DuckDBPyConnection, query: str, params: list[Any] | dict[str, Any] | None = None
) -> tuple[Any, ...] | None:
    """First row of a query, with the result fully fetched (duckdb 2 refuses the next statement
    on a connection whose previous result was only partly read)."""
    rows = con.execute(query, params or []).fetchall()
    return rows[0] if rows else None


def fetch_value(
    con: duckdb.DuckDBPyConnection, query: str, params: list[Any] | dict[str, Any] | None = None
) -> Any:
    """The single value of a one-row, one-column query (None when no row)."""
    row = fetch_one(con, query, params)
    return row[0] if row else None
