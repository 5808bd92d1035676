"""CSV that a spreadsheet opens without running anything (OWASP "CSV injection").

A supplier named `=HYPERLINK(...)` or `+cmd|...` is text in our ledger, but Excel or LibreOffice
would evaluate it when a financier opens an evidence CSV. Every text cell starting with one of
`= + - @`, a tab or a carriage return gets a leading apostrophe, which spreadsheets show as text;
numbers (including negative amounts) are left alone.
"""

from __future__ import annotations

import polars as pl

TRIGGERS = r"^[=+\-@\t\r]"


def neutralize(frame: pl.DataFrame) -> pl.DataFrame:
    """Text columns with formula-like cells prefixed by an apostrophe (set-wise)."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(TRIGGERS))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text
    )


def safe_csv(frame: pl.DataFrame) -> str:
    """The frame as CSV text, formula-safe."""
    return neutralize(frame).write_csv()
