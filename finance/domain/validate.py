"""Validation as data: each check is (column, failing-row expression, reason), run set-wise.

Checks never raise: they yield a long frame of problems (`_row`, `column`, `value`, `reason`)
that the importer either reports (strict mode: the whole batch is refused) or keeps with the
rejected rows in quarantine (`--skip-invalid`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from finance.domain.errors import Problem

PROBLEM_SCHEMA = {"_row": pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String}


@dataclass(frozen=True)
class Check:
    """A named rule a row must satisfy. `failed` is true where the row breaks it.

    `reason` may be a literal sentence or, with `reason_expr`, a per-row explanation.
    """

    column: str
    failed: pl.Expr
    reason: str
    reason_expr: pl.Expr | None = None


def run_checks(frame: pl.DataFrame, checks: Sequence[Check]) -> pl.DataFrame:
    """Every problem of every row, one row per (row, check). `value` is the raw text as read."""
    parts = []
    for check in checks:
        raw = f"raw_{check.column}"
        value = pl.col(raw) if raw in frame.columns else pl.lit(None, pl.String)
        reason = check.reason_expr if check.reason_expr is not None else pl.lit(check.reason)
        where = [pl.col("_file")] if "_file" in frame.columns else []
        parts.append(
            frame.filter(check.failed.fill_null(False)).select(
                *where,
                pl.col("_row").cast(pl.Int64),
                pl.lit(check.column).alias("column"),
                value.cast(pl.String).alias("value"),
                reason.cast(pl.String).alias("reason"),
            )
        )
    if not parts:
        return pl.DataFrame(schema=PROBLEM_SCHEMA)
    return pl.concat(parts, how="diagonal").sort("_row", "column")


def to_problems(
    problems: pl.DataFrame, file: str, sheet: str | None = None, limit: int | None = None
) -> list[Problem]:
    """Problems as records for messages (the edges print them one per line)."""
    rows = problems.head(limit) if limit else problems
    return [
        Problem(
            reason=r["reason"],
            file=file,
            sheet=sheet,
            row=r["_row"],
            column=r["column"],
            value=r["value"],
        )
        for r in rows.iter_rows(named=True)
    ]
