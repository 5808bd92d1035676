"""The financiers' portfolio table (issue 18, point 7): one row per production with its budget,
spend, status as a coloured dot and a word, each scheme's shortfall in euros in its own column
and the value the spend supports (the Tax Shelter's supportable V), from each production's
latest check. The figures stay numbers (exact decimals) so that a click on a header sorts them
as numbers; the reader's format (babel) is only their display.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import polars as pl

from dashboards.ui import data
from dashboards.ui.i18n import lang, t
from finance.domain.fmt import fmt_count, fmt_money, fmt_pct
from finance.domain.packs import scheme_label
from rules.model import WORST_FIRST, Status

#: a production's status from its schemes' worst (figures.portfolio_schemes' rank, in the
#: order of rules.model.WORST_FIRST)
STATUS_OF_RANK = tuple(s.value for s in (*WORST_FIRST, Status.NOT_APPLICABLE))
#: the colour of each status, as a dot before its word (the word says it without the colour)
DOTS = {
    "fail": "●",
    "insufficient_data": "●",
    "warn": "●",
    "pass": "●",
    "not_applicable": "○",
    "unchecked": "○",
}
#: the colour of each status's dot and word (a text font's dot, coloured: an emoji's glyph is
#: missing from many fonts)
COLOURS = {
    "fail": "#c62828",
    "insufficient_data": "#6a1b9a",
    "warn": "#ef6c00",
    "pass": "#2e7d32",
    "not_applicable": "#757575",
    "unchecked": "#757575",
}
#: the production's own columns and their headers' message keys
HEADERS = {
    "id": "portfolio.col.id",
    "title": "portfolio.col.title",
    "budget": "budget",
    "actual": "actual",
    "pct_spent": "pct_spent",
    "fails": "portfolio.col.fails",
    "warns": "portfolio.col.warns",
}


def status_words(code: str) -> dict[str, str]:
    """Each status as the table shows it: its coloured dot and its word."""
    keys = {s: f"portfolio.status.{s}" for s in STATUS_OF_RANK} | {
        "unchecked": "portfolio.status.unchecked"
    }
    return {s: f"{DOTS[s]} {t(key)}" for s, key in keys.items()}


def _scheme_columns(code: str) -> tuple[pl.DataFrame, list[str]]:
    """Per production: its status (worst of its schemes), each scheme's shortfall in its own
    column (named in the reader's language) and the supportable value, as exact decimals; and
    the names of the money columns made."""
    rows = data.named(data.version(), "figures.portfolio_schemes")
    if rows.is_empty():
        return pl.DataFrame(schema={"id": pl.String}), []
    words = status_words(code)
    by_rank = {i: words[s] for i, s in enumerate(STATUS_OF_RANK)}
    status = (
        rows.group_by("production_id")
        .agg(pl.col("rank").min())
        .select(
            pl.col("production_id").alias("id"),
            pl.col("rank")
            .replace_strict(by_rank, return_dtype=pl.String)
            .alias(t("portfolio.status")),
        )
    )
    labels = {
        s: f"{t('portfolio.shortfall')} · {scheme_label(s, code)}" for s in rows["scheme"].unique()
    }
    shortfalls = (
        rows.with_columns(
            pl.col("scheme").replace_strict(labels, return_dtype=pl.String).alias("column"),
        )
        .pivot(on="column", index="production_id", values="shortfall", sort_columns=True)
        .rename({"production_id": "id"})
    )
    supportable = (
        rows.filter(pl.col("supportable").is_not_null())
        .group_by("production_id")
        .agg(pl.col("supportable").max())
        .select(pl.col("production_id").alias("id"), pl.col("supportable"))
        .rename({"supportable": t("portfolio.supportable")})
    )
    joined = status.join(shortfalls, on="id", how="left").join(supportable, on="id", how="left")
    money = [c for c in joined.columns if c in labels.values()] + [t("portfolio.supportable")]
    return joined, money


def portfolio_table(at: date) -> tuple[pl.DataFrame, list[str]]:
    """One row per production as at `at` (headers in the reader's language): its budget,
    actual spend, percent spent, its status (dot and word; "not checked yet" for a production
    never checked), each scheme's shortfall and the supportable value, all figures exact
    decimals; and the names of the money columns."""
    frame = data.named(data.version(), "figures.portfolio", (("at", at),))
    if not frame.height:
        return frame, []
    code = lang()
    schemes, money = _scheme_columns(code)
    status = t("portfolio.status")
    table = (
        frame.drop("attention", strict=False)
        .join(schemes, on="id", how="left", maintain_order="left")
        .with_columns(
            pl.col(status).fill_null(status_words(code)["unchecked"])
            if status in schemes.columns
            else pl.lit(status_words(code)["unchecked"]).alias(status)
        )
    )
    first = ["id", "title", status, "budget", "actual", "pct_spent"]
    ordered = table.select(*first, *(c for c in table.columns if c not in first))
    headed = ordered.rename({c: t(k) for c, k in HEADERS.items()})
    return headed, [t("budget"), t("actual"), *(m for m in money if m in headed.columns)]


def _missing(value: Any) -> bool:
    """A missing figure as pandas hands it to a formatter: None, or NaN in a float column."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def styled(table: pl.DataFrame, money: list[str]) -> Any:
    """The table for st.dataframe: the values stay numbers (a header click sorts them as
    numbers), shown in the reader's format: money by babel, percentages with their sign,
    counts grouped, nothing as `None` (a pandas Styler, which Streamlit shows as display texts
    over the values; pandas comes with Streamlit and is not imported here)."""
    code = lang()

    def money_text(value: Any) -> str:
        return "–" if _missing(value) else fmt_money(value, code)

    def pct_text(value: Any) -> str:
        return "–" if _missing(value) else fmt_pct(value, code)

    def count_text(value: Any) -> str:
        return "–" if _missing(value) else fmt_count(int(value), code)

    formats: dict[str, Any] = dict.fromkeys(money, money_text)
    formats[t("pct_spent")] = pct_text
    formats |= dict.fromkeys((t(HEADERS["fails"]), t(HEADERS["warns"])), count_text)
    colour_of = {word: f"color: {COLOURS[s]}" for s, word in status_words(code).items()}
    style = table.to_pandas().style.format(formats, na_rep="–")
    status = t("portfolio.status")
    if status in table.columns:
        style = style.map(lambda v: colour_of.get(str(v), ""), subset=[status])
    return style
