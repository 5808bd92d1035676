"""The Territories page's tables in words: territory names instead of codes (Wallonie, not
BE-WAL), the devis lines without a territory explained, headers in the reader's language."""

from __future__ import annotations

import polars as pl

from dashboards.ui.i18n import lang, t
from dashboards.ui.strip import where_words
from dashboards.ui.view import money_table

#: what the devis or the ledger leaves without a territory
UNKNOWN = "?"


def territory_names(codes: list[str]) -> dict[str, str]:
    """Each territory code in words (as the Overview's funders strip says them), the unknown
    explained; a code without a name stays as it is."""
    code = lang()
    return {c: t("territory.unknown") if c == UNKNOWN else where_words(c, code) or c for c in codes}


def named(spend: pl.DataFrame) -> pl.DataFrame:
    """The frame with its territory codes in words (for the chart and the table)."""
    names = territory_names([str(c) for c in spend["territory"].to_list()])
    return spend.with_columns(
        pl.col("territory").replace_strict(
            names, default=pl.col("territory"), return_dtype=pl.String
        )
    )


def spend_table(spend: pl.DataFrame) -> pl.DataFrame:
    """Territory, actual and planned in words and Belgian number format, headers translated."""
    return money_table(named(spend)).rename(
        {"territory": t("territory"), "actual": t("actual"), "planned": t("territory.planned")}
    )


def region_table(regions: pl.DataFrame) -> pl.DataFrame:
    """French regions' actual spend, headers translated."""
    return money_table(regions).rename(
        {"fr_region": t("territory.fr_region"), "actual": t("actual")}
    )
