"""Does the plan cover the devis? The financing total against the current devis, by status,
each source's share of the budget, and the shares by country (whose money it is: the CNC's and
the regional funds' territorial tests read the coproducers' shares).

The gap is budget minus financing: positive, the money still to find; negative, the plan
raises more than the devis costs. `secured_gap` counts only the sources a bank counts (signed,
conditions met, paid).
"""

from __future__ import annotations

import polars as pl

from finance.domain.money import MONEY
from finance.domain.tranches import SECURED, SourceStatus

SHARE = pl.Decimal(18, 4)
STATUSES = tuple(s.value for s in SourceStatus)


def _share(part: pl.Expr, whole: pl.Expr) -> pl.Expr:
    return (
        pl.when(whole != 0).then(part.cast(pl.Decimal(38, 10)) / whole).otherwise(None).cast(SHARE)
    )


def with_shares(sources: pl.DataFrame, budgets: pl.DataFrame) -> pl.DataFrame:
    """Each source with its share of its production's budget (`share_of_budget`, 0-1)."""
    return sources.join(budgets, on="production_id", how="left").with_columns(
        _share(pl.col("amount"), pl.col("budget")).alias("share_of_budget")
    )


def balances(sources: pl.DataFrame, budgets: pl.DataFrame) -> pl.DataFrame:
    """One row per production of `budgets` (production_id, budget, budget_source): the
    financing total, its sum per status, the secured total, the gap and the secured gap."""
    per_status = [
        pl.col("amount").filter(pl.col("status") == s).sum().cast(MONEY).alias(s) for s in STATUSES
    ]
    secured = pl.col("amount").filter(pl.col("status").is_in([s.value for s in SECURED]))
    sums = sources.group_by("production_id").agg(
        pl.col("amount").sum().cast(MONEY).alias("financing"),
        secured.sum().cast(MONEY).alias("secured"),
        *per_status,
    )
    filled = [pl.col(c).fill_null(0).cast(MONEY) for c in ("financing", "secured", *STATUSES)]
    return (
        budgets.join(sums, on="production_id", how="left")
        .with_columns(filled)
        .with_columns(
            (pl.col("budget") - pl.col("financing")).cast(MONEY).alias("gap"),
            (pl.col("budget") - pl.col("secured")).cast(MONEY).alias("secured_gap"),
            _share(pl.col("financing"), pl.col("budget")).alias("coverage"),
        )
    )


def by_country(sources: pl.DataFrame, budgets: pl.DataFrame) -> pl.DataFrame:
    """Per production and country (null: not said), the financing it brings and its share of
    the budget; coproducers' shares apart (`coproducer`)."""
    coproducer = pl.col("amount").filter(pl.col("kind") == "coproducer")
    return (
        sources.group_by("production_id", "country")
        .agg(
            pl.col("amount").sum().cast(MONEY).alias("amount"),
            coproducer.sum().cast(MONEY).alias("coproducer"),
        )
        .join(budgets.select("production_id", "budget"), on="production_id", how="left")
        .with_columns(_share(pl.col("amount"), pl.col("budget")).alias("share_of_budget"))
        .drop("budget")
        .sort("production_id", "amount", descending=[False, True])
    )
