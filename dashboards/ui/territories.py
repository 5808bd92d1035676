"""The Territories page's tables in words: territory names instead of codes (Wallonie, not
BE-WAL), the devis lines without a territory explained, headers in the reader's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import polars as pl

from dashboards.ui import charts
from dashboards.ui.i18n import lang, t
from dashboards.ui.strip import where_words
from dashboards.ui.view import money_table
from finance.domain import i18n
from finance.domain.fmt import fmt_money
from finance.domain.money import MONEY
from finance.domain.packs import scheme_label
from rules.loader import load_packs

#: what the devis or the ledger leaves without a territory
UNKNOWN = "?"


def territory_names(codes: list[str]) -> dict[str, str]:
    """Each territory code in words (as the Overview's funders strip says them), the unknown
    explained; a code without a name stays as it is."""
    code = lang()
    return {c: _bar_name(c, code) for c in codes}


def _bar_name(territory: str, code: str) -> str:
    """A bar's territory in words: what is left is named as such ("other EEA countries", not
    "the EEA", which a requirement means whole)."""
    if territory == UNKNOWN:
        return i18n.text("territory.unknown", code)
    if i18n.has(f"territory.bar.{territory}"):
        return i18n.text(f"territory.bar.{territory}", code)
    return where_words(territory, code) or territory


def named(spend: pl.DataFrame) -> pl.DataFrame:
    """The frame with its territory codes in words (for the chart and the table)."""
    names = territory_names([str(c) for c in spend["territory"].to_list()])
    return spend.with_columns(
        pl.col("territory").replace_strict(
            names, default=pl.col("territory"), return_dtype=pl.String
        )
    )


def spend_table(spend: pl.DataFrame) -> pl.DataFrame:
    """Territory, spend to date, plan to date and at completion in words and Belgian number
    format, headers translated."""
    return money_table(named(spend), ["territory", "actual", "planned_to_date", "planned"]).rename(
        {
            "territory": t("territory"),
            "actual": t("territory.spent_to_date"),
            "planned_to_date": t("territory.planned_to_date"),
            "planned": t("territory.planned_at_completion"),
        }
    )


def region_table(regions: pl.DataFrame) -> pl.DataFrame:
    """French regions' actual spend, headers translated."""
    return money_table(regions).rename(
        {"fr_region": t("territory.fr_region"), "actual": t("actual")}
    )


#: bars of what is left (other EEA countries, outside the EEA): a requirement on the whole EEA
#: or on Belgium is not drawn on them but said beside the chart
RESIDUAL = ("EEA", "OTHER", UNKNOWN)
#: the bars' colours: spend, the plan to date (lighter) and at completion (neutral)
BAR_COLOURS = {"actual": "#1f4e79", "planned_to_date": "#9db9d8", "planned": "#b0b0b0"}


def _requires(result: dict[str, Any]) -> bool:
    """Whether the result is a minimum to spend (not a cap), on a territory, and applies."""
    pack = load_packs().get(str(result.get("scheme")))
    rule = str(result.get("rule_id", "")).split(".", 1)[-1]
    decl = next((r for r in pack.rules if r.id == rule), None) if pack else None
    return (
        decl is not None
        and str(decl.operator) in ("gte", "gt")
        and bool(result.get("spend_where"))
        and result.get("threshold") is not None
        and result.get("status") != "not_applicable"
    )


def thresholds(results: list[dict[str, Any]], territories: list[str]) -> pl.DataFrame:
    """The funders' territorial spend requirements that fall on one of the chart's territories:
    (territory, scheme, threshold, measured); the others (Belgium as a whole, the EEA) are
    said beside the chart."""
    rows = [
        {
            "territory": r["spend_where"],
            "scheme": r["scheme"],
            "threshold": Decimal(str(r["threshold"])),
            "measured": Decimal(str(r["measured"] or 0)),
        }
        for r in results
        if _requires(r) and r["spend_where"] in territories and r["spend_where"] not in RESIDUAL
    ]
    schema: dict[str, pl.DataType] = {
        "territory": pl.String(),
        "scheme": pl.String(),
        "threshold": MONEY,
        "measured": MONEY,
    }
    return pl.DataFrame(rows, schema=schema)


def elsewhere(results: list[dict[str, Any]], territories: list[str]) -> list[str]:
    """The requirements on a territory the chart has no bar for, in words."""
    code = lang()
    return [
        i18n.text(
            "territory.requirement",
            code,
            scheme=scheme_label(str(r["scheme"]), code),
            where=where_words(str(r["spend_where"]), code) or str(r["spend_where"]),
            threshold=fmt_money(Decimal(str(r["threshold"])), code, "EUR"),
            measured=fmt_money(Decimal(str(r["measured"] or 0)), code, "EUR"),
        )
        for r in results
        if _requires(r)
        and (r["spend_where"] not in territories or r["spend_where"] in RESIDUAL)
        and " " not in r["spend_where"]
    ]


def chart(spend: pl.DataFrame, required: pl.DataFrame) -> go.Figure:
    """Spend to date, plan to date and plan at completion per territory (in words), each
    funder's requirement drawn as a mark on its territory's bars; amounts in the reader's format
    on the axis and in the tooltips."""
    code = lang()
    names = territory_names([str(c) for c in spend["territory"].to_list()])
    y = [names[str(c)] for c in spend["territory"].to_list()]
    fig = go.Figure()
    for column, label in (
        ("actual", t("territory.spent_to_date")),
        ("planned_to_date", t("territory.planned_to_date")),
        ("planned", t("territory.planned_at_completion")),
    ):
        values = spend[column].to_list()
        fig.add_bar(
            y=y,
            x=[float(v) if v is not None else None for v in values],
            orientation="h",
            name=label,
            marker_color=BAR_COLOURS[column],
            customdata=[fmt_money(v, code, "EUR") for v in values],
            hovertemplate="%{y} · " + label + " : %{customdata}<extra></extra>",
        )
    for row in required.iter_rows(named=True):
        label = scheme_label(row["scheme"], code)
        said = i18n.text(
            "territory.requirement_mark",
            code,
            scheme=label,
            threshold=fmt_money(row["threshold"], code, "EUR"),
            measured=fmt_money(row["measured"], code, "EUR"),
        )
        colour = load_packs()[row["scheme"]].presentation.colour or "#333333"
        fig.add_scatter(
            y=[names.get(row["territory"], row["territory"])],
            x=[float(row["threshold"])],
            mode="markers+text",
            marker={"symbol": "line-ns-open", "size": 44, "color": colour, "line": {"width": 3}},
            text=[label],
            textposition="middle right",
            name=label,
            hovertemplate=said + "<extra></extra>",
            showlegend=False,
        )
    top = max(
        [Decimal(str(v)) for c in BAR_COLOURS for v in spend[c].to_list() if v is not None]
        + [Decimal(str(v)) for v in required["threshold"].to_list()]
        + [Decimal(0)]
    )
    ticks = charts.money_ticks(top, code, count=6)
    fig.update_layout(
        barmode="group",
        separators=charts.SEPARATORS.get(code, charts.SEPARATORS["fr"]),
        margin={"t": 30, "b": 10, "l": 10},
        legend={"orientation": "h"},
        height=140 + 70 * len(y),
        xaxis={"tickvals": ticks[0], "ticktext": ticks[1]},
        yaxis={"autorange": "reversed", "automargin": True},
    )
    return fig
