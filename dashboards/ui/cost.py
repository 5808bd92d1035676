"""The cost report's tables as a producer reads them: headers in the reader's language and a
TOTAL row under the chapters (issue 18, point 3, in part)."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from dashboards.ui.i18n import t
from finance.reports.cost_report import FIGURES

#: the report's columns and their headers' message keys
HEADERS = {
    "chapter_code": "cost.col.chapter_code",
    "chapter_label": "cost.col.chapter_label",
    "code": "cost.col.code",
    "label": "cost.col.label",
    "budget": "budget",
    "actual": "actual",
    "committed": "committed",
    "estimate_to_complete": "cost.col.estimate_to_complete",
    "estimate_at_completion": "cost.col.estimate_at_completion",
    "variance": "variance",
    "pct_spent": "pct_spent",
    "expenses": "cost.col.expenses",
}


def with_total(chapters: pl.DataFrame, totals: dict[str, Decimal]) -> pl.DataFrame:
    """The chapters with a TOTAL row under them (the report's exact totals)."""
    budget, actual = totals["budget"], totals["actual"]
    pct = (actual * 100 / budget).quantize(Decimal("0.1")) if budget else None
    row = {
        "chapter_code": t("cost.total"),
        "chapter_label": "",
        **{c: totals[c] for c in FIGURES},
        "pct_spent": pct,
    }
    total = pl.DataFrame([row]).select(
        pl.col(c).cast(chapters.schema[c]) if c in chapters.columns else pl.col(c) for c in row
    )
    return pl.concat([chapters, total], how="diagonal_relaxed")


def headed(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with its known columns' headers in the reader's language."""
    return frame.rename({c: t(k) for c, k in HEADERS.items() if c in frame.columns})
