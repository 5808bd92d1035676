"""Each expected payment's state as at a date: received, outstanding, and whether it is upcoming,
due, overdue, partly paid or paid; and whether a funder's condition puts it at risk.

Receipts are recorded per tranche; a tranche with a retention has two payments (the part at its
milestone, then the retention at the final cost statement), and its receipts pay the first part
first. A source whose status is `paid` but has no receipt recorded counts as received (said so:
`assumed`). A payment waiting on a rule (`condition`) is at risk while that rule fails, is
projected to fail, or cannot be shown (`insufficient_data`), in the check evaluated at the same
date.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from finance.domain.money import MONEY
from finance.domain.tranches import SECURED

#: the rule statuses that put a conditional payment at risk
RISKY = ("fail", "insufficient_data")
RULE_SCHEMA = {"production_id": pl.String, "rule_id": pl.String, "status": pl.String}
RECEIPT_SCHEMA = {
    "production_id": pl.String,
    "tranche_id": pl.String,
    "received_on": pl.Date,
    "amount": MONEY,
}


def payment_states(
    payments: pl.DataFrame,
    sources: pl.DataFrame,
    receipts: pl.DataFrame,
    rules: pl.DataFrame,
    at: date,
) -> pl.DataFrame:
    """The payments frame (finance/financing/sources.py) with `received`, `outstanding`,
    `state`, `overdue`, `assumed`, `secured`, `at_risk` and the condition's `rule_status`."""
    got = (
        receipts.filter(pl.col("received_on") <= at)
        .group_by("production_id", "tranche_id")
        .agg(pl.col("amount").sum().cast(MONEY).alias("got"))
    )
    before = pl.col("amount").cum_sum().over("production_id", "tranche_id", order_by="rank")
    paid_source = pl.col("status") == "paid"
    frame = (
        payments.join(got, on=["production_id", "tranche_id"], how="left")
        .join(
            sources.select("production_id", "source_id", "status"),
            on=["production_id", "source_id"],
            how="left",
        )
        .with_columns(
            (paid_source & pl.col("got").is_null()).alias("assumed"),
            pl.col("status").is_in([s.value for s in SECURED]).alias("secured"),
        )
        .with_columns(
            pl.when(pl.col("assumed"))
            .then(pl.col("amount"))
            .otherwise(
                (pl.col("got").fill_null(0) - (before - pl.col("amount"))).clip(0, pl.col("amount"))
            )
            .cast(MONEY)
            .alias("received")
        )
        .with_columns((pl.col("amount") - pl.col("received")).cast(MONEY).alias("outstanding"))
    )
    return _with_risk(_with_state(frame, at), rules)


def _with_state(frame: pl.DataFrame, at: date) -> pl.DataFrame:
    late = pl.col("expected_on").is_not_null() & (pl.col("expected_on") < at)
    open_ = pl.col("outstanding") > 0
    state = (
        pl.when(~open_)
        .then(pl.lit("paid"))
        .when(pl.col("received") > 0)
        .then(pl.lit("partly_paid"))
        .when(pl.col("due_on").is_null())
        .then(pl.lit("unscheduled"))
        .when(late)
        .then(pl.lit("overdue"))
        .when(pl.col("due_on") <= at)
        .then(pl.lit("due"))
        .otherwise(pl.lit("upcoming"))
    )
    return frame.with_columns(state.alias("state"), (late & open_).alias("overdue"))


def _with_risk(frame: pl.DataFrame, rules: pl.DataFrame) -> pl.DataFrame:
    statuses = rules.select(
        "production_id", pl.col("rule_id").alias("condition"), pl.col("status").alias("rule_status")
    ).unique(["production_id", "condition"])
    joined = frame.join(statuses, on=["production_id", "condition"], how="left")
    conditional = pl.col("condition").is_not_null() & (pl.col("outstanding") > 0)
    risky = pl.col("rule_status").is_null() | pl.col("rule_status").is_in(RISKY)
    return joined.with_columns((conditional & risky).alias("at_risk"))
