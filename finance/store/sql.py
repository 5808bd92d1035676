"""The one SQL literal helper, for the rare statements where DuckDB cannot bind a parameter.

DuckDB binds values in queries (`$name` or `?`), and every query of the store's query layer
(finance/store/queries) binds its values. A few statements take no parameters at all: the target
of `COPY ... TO`, `SET temp_directory`, a `PRAGMA`, the body of a `CREATE VIEW`. There, and only
there, a value is written into the SQL text, through `literal`, which quotes it so that it can
only ever be read as a value.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath

SqlValue = str | PurePath | Decimal | int | bool | date | datetime | None


def _text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("a SQL text literal cannot hold a NUL character")
    return "'" + value.replace("'", "''") + "'"


def literal(value: SqlValue | Sequence[SqlValue]) -> str:
    """`value` as a DuckDB literal: text and paths quoted (quotes doubled), numbers as written,
    dates and timestamps typed, None as NULL, a list or tuple as a list literal of its items.

    A float is refused: money is exact (Decimal), and a float's text is not its value.
    """
    if value is None:
        return "NULL"
    if isinstance(value, bool):  # before int: bool is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        raise TypeError("no float literals: use Decimal")
    if isinstance(value, int | Decimal):
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueError(f"{value} is not a number SQL can hold")
        return str(value)
    if isinstance(value, datetime):  # before date: a datetime is a date
        return f"TIMESTAMP {_text(value.isoformat(sep=' '))}"
    if isinstance(value, date):
        return f"DATE {_text(value.isoformat())}"
    if isinstance(value, str | PurePath):
        return _text(str(value))
    if isinstance(value, Sequence):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise TypeError(f"no SQL literal for {type(value).__name__}")
