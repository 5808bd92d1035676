"""Budget line codes: `2.04` and `02.04` are the same line; the chapter is before the first dot."""

from __future__ import annotations

import polars as pl

#: Territory vocabulary of a budget line's planned spend (interfaces.md section 2).
PLANNED_TERRITORY = r"^(BE-BRU|BE-WAL|BE-VLG|FR|FR-(\d{2}|2A|2B|97\d)|EEA|OTHER)$"


def normalize_code(expr: pl.Expr) -> pl.Expr:
    """Canonical line code: trimmed, comma read as dot, chapter without leading zeros.

    `02.04` -> `2.04`, `2,04` -> `2.04` (a decimal-comma spreadsheet), `10` -> `10`.
    """
    text = expr.cast(pl.String).str.strip_chars().str.replace(",", ".", literal=True)
    chapter = text.str.extract(r"^0*(\d+)", 1)
    rest = text.str.extract(r"^\d+(\..*)$", 1)
    numeric = pl.when(rest.is_null()).then(chapter).otherwise(pl.concat_str([chapter, rest]))
    dotted = text.str.contains(r"^\d+(\.[0-9A-Za-z]+)*$")
    return pl.when(dotted).then(numeric).otherwise(text)


def chapter_of(code: pl.Expr) -> pl.Expr:
    """The chapter of a normalised code: the part before the first dot."""
    return code.str.split(".").list.first()
