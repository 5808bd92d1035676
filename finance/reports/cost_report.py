"""The cost report and burn rate: the same figures for the CLI, the dashboard and the exports.

Per line and chapter: budget, actual, committed, estimate to complete (ETC), estimate at
completion (EAC), variance and percent spent. Each figure is defined once, in SQL, in the store's
query layer (finance/store/queries/figures.py, which says what each means); the report reads the
lines from there and sums them by chapter and in total, so a chapter's overrun is never hidden by
another's savings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl

from finance.domain.layout import load_layout
from finance.domain.models import Manifest
from finance.domain.money import MONEY
from finance.reports.burn import (
    BurnSummary,
    burn_summary,
    planned_curve,
    trailing_four_weeks,
    weekly_spend,
)
from finance.store import queries
from finance.store.db import connect
from finance.store.productions import get_manifest

FIGURES = (
    "budget",
    "actual",
    "committed",
    "estimate_to_complete",
    "estimate_at_completion",
    "variance",
)


def _code_order(code: pl.Expr) -> list[pl.Expr]:
    """Sort keys so that 2.4 < 2.10 < 10.1 (numeric parts compared as numbers)."""
    parts = code.str.split(".")
    return [parts.list.get(i, null_on_oob=True).cast(pl.Int64, strict=False) for i in range(3)] + [
        code
    ]


def with_pct_spent(frame: pl.DataFrame) -> pl.DataFrame:
    """Add percent spent (actual over budget, none when the budget is zero) to a frame of
    figures."""
    return frame.with_columns(
        pl.when(pl.col("budget") != 0)
        .then((pl.col("actual") * 100 / pl.col("budget")).cast(pl.Decimal(18, 1)))
        .otherwise(None)
        .alias("pct_spent")
    )


def line_figures(con: duckdb.DuckDBPyConnection, production_id: str, at: date) -> pl.DataFrame:
    """One row per budget line (and per unbudgeted code that has spend), in devis order."""
    lines = queries.frame(con, "figures.report_lines", {"pid": production_id, "at": at})
    return with_pct_spent(lines).sort(_code_order(pl.col("code")))


def chapter_figures(lines: pl.DataFrame, layout_id: str) -> pl.DataFrame:
    """Lines summed by chapter (ETC, EAC and variance too: a line's overrun is not hidden by
    another line's savings), labelled from the devis or else the layout."""
    labels = {c.code: c.label["fr"] for c in load_layout(layout_id).chapters}
    chapters = (
        lines.group_by("chapter_code")
        .agg(
            pl.col("chapter_label").drop_nulls().first(),
            *(pl.col(c).sum().cast(MONEY) for c in FIGURES),
        )
        .with_columns(
            pl.coalesce(
                pl.col("chapter_label"), pl.col("chapter_code").replace_strict(labels, default=None)
            ).alias("chapter_label"),
        )
        .pipe(with_pct_spent)
    )
    return chapters.sort(_code_order(pl.col("chapter_code")))


@dataclass(frozen=True)
class CostReport:
    """Everything the report shows, as frames and exact figures."""

    production_id: str
    title: str
    currency: str
    at: date
    manifest_budget_total: Decimal | None
    lines: pl.DataFrame
    chapters: pl.DataFrame
    totals: dict[str, Decimal]
    weekly: pl.DataFrame
    burn: BurnSummary
    layout: str = "cnc"


def chapter_names(report: CostReport, lang: str) -> dict[str, str]:
    """Each chapter's name in `lang`: the layout's where the chapter is one of its own (a
    French devis read in Dutch says "Vertolking"), else the devis's label."""
    own = {c.code: c.label.get(lang) or c.label["fr"] for c in load_layout(report.layout).chapters}
    codes = report.chapters["chapter_code"].to_list()
    labels = report.chapters["chapter_label"].to_list()
    return {c: own.get(c) or label or "" for c, label in zip(codes, labels, strict=True)}


def _totals(lines: pl.DataFrame) -> dict[str, Decimal]:
    sums = lines.select(pl.col(c).sum().cast(MONEY) for c in FIGURES).row(0, named=True)
    return {c: Decimal(sums[c] or 0) for c in FIGURES}


def build_report(con: duckdb.DuckDBPyConnection, production_id: str, at: date) -> CostReport:
    """The cost report of a production as at a date (spend dated after `at` is left out)."""
    manifest: Manifest = get_manifest(con, production_id)
    lines = line_figures(con, production_id, at)
    totals = _totals(lines)
    chapters = chapter_figures(lines, manifest.layout)
    weekly = weekly_spend(con, production_id, at, manifest.schedule)
    if manifest.schedule is not None:
        weekly = weekly.join(planned_curve(chapters, manifest, weekly), on="week_start", how="left")
    trailing = trailing_four_weeks(con, production_id, at)
    burn = burn_summary(weekly, totals, at, manifest.schedule, trailing)
    return CostReport(
        production_id,
        manifest.title,
        manifest.currency,
        at,
        manifest.budget_total,
        lines,
        chapters,
        totals,
        weekly,
        burn,
        manifest.layout,
    )


def cost_report(db: Path | None, production_id: str, at: date | None = None) -> CostReport:
    """Open the database read-only, build the report, close."""
    with connect(db, read_only=True) as con:
        return build_report(con, production_id, at or date.today())


def week_start(day: date) -> date:
    """Monday of the ISO week of `day`."""
    return day - timedelta(days=day.weekday())
