"""CSV that a spreadsheet opens without running anything (OWASP "CSV injection").

A supplier named `=HYPERLINK(...)` or `+cmd|...` is text in our ledger, but Excel or LibreOffice
would evaluate it when a financier opens an evidence CSV. Every text cell starting with one of
`= + - @`, a tab or a carriage return gets a leading apostrophe, which spreadsheets show as text;
numbers (including negative amounts) are left alone.

A cell's first character is not enough: Belgian and French Excel split a CSV on `;` (and others
on `,`), so `Evil;=cmd|' /C calc'!A0` opens as two cells, the second a live formula. So every
piece of a text cell that would start a cell after a split on `,` or `;` is neutralised too, and
every text field is quoted.
"""

from __future__ import annotations

import polars as pl

TRIGGERS = r"^[=+\-@\t\r]"
#: a separator a spreadsheet may split on, then spaces, then what would start a formula
INNER = r"([,;][ ]*)([=+\-@\t\r])"


def neutralize(frame: pl.DataFrame) -> pl.DataFrame:
    """Text columns with formula-like cells, and formula-like pieces after a `,` or `;`,
    prefixed by an apostrophe (set-wise)."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(TRIGGERS))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .str.replace_all(INNER, "${1}'${2}")
        .alias(c)
        for c in text
    )


def safe_csv(frame: pl.DataFrame) -> str:
    """The frame as CSV text, formula-safe, every text field quoted."""
    return neutralize(frame).write_csv(quote_style="non_numeric")
