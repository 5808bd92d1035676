"""The financiers' portfolio table: budget, spend, the production's status in words, the
shortfall of each scheme in its own column and the value the spend supports (the Tax Shelter's
supportable V), from each production's latest check."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboards.ui import data
from dashboards.ui.i18n import lang, t
from dashboards.ui.view import money_table
from finance.domain.fmt import money_text
from finance.domain.packs import scheme_label
from rules.model import WORST_FIRST, Status

#: a production's status from its schemes' worst (figures.portfolio_schemes' rank, in the
#: order of rules.model.WORST_FIRST)
STATUS_OF_RANK = tuple(s.value for s in (*WORST_FIRST, Status.NOT_APPLICABLE))


def _scheme_columns() -> pl.DataFrame:
    """Per production: its status in words (worst of its schemes), each scheme's shortfall in
    its own column (named in the reader's language) and the supportable value."""
    rows = data.named(data.version(), "figures.portfolio_schemes")
    if rows.is_empty():
        return pl.DataFrame(schema={"id": pl.String})
    code = lang()
    words = {i: t(f"portfolio.status.{s}") for i, s in enumerate(STATUS_OF_RANK)}
    status = (
        rows.group_by("production_id")
        .agg(pl.col("rank").min())
        .select(
            pl.col("production_id").alias("id"),
            pl.col("rank")
            .replace_strict(words, return_dtype=pl.String)
            .alias(t("portfolio.status")),
        )
    )
    labels = {
        s: f"{t('portfolio.shortfall')} · {scheme_label(s, code)}" for s in rows["scheme"].unique()
    }
    shortfalls = (
        rows.with_columns(
            money_text(pl.col("shortfall"), code).alias("shown"),
            pl.col("scheme").replace_strict(labels, return_dtype=pl.String).alias("column"),
        )
        .pivot(on="column", index="production_id", values="shown", sort_columns=True)
        .rename({"production_id": "id"})
    )
    supportable = (
        rows.filter(pl.col("supportable").is_not_null())
        .group_by("production_id")
        .agg(pl.col("supportable").max())
        .select(
            pl.col("production_id").alias("id"),
            money_text(pl.col("supportable"), code).alias(t("portfolio.supportable")),
        )
    )
    return status.join(shortfalls, on="id", how="left").join(supportable, on="id", how="left")


def portfolio_table(at: date) -> pl.DataFrame:
    """One row per production as at `at`: its budget (the production budget), actual spend,
    percent spent, its status in words, each scheme's shortfall and the supportable value
    (money formatted for display); productions never checked have no status yet."""
    frame = data.named(data.version(), "figures.portfolio", (("at", at),))
    if not frame.height:
        return frame
    shown = money_table(frame).drop("attention", strict=False)
    return shown.join(_scheme_columns(), on="id", how="left", maintain_order="left")
