"""The wide eligibility relation (rules/wide.py) read once for two readers: the check's measures
and the allocation's matrix.

The check aggregates the wide rows into every production's measures; the allocation then reads
an expense x obligation matrix from the same rows. Each is a scan of the relation, and a scan of
the relation is every expense's tests evaluated (the plan's join, the caps, the fill of the
agreements): at ten million expenses the second scan cost as much as the evaluation. Here the
relation is scanned once into a TEMP table holding, per expense, only its id, production, status
and amount and the value of each SQL expression the two readers use (a measure's `where` and
`amount`, a claim's cell), each under a column name of its own. Both readers then read that
table. A temp table lives with the connection, in memory, and is allowed on a read-only one
(the check evaluates on a read-only snapshot); it is dropped when the readers are done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from itertools import count

import duckdb

from rules.plan import Plan
from rules.wide import wide_relation

#: the expense's own columns every reader of the table needs
KEPT = ("production_id", "id", "status", "amount")

_tables = count(1)


@dataclass
class Columns:
    """SQL expressions over the wide rows, each named by a column of its own (the same
    expression, whoever asks for it, is one column). Calling it with an expression registers it
    and gives its column."""

    of: dict[str, str] = field(default_factory=dict)

    def __call__(self, sql: str) -> str:
        return self.of.setdefault(sql, f"x{len(self.of)}")


@dataclass(frozen=True)
class Narrow:
    """The temp table of the wide rows' expressions (`table`), and each expression's column."""

    table: str
    of: dict[str, str]
    #: each column's DuckDB type
    types: dict[str, str] = field(default_factory=dict)

    def ref(self, sql: str) -> str:
        """The column of an expression the table was built with (a KeyError otherwise)."""
        return self.of[sql]

    def holds(self, expressions: list[str]) -> bool:
        return all(e in self.of for e in expressions)


@contextmanager
def narrow_rows(
    con: duckdb.DuckDBPyConnection, plan: Plan, columns: Columns, at: date
) -> Iterator[Narrow]:
    """The plan's wide rows as at `at`, scanned once into a temp table of `columns` (and the
    expense's id, production, status and amount), dropped on leaving."""
    table = f"narrow_rows_{next(_tables)}"
    cols = [*KEPT, *(f"{sql} AS {name}" for sql, name in columns.of.items())]
    con.execute(
        f"CREATE TEMP TABLE {table} AS SELECT {', '.join(cols)} FROM {wide_relation(plan)}",
        {"at": at},
    )
    types = con.execute(f"DESCRIBE {table}").fetchall()
    try:
        yield Narrow(table, dict(columns.of), {str(r[0]): str(r[1]) for r in types})
    finally:
        con.execute(f"DROP TABLE IF EXISTS {table}")
