"""The named queries and the small API that runs them.

A query is declared once, with a name (`area.what`), a one-line description of what it returns,
and its SQL. Values are always bound parameters (`$name`, or `?` for the positional batch
inserts). Some queries are templates: a `{part}` in the SQL is a fragment of SQL made by code
(a relation the rules generate, a condition chosen from a fixed list), never a value and never
anything read from a file; `sql(name, part=...)` fills them and refuses a missing or unknown one.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

Params = Mapping[str, Any] | Sequence[Any] | None


@dataclass(frozen=True)
class Query:
    """A named query: what it returns (one line), its SQL, and the fragments it takes."""

    name: str
    doc: str
    text: str

    @property
    def parts(self) -> tuple[str, ...]:
        """The names of the `{part}` fragments of a template (none for a plain query)."""
        return tuple(
            dict.fromkeys(f for _, f, _, _ in string.Formatter().parse(self.text) if f is not None)
        )


_QUERIES: dict[str, Query] = {}


def define(name: str, doc: str, text: str) -> Query:
    """Declare a query once (a second declaration of a name is a programming error)."""
    if name in _QUERIES:
        raise ValueError(f"query {name!r} is declared twice")
    if not doc.strip() or "\n" in doc.strip():
        raise ValueError(f"query {name!r}: the description is one line")
    query = Query(name, doc.strip(), text.strip())
    _QUERIES[name] = query
    return query


def get(name: str) -> Query:
    """The query of that name, or a KeyError naming it."""
    try:
        return _QUERIES[name]
    except KeyError:
        raise KeyError(f"no query named {name!r}") from None


def names() -> list[str]:
    """Every declared query name, sorted."""
    return sorted(_QUERIES)


def sql(name: str, **parts: str) -> str:
    """The SQL of a query, its template fragments filled (exactly the ones it declares)."""
    query = get(name)
    wanted = set(query.parts)
    if set(parts) != wanted:
        raise ValueError(f"query {name!r} takes the parts {sorted(wanted)}, not {sorted(parts)}")
    return query.text.format(**parts) if wanted else query.text


def frame(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: Params = None,
    parts: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """Run a query and fetch it whole as a polars frame."""
    result: pl.DataFrame = con.sql(sql(name, **(parts or {})), params=params).pl()
    return result


def rows(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: Params = None,
    parts: Mapping[str, str] | None = None,
) -> list[tuple[Any, ...]]:
    """Run a query and fetch every row (fully fetched: duckdb 2 needs it before the next one)."""
    return con.execute(sql(name, **(parts or {})), params).fetchall()


def one(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: Params = None,
    parts: Mapping[str, str] | None = None,
) -> tuple[Any, ...] | None:
    """The first row of a query, or None."""
    found = rows(con, name, params, parts)
    return found[0] if found else None


def value(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: Params = None,
    parts: Mapping[str, str] | None = None,
) -> Any:
    """The single value of a one-row, one-column query (None when there is no row)."""
    row = one(con, name, params, parts)
    return row[0] if row else None


def execute(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: Params = None,
    parts: Mapping[str, str] | None = None,
) -> None:
    """Run a statement (insert, update, delete) and consume its result."""
    con.execute(sql(name, **(parts or {})), params).fetchall()


def execute_many(con: duckdb.DuckDBPyConnection, name: str, batch: Sequence[Sequence[Any]]) -> None:
    """Run a positional statement once per row of `batch` (nothing when the batch is empty)."""
    if batch:
        con.executemany(sql(name), batch)
