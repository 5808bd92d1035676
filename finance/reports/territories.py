"""Where the money goes, per territory: spend to date against the plan to date and at completion.

The plan to date spreads each devis line over the schedule the way the burn chart's planned curve
does (the chapter's phase weights, evenly within a phase), so a territory's plan to date is its
lines' budgets times their chapter's planned share at the date: the same plan, cut by territory.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from finance.domain.models import Manifest
from finance.domain.money import MONEY
from finance.reports.burn import planned_to_date
from finance.store import queries


def territory_figures(
    con: duckdb.DuckDBPyConnection, production_id: str, at: date, manifest: Manifest
) -> pl.DataFrame:
    """(territory, actual, planned_to_date, planned): actual spend as at `at`, the plan to that
    date (null without a schedule) and the devis at completion, per territory."""
    params = {"pid": production_id, "at": at}
    spend = queries.frame(con, "figures.actual_and_planned_by_territory", params)
    parts = queries.frame(con, "figures.budget_by_chapter_and_territory", {"pid": production_id})
    chapters = parts.group_by("chapter_code").agg(pl.col("budget").sum())
    shares = planned_to_date(chapters, manifest, at)
    to_date = (
        parts.join(shares, on="chapter_code", how="left")
        .group_by("territory")
        .agg(
            (pl.col("budget") * pl.col("share")).sum().round(2).cast(MONEY).alias("planned_to_date")
        )
    )
    if manifest.schedule is None:
        to_date = to_date.with_columns(pl.lit(None, MONEY).alias("planned_to_date"))
    return spend.join(to_date, on="territory", how="left").select(
        "territory", "actual", "planned_to_date", "planned"
    )
