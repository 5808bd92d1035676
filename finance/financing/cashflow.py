"""The cash-flow plan ("plan de trésorerie"): week by week from the as-at date to the final cost
statement, the money out against the money in, the cash position and its lowest point.

- **Opening position**: the receipts to date minus the actual spend to date (an invoice dated
  is taken as paid; the plan is a treasurer's, not an accountant's).
- **Money out**: the committed costs in the week they are dated (those already due, in the first
  week), and the rest of the devis (budget minus actual minus committed, per chapter) spread over
  what remains of the schedule's phases with the layout's phase weights, evenly within a phase,
  as the planned burn curve spreads the devis (finance/reports/burn.py); a chapter whose phases
  are over pays its remainder in the first week.
- **Money in**: each payment still outstanding, in the week it is expected (its due date plus
  the payer's payment days); an overdue one in the first week. A payment with no date (a source
  not yet signed, without tranches) is listed apart, not counted.
- **Secured position**: the same without the payments at risk (a condition failing) and those
  of sources not yet signed: what a bank would lend against.

Every production of the frames is planned in the same pass: weeks, spreads and positions are
polars expressions over all of them, with no loop over weeks or productions. Weekly amounts are
differences of cumulative sums rounded to the cent, so they add up exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl

from finance.domain.layout import load_layout
from finance.domain.models import Manifest
from finance.domain.money import MONEY

EXACT = pl.Decimal(38, 10)
WEEK = pl.duration(days=6)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def plan_end(manifest: Manifest) -> date | None:
    """The last day the plan covers: the final cost statement, else delivery, else post end."""
    s = manifest.schedule
    if s is None:
        return None
    return s.final_cost_statement or s.delivery or s.post_end


@dataclass(frozen=True)
class CashInputs:
    """What the plan reads, for every production at once (finance/financing/run.py loads it)."""

    manifests: list[Manifest]
    payments: pl.DataFrame  # finance/financing/states.py payment_states
    remainder: pl.DataFrame  # production_id, chapter_code, remainder
    committed: pl.DataFrame  # production_id, week_start, committed
    actual: pl.DataFrame  # production_id, actual
    received: pl.DataFrame  # production_id, received (receipts to date)


def _spans(manifests: list[Manifest], at: date) -> pl.DataFrame:
    """Per production and phase: the phase's days and the days still to come after `at`."""
    rows: list[dict[str, Any]] = []
    for m in manifests:
        s = m.schedule
        if s is None:
            continue
        phases = {
            "prep": (s.prep_start, s.shoot_start - timedelta(days=1)),
            "shoot": (s.shoot_start, s.shoot_end),
            "post": (s.shoot_end + timedelta(days=1), s.post_end),
        }
        for phase, (start, end) in phases.items():
            rows.append({"production_id": m.id, "phase": phase, "start": start, "end": end})
    schema = {"production_id": pl.String, "phase": pl.String, "start": pl.Date, "end": pl.Date}
    first = at + timedelta(days=1)
    return (
        pl.DataFrame(rows, schema=schema)
        .with_columns(
            ((pl.col("end") - pl.col("start")).dt.total_days() + 1).clip(1).alias("days"),
            pl.max_horizontal(pl.col("start"), pl.lit(first)).alias("from"),
        )
        .with_columns(((pl.col("end") - pl.col("from")).dt.total_days() + 1).clip(0).alias("left"))
    )


def _weights(manifests: list[Manifest]) -> pl.DataFrame:
    rows = [
        {"production_id": m.id, "chapter_code": c.code, "phase": phase, "weight": str(w)}
        for m in manifests
        for c in load_layout(m.layout).chapters
        for phase, w in c.phase_weights.items()
    ]
    schema = {
        "production_id": pl.String,
        "chapter_code": pl.String,
        "phase": pl.String,
        "weight": pl.String,
    }
    return pl.DataFrame(rows, schema=schema).with_columns(pl.col("weight").cast(EXACT))


def _spread(inputs: CashInputs, at: date) -> pl.DataFrame:
    """(production_id, phase, from, left, amount): each chapter's remainder split over what is
    left of its phases; a remainder with no phase left is due in the first week."""
    pending = pl.col("weight") * pl.col("left").cast(EXACT) / pl.col("days").cast(EXACT)
    parts = (
        inputs.remainder.filter(pl.col("remainder") > 0)
        .join(_weights(inputs.manifests), on=["production_id", "chapter_code"], how="left")
        .join(_spans(inputs.manifests, at), on=["production_id", "phase"], how="left")
        .with_columns(pending.fill_null(0).alias("pending"))
        .with_columns(pl.col("pending").sum().over("production_id", "chapter_code").alias("all"))
    )
    spread = parts.filter(pl.col("all") > 0, pl.col("pending") > 0).select(
        "production_id",
        "from",
        "left",
        (pl.col("remainder").cast(EXACT) * pl.col("pending") / pl.col("all")).alias("amount"),
    )
    late = (
        parts.filter(pl.col("all") == 0)
        .unique(["production_id", "chapter_code"])
        .select(
            "production_id",
            pl.lit(at + timedelta(days=1)).alias("from"),
            pl.lit(1, pl.Int64).alias("left"),
            pl.col("remainder").cast(EXACT).alias("amount"),
        )
    )
    return pl.concat([spread, late.cast(spread.schema)])


