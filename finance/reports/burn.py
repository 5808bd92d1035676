"""Burn rate: weekly spend, the planned curve from the schedule, and when the money runs out.

The planned curve spreads each chapter's budget over the schedule phases with the layout's
phase weights (prep, shoot, post), evenly within a phase. It is a plan to compare against, not
a forecast: `budget_runs_out_on` extrapolates the trailing four-week burn instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import polars as pl

from finance.domain.layout import load_layout
from finance.domain.models import Manifest, Schedule
from finance.domain.money import MONEY, ZERO, to_money
from finance.store import queries


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_spend(
    con: duckdb.DuckDBPyConnection, production_id: str, at: date, schedule: Schedule | None
) -> pl.DataFrame:
    """One row per week (Monday) from the first spend or prep start to `at` or post end.

    Weeks after `at` have null actual and committed (the future is not zero spend).
    """
    first = _monday(schedule.prep_start if schedule else at)
    last = _monday(max(at, schedule.post_end) if schedule else at)
    weekly = queries.frame(
        con, "figures.weekly", {"pid": production_id, "at": at, "first": first, "last": last}
    )
    return weekly.with_columns(
        pl.col("actual").cum_sum().cast(MONEY).alias("cumulative_actual"),
        (pl.col("actual") + pl.col("committed"))
        .cum_sum()
        .cast(MONEY)
        .alias("cumulative_committed"),
    )


def trailing_four_weeks(con: duckdb.DuckDBPyConnection, production_id: str, at: date) -> Decimal:
    """Average weekly actual spend over the 28 days ending on `at`."""
    spent = queries.value(con, "figures.trailing_four_weeks", {"pid": production_id, "at": at})
    return to_money(Decimal(spent or 0) / 4)


def _phases(schedule: Schedule) -> dict[str, tuple[date, date]]:
    """Inclusive first and last day of each phase."""
    return {
        "prep": (schedule.prep_start, schedule.shoot_start - timedelta(days=1)),
        "shoot": (schedule.shoot_start, schedule.shoot_end),
        "post": (schedule.shoot_end + timedelta(days=1), schedule.post_end),
    }


def _phase_amounts(chapters: pl.DataFrame, manifest: Manifest) -> pl.DataFrame:
    """(start, days, amount) per chapter and phase: the budget times the chapter's phase weight."""
    assert manifest.schedule is not None
    weights = [
        {"chapter_code": c.code, "phase": phase, "weight": str(w)}
        for c in load_layout(manifest.layout).chapters
        for phase, w in c.phase_weights.items()
    ]
    spans = pl.DataFrame(
        [
            {"phase": p, "start": a, "days": max((b - a).days + 1, 1)}
            for p, (a, b) in _phases(manifest.schedule).items()
        ]
    )
    return (
        chapters.select("chapter_code", "budget")
        .join(
            pl.DataFrame(weights).with_columns(pl.col("weight").cast(pl.Decimal(18, 4))),
            on="chapter_code",
        )
        .join(spans, on="phase")
        .select(
            "chapter_code", "start", "days", (pl.col("budget") * pl.col("weight")).alias("amount")
        )
    )


def planned_to_date(chapters: pl.DataFrame, manifest: Manifest, at: date) -> pl.DataFrame:
    """(chapter_code, share): the part of each chapter's budget the plan spends by `at` (the
    same phases and weights as the planned curve); no schedule, no plan (empty)."""
    if manifest.schedule is None:
        return pl.DataFrame(schema={"chapter_code": pl.String, "share": pl.Decimal(18, 6)})
    elapsed = ((pl.lit(at) - pl.col("start")).dt.total_days() + 1).clip(0, pl.col("days"))
    return (
        _phase_amounts(chapters, manifest)
        .with_columns((pl.col("amount") * elapsed / pl.col("days")).alias("planned"))
        .group_by("chapter_code")
        .agg(pl.col("planned").sum())
        .join(chapters.select("chapter_code", "budget"), on="chapter_code")
        .select(
            "chapter_code",
            pl.when(pl.col("budget") != 0)
            .then(pl.col("planned") / pl.col("budget"))
            .otherwise(0)
            .cast(pl.Decimal(18, 6))
            .alias("share"),
        )
    )


def planned_curve(chapters: pl.DataFrame, manifest: Manifest, weeks: pl.DataFrame) -> pl.DataFrame:
    """Planned cumulative spend at the end (Sunday) of each week."""
    amounts = _phase_amounts(chapters, manifest)
    elapsed = (
        (pl.col("week_start") + pl.duration(days=6) - pl.col("start")).dt.total_days() + 1
    ).clip(0, pl.col("days"))
    return (
        weeks.select("week_start")
        .join(amounts, how="cross")
        .with_columns((pl.col("amount") * elapsed / pl.col("days")).alias("planned"))
        .group_by("week_start")
        .agg(pl.col("planned").sum().round(2).cast(MONEY).alias("planned_cumulative"))
    )


@dataclass(frozen=True)
class BurnSummary:
    """The burn figures of the report's `burn` object."""

    trailing_4_weeks: Decimal
    remaining: Decimal
    budget_runs_out_on: date | None
    pct_budget_spent: Decimal | None
    pct_schedule_elapsed: Decimal | None


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else None


def burn_summary(
    weekly: pl.DataFrame,
    totals: dict[str, Decimal],
    at: date,
    schedule: Schedule | None,
    trailing: Decimal = ZERO,
) -> BurnSummary:
    """Trailing burn, money left, and the date it runs out at that burn."""
    remaining = totals["budget"] - totals["actual"] - totals["committed"]
    runs_out = None
    if remaining <= 0:
        runs_out = at
    elif trailing > 0:
        runs_out = at + timedelta(days=math.ceil(remaining / trailing * 7))
    elapsed = None
    if schedule is not None:
        span = (schedule.post_end - schedule.prep_start).days
        done = min(max((at - schedule.prep_start).days, 0), span)
        elapsed = _pct(Decimal(done), Decimal(span))
    return BurnSummary(
        trailing, to_money(remaining), runs_out, _pct(totals["actual"], totals["budget"]), elapsed
    )