def _weeks(inputs: CashInputs, at: date) -> pl.DataFrame:
    """Every production's weeks (Mondays) from the week of `at` to its plan's end (or its last
    expected payment, whichever is later)."""
    ends = pl.DataFrame(
        [{"production_id": m.id, "end": plan_end(m) or at} for m in inputs.manifests],
        schema={"production_id": pl.String, "end": pl.Date},
    )
    last_in = inputs.payments.group_by("production_id").agg(
        pl.col("expected_on").max().alias("last")
    )
    first = monday(at)
    return (
        ends.join(last_in, on="production_id", how="left")
        .select(
            "production_id",
            pl.date_ranges(
                pl.lit(first),
                pl.max_horizontal(
                    pl.col("end"), pl.col("last").fill_null(pl.col("end")), pl.lit(first)
                ),
                interval="1w",
            ).alias("week_start"),
        )
        .explode("week_start")
    )


def _outflows(weeks: pl.DataFrame, inputs: CashInputs, at: date) -> pl.DataFrame:
    """Per production and week: the spread remainder (cumulative rounding) and the committed."""
    spread = _spread(inputs, at)
    week_end = pl.col("week_start") + WEEK
    until = pl.col("from") + pl.duration(days=pl.col("left") - 1)
    overlap = (
        (
            pl.min_horizontal(until, week_end)
            - pl.max_horizontal(pl.col("from"), pl.col("week_start"))
        ).dt.total_days()
        + 1
    ).clip(0)
    spent = (
        weeks.join(spread, on="production_id", how="inner")
        .with_columns(
            (pl.col("amount") * overlap.cast(EXACT) / pl.col("left").cast(EXACT)).alias("part")
        )
        .group_by("production_id", "week_start")
        .agg(pl.col("part").sum())
    )
    cumulative = pl.col("part").fill_null(0).cum_sum().over("production_id", order_by="week_start")
    return (
        weeks.join(spent, on=["production_id", "week_start"], how="left")
        .with_columns(cumulative.round(2).alias("cum"))
        .with_columns(
            (
                pl.col("cum")
                - pl.col("cum").shift(1, fill_value=0).over("production_id", order_by="week_start")
            )
            .cast(MONEY)
            .alias("planned_spend")
        )
        .join(inputs.committed, on=["production_id", "week_start"], how="left")
        .select(
            "production_id",
            "week_start",
            "planned_spend",
            pl.col("committed").fill_null(0).cast(MONEY),
        )
    )


def _inflows(inputs: CashInputs, at: date) -> pl.DataFrame:
    """Per production and week: the outstanding payments expected, all and secured only."""
    first = monday(at)
    open_ = inputs.payments.filter(pl.col("outstanding") > 0, pl.col("expected_on").is_not_null())
    week = pl.max_horizontal(pl.col("expected_on").dt.truncate("1w"), pl.lit(first))
    safe = pl.col("secured") & ~pl.col("at_risk")
    return (
        open_.with_columns(week.alias("week_start"))
        .group_by("production_id", "week_start")
        .agg(
            pl.col("outstanding").sum().cast(MONEY).alias("inflow"),
            pl.col("outstanding").filter(safe).sum().cast(MONEY).alias("inflow_secured"),
        )
    )


def cash_plan(inputs: CashInputs, at: date) -> pl.DataFrame:
    """Per production and week: money out (planned spend, committed), money in (all, secured),
    and the cash position at the end of the week (all, secured)."""
    weeks = _weeks(inputs, at)
    opening = (
        pl.DataFrame(
            {"production_id": [m.id for m in inputs.manifests]}, schema={"production_id": pl.String}
        )
        .join(inputs.received, on="production_id", how="left")
        .join(inputs.actual, on="production_id", how="left")
        .select(
            "production_id",
            (pl.col("received").fill_null(0) - pl.col("actual").fill_null(0))
            .cast(MONEY)
            .alias("opening"),
        )
    )
    flows = (
        _outflows(weeks, inputs, at)
        .join(_inflows(inputs, at), on=["production_id", "week_start"], how="left")
        .with_columns(pl.col("inflow", "inflow_secured").fill_null(0).cast(MONEY))
        .with_columns((pl.col("planned_spend") + pl.col("committed")).cast(MONEY).alias("outflow"))
        .join(opening, on="production_id", how="left")
    )
    running = {
        "position": pl.col("inflow") - pl.col("outflow"),
        "position_secured": pl.col("inflow_secured") - pl.col("outflow"),
    }
    return flows.with_columns(
        (pl.col("opening") + net.cum_sum().over("production_id", order_by="week_start"))
        .cast(MONEY)
        .alias(name)
        for name, net in running.items()
    ).sort("production_id", "week_start")


def low_points(plan: pl.DataFrame) -> pl.DataFrame:
    """Per production: the lowest cash position (all, secured), the first week it is reached,
    and the bridging it needs (the shortfall below zero, else zero)."""
    out = []
    for column, suffix in (("position", ""), ("position_secured", "_secured")):
        lowest = pl.col(column) == pl.col(column).min().over("production_id")
        out.append(
            plan.filter(lowest)
            .group_by("production_id")
            .agg(
                pl.col("week_start").min().alias(f"low_week{suffix}"),
                pl.col(column).first().alias(f"low{suffix}"),
            )
            .with_columns((-pl.col(f"low{suffix}")).clip(0).cast(MONEY).alias(f"bridging{suffix}"))
        )
    return out[0].join(out[1], on="production_id", how="full", coalesce=True)
