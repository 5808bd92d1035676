"""Pure figure builders: frames and figures in, Plotly figures out (tested on their data).

Money is exact everywhere else; it becomes float only here, for plotting. Plotly writes no
number or month a reader sees on the burn charts: the axes' ticks and the tooltips are texts
written with babel in the reader's language (`1,5 M€`, `mars 2026`, `1 234,56 €`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import plotly.graph_objects as go
import polars as pl
from babel.dates import format_date
from babel.numbers import format_decimal

from finance.domain.fmt import fmt_date, fmt_money, locale_of
from finance.domain.models import Schedule

COLORS = {
    "actual": "#1f4e79",
    "actual_fill": "rgba(31, 78, 121, 0.12)",
    "committed": "#2a9d8f",
    "planned": "#999999",
    # the budget is a reference, not a danger: a neutral dark grey (red is for danger)
    "budget": "#555555",
    "today": "#333333",
    "trailing": "#e08e0b",
    "pass": "#2e7d32",
    "warn": "#ef6c00",
    "fail": "#c62828",
}
#: plotly's `separators` (decimal point, then thousands) per language, for any number plotly
#: itself still writes
SEPARATORS = {"fr": ",\u202f", "nl": ",.", "en": ".,"}
#: the schedule's phases, in order, and their shading
PHASES = (("prep", "#eeeeee"), ("shoot", "#fde9d9"), ("post", "#eeeeee"))


def _f(value: Any) -> float | None:
    return None if value is None else float(value)


def _nice_step(span: Decimal, count: int = 5) -> Decimal:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `count` intervals."""
    if span <= 0:
        return Decimal(1)
    raw = span / count
    power = Decimal(10) ** (raw.adjusted())
    for factor in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        if power * factor >= raw:
            return power * factor
    return power * 10  # pragma: no cover - the loop ends at 10


def money_tick(value: Decimal, step: Decimal, top: Decimal, lang: str) -> str:
    """A money tick as people write it: `1,5 M€` / `250 k€` in French and Dutch, `€1.5M` /
    `€250K` in English; the unit is chosen from the axis' top, the decimals from the step."""
    units = (("M", Decimal(1_000_000)), ("k", Decimal(1_000)), ("", Decimal(1)))
    unit, size = next((u, s) for u, s in units if top >= s or s == 1)
    if value == 0:
        unit, size = "", Decimal(1)
    scaled, scaled_step = value / size, step / size
    exponent = int(scaled_step.normalize().as_tuple().exponent)
    decimals = max(0, -exponent) if value else 0
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    number = str(format_decimal(scaled, format=pattern, locale=locale_of(lang)))
    if lang == "en":  # the sign before the euro: `-€1.5M`
        sign, digits = ("-", number[1:]) if number.startswith("-") else ("", number)
        return f"{sign}€{digits}{unit.upper()}"
    return f"{number}\u00a0{unit}€"


def money_ticks(
    top: Decimal, lang: str, count: int = 7, bottom: Decimal = Decimal(0)
) -> tuple[list[float], list[str]]:
    """Tick positions (floats, for plotly) and their texts from 0 (or from `bottom`, below
    zero: a cash position) to `top`, in exact steps through zero."""
    step = _nice_step(top - bottom, count)
    first = int((bottom / step).to_integral_value(rounding=ROUND_FLOOR)) if bottom < 0 else 0
    last = int((top / step).to_integral_value(rounding=ROUND_CEILING)) if top > 0 else 0
    last = max(last, first + 1)
    values = [step * i for i in range(first, last + 1)]
    # the unit (k, M) from the largest tick, whichever side of zero it is
    widest = max(abs(values[0]), abs(values[-1]))
    return [float(v) for v in values], [money_tick(v, step, widest, lang) for v in values]


def month_ticks(first: date, last: date, lang: str, count: int = 8) -> tuple[list[date], list[str]]:
    """The first days of the months from `first` to `last` (every second or third month when
    there are many) and their names in the language (`mars`, `mrt`, `Mar`): the year is
    written under the first tick and under January's only."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    every = max(1, -(-months // count))
    ticks: list[date] = []
    year, month = first.year, first.month
    if first.day != 1:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    while date(year, month, 1) <= last:
        ticks.append(date(year, month, 1))
        for _ in range(every):
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    loc = locale_of(lang)
    # the year on a line of its own: narrow labels that a phone's width does not tilt
    texts = [
        str(format_date(d, "LLL", locale=loc))
        + (f"<br>{d.year}" if i == 0 or d.month <= every else "")
        for i, d in enumerate(ticks)
    ]
    return ticks, texts


def _money_hover(
    dates: Sequence[date], amounts: Sequence[Decimal | None], lang: str, currency: str
) -> list[list[str]]:
    """customdata for a trace: each point's date and amount as the reader writes them."""
    return [
        [fmt_date(d, lang), fmt_money(a, lang, currency)]
        for d, a in zip(dates, amounts, strict=True)
    ]


def _colon(lang: str) -> str:
    """A colon as the language writes it (French puts a no-break space before it)."""
    return "\u00a0: " if lang == "fr" else ": "


def _hover(name: str, lang: str) -> str:
    """The tooltip of a trace: its name and the point's full amount (customdata, formatted by
    babel; plotly formats no number)."""
    return f"{name}{_colon(lang)}%{{customdata[1]}}<extra></extra>"


def _axes(
    fig: go.Figure,
    first: date,
    last: date,
    top: Decimal,
    lang: str,
    phone_ticks: int = 8,
    bottom: Decimal = Decimal(0),
) -> None:
    """Month names and money ticks in the reader's language; plotly writes no number."""
    x_vals, x_texts = month_ticks(first, last, lang, phone_ticks)
    y_vals, y_texts = money_ticks(top, lang, bottom=bottom)
    fig.update_xaxes(
        tickmode="array",
        tickvals=x_vals,
        ticktext=x_texts,
        # the unified tooltip's heading: the week's date, in digits (dd/mm/yyyy, or ISO in English)
        hoverformat="%Y-%m-%d" if lang == "en" else "%d/%m/%Y",
    )
    fig.update_yaxes(
        tickmode="array", tickvals=y_vals, ticktext=y_texts, range=[y_vals[0], y_vals[-1]]
    )
    fig.update_layout(separators=SEPARATORS.get(lang, ".,"))


#: the legend under the months' two lines of labels (the year under the month)
LEGEND = {"orientation": "h", "yanchor": "top", "y": -0.17}


def _today_line(fig: go.Figure, today: date, label: str) -> None:
    """A vertical line at the as-at date, labelled (a shape and an annotation: plotly's vline
    annotation does not take dates)."""
    fig.add_shape(
        type="line",
        x0=today,
        x1=today,
        xref="x",
        y0=0,
        y1=1,
        yref="paper",
        line={"color": COLORS["today"], "width": 2, "dash": "dot"},
        name="today",
    )
    fig.add_annotation(
        x=today,
        y=1,
        xref="x",
        yref="paper",
        text=label,
        showarrow=False,
        xanchor="right",  # to the left of the line: inside the chart at a phone's width
        yanchor="bottom",
        font={"color": COLORS["today"]},
    )


def burn_up(
    weekly: pl.DataFrame,
    budget: Decimal,
    schedule: Schedule | None,
    labels: dict[str, str],
    *,
    lang: str = "fr",
    currency: str = "EUR",
    today: date | None = None,
    runs_out_on: date | None = None,
) -> go.Figure:
    """Cumulative actual (solid, filled) and actual + committed (dashed) against the planned
    curve and the budget line (neutral grey), the schedule's phases named in the language, a
    "today" line and the projection from today to the run-out date; euros and months written
    as the reader writes them, tooltips with full amounts and dates."""
    past = weekly.filter(pl.col("actual").is_not_null())
    weeks: list[date] = weekly["week_start"].to_list()
    past_weeks: list[date] = past["week_start"].to_list()
    fig = go.Figure()
    actual = past["cumulative_actual"].to_list()
    fig.add_scatter(
        x=past_weeks,
        y=[_f(v) for v in actual],
        name=labels["actual"],
        mode="lines",
        line={"color": COLORS["actual"], "width": 3},
        fill="tozeroy",
        fillcolor=COLORS["actual_fill"],
        customdata=_money_hover(past_weeks, actual, lang, currency),
        hovertemplate=_hover(labels["actual"], lang),
    )
    both = f"{labels['actual']} + {labels['committed']}"
    committed = past["cumulative_committed"].to_list()
    fig.add_scatter(
        x=past_weeks,
        y=[_f(v) for v in committed],
        name=both,
        mode="lines",
        line={"color": COLORS["committed"], "width": 2, "dash": "dash"},
        customdata=_money_hover(past_weeks, committed, lang, currency),
        hovertemplate=_hover(both, lang),
    )
    tops = [budget, *(v for v in committed if v is not None)]
    if "planned_cumulative" in weekly.columns:
        planned = weekly["planned_cumulative"].to_list()
        fig.add_scatter(
            x=weeks,
            y=[_f(v) for v in planned],
            name=labels["planned"],
            mode="lines",
            line={"color": COLORS["planned"], "dash": "dot"},
            customdata=_money_hover(weeks, planned, lang, currency),
            hovertemplate=_hover(labels["planned"], lang),
        )
        tops += [v for v in planned if v is not None]
    last = max([*weeks, *(d for d in (runs_out_on, today) if d is not None)], default=None)
    ends = [weeks[0], last] if weeks and last else []
    fig.add_scatter(
        x=ends,
        y=[float(budget)] * len(ends),
        name=labels["budget"],
        mode="lines",
        line={"color": COLORS["budget"], "width": 2},
        customdata=_money_hover(ends, [budget] * len(ends), lang, currency),
        hovertemplate=_hover(labels["budget"], lang),
    )
    if today is not None and runs_out_on is not None and committed:
        # what is left (the budget less actual and committed) runs out at the trailing burn
        # rate on the run-out date (finance.reports.burn.burn_summary)
        points, amounts = [today, runs_out_on], [committed[-1], budget]
        fig.add_scatter(
            x=points,
            y=[_f(v) for v in amounts],
            name=labels["projection"],
            mode="lines",
            line={"color": COLORS["actual"], "width": 2, "dash": "dash"},
            customdata=_money_hover(points, amounts, lang, currency),
            hovertemplate=f"{labels['projection']} · %{{customdata[0]}}{_colon(lang)}"
            "%{customdata[1]}<extra></extra>",
        )
    if schedule is not None:
        bounds = (schedule.prep_start, schedule.shoot_start, schedule.shoot_end, schedule.post_end)
        phases = zip(PHASES, bounds[:-1], bounds[1:], strict=True)
        for i, ((phase, colour), start, end) in enumerate(phases):
            fig.add_vrect(
                x0=start,
                x1=end,
                fillcolor=colour,
                opacity=0.5,
                line_width=0,
                layer="below",
                annotation_text=labels[phase],
                annotation_position="top left",
                # one step lower each: a short phase's name does not cover the next one's
                annotation_yshift=-16 * i,
            )
    if today is not None:
        _today_line(fig, today, labels["today"])
    if weeks and last is not None:
        top = max(v for v in tops if v is not None) * Decimal("1.05")
        _axes(fig, weeks[0], last, top, lang)
    fig.update_layout(margin={"t": 30, "b": 10}, legend=LEGEND, hovermode="x unified")
    return fig


def weekly_burn(
    weekly: pl.DataFrame, labels: dict[str, str], *, lang: str = "fr", currency: str = "EUR"
) -> go.Figure:
    """Actual spend per week with its trailing four-week average, euros and months written as
    the reader writes them, tooltips with full amounts and dates."""
    past = weekly.filter(pl.col("actual").is_not_null()).with_columns(pl.col("actual").fill_null(0))
    # the trailing mean of four weeks (fewer at the start), exact, over the whole column
    trailing = (
        past.select(
            (pl.col("actual") * 100).cast(pl.Int64).rolling_sum(4, min_samples=1)
            / pl.int_range(1, pl.len() + 1).clip(upper_bound=4)
            / 100
        )
        .to_series()
        .round(2)
        .cast(pl.Decimal(18, 2))
    )
    weeks: list[date] = past["week_start"].to_list()
    values = past["actual"].to_list()
    fig = go.Figure()
    fig.add_bar(
        x=weeks,
        y=[_f(v) or 0.0 for v in values],
        name=labels["actual"],
        marker_color=COLORS["actual"],
        customdata=_money_hover(weeks, values, lang, currency),
        hovertemplate=_hover(labels["actual"], lang),
    )
    fig.add_scatter(
        x=weeks,
        y=[_f(v) for v in trailing],
        name=labels["trailing"],
        mode="lines",
        line={"color": COLORS["trailing"], "width": 2},
        customdata=_money_hover(weeks, trailing.to_list(), lang, currency),
        hovertemplate=_hover(labels["trailing"], lang),
    )
    if weeks:
        top = max([Decimal(0), *(v for v in values if v is not None)]) * Decimal("1.05")
        _axes(fig, weeks[0], weeks[-1], top, lang)
    fig.update_layout(margin={"t": 30, "b": 10}, legend=LEGEND, hovermode="x unified")
    return fig


def cash_position(
    weeks: pl.DataFrame,
    low: dict[str, Any],
    labels: dict[str, str],
    *,
    lang: str = "fr",
    currency: str = "EUR",
) -> go.Figure:
    """The cash-flow plan week by week (finance.financing.cashflow.cash_plan's rows of one
    production): money in above zero and money out below it as bars, the cash position and the
    position on secured money only as lines, a zero line, and the lowest point marked with its
    week and amount (`labels["low"]`, written by the page); euros and months as the reader
    writes them, tooltips with full amounts."""
    days: list[date] = weeks["week_start"].to_list()
    inflow, outflow = weeks["inflow"].to_list(), weeks["outflow"].to_list()
    position, secured = weeks["position"].to_list(), weeks["position_secured"].to_list()
    fig = go.Figure()
    fig.add_bar(
        x=days,
        y=[_f(v) for v in inflow],
        name=labels["inflow"],
        marker_color=COLORS["pass"],
        opacity=0.45,
        customdata=_money_hover(days, inflow, lang, currency),
        hovertemplate=_hover(labels["inflow"], lang),
    )
    fig.add_bar(
        x=days,
        y=[-(_f(v) or 0.0) for v in outflow],
        name=labels["outflow"],
        marker_color=COLORS["trailing"],
        opacity=0.45,
        customdata=_money_hover(days, outflow, lang, currency),
        hovertemplate=_hover(labels["outflow"], lang),
    )
    fig.add_scatter(
        x=days,
        y=[_f(v) for v in secured],
        name=labels["position_secured"],
        mode="lines",
        line={"color": COLORS["planned"], "width": 2, "dash": "dash", "shape": "hv"},
        customdata=_money_hover(days, secured, lang, currency),
        hovertemplate=_hover(labels["position_secured"], lang),
    )
    fig.add_scatter(
        x=days,
        y=[_f(v) for v in position],
        name=labels["position"],
        mode="lines",
        line={"color": COLORS["actual"], "width": 3, "shape": "hv"},
        customdata=_money_hover(days, position, lang, currency),
        hovertemplate=_hover(labels["position"], lang),
    )
    fig.add_hline(y=0, line={"color": COLORS["budget"], "width": 1})
    if low.get("low_week") is not None and low.get("low") is not None:
        fig.add_scatter(
            x=[low["low_week"]],
            y=[_f(low["low"])],
            mode="markers",
            marker={"color": COLORS["fail"], "size": 12, "symbol": "diamond"},
            name=labels["low"],
            showlegend=False,
            customdata=_money_hover([low["low_week"]], [low["low"]], lang, currency),
            hovertemplate=f"{labels['low']}<extra></extra>",
        )
        fig.add_annotation(
            x=low["low_week"],
            y=_f(low["low"]),
            text=labels["low"],
            showarrow=True,
            arrowhead=2,
            ax=0,
            ay=-40,
            font={"color": COLORS["fail"]},
            bgcolor="rgba(255, 255, 255, 0.8)",
        )
    if days:
        values = [v for v in (*position, *secured, *inflow) if v is not None]
        top = max([Decimal(0), *values]) * Decimal("1.1")
        lows = [v for v in (*position, *secured) if v is not None]
        lows += [-v for v in outflow if v is not None]
        bottom = min([Decimal(0), *lows]) * Decimal("1.1")
        _axes(fig, days[0], days[-1], top, lang, bottom=bottom)
    fig.update_layout(
        margin={"t": 30, "b": 10}, legend=LEGEND, hovermode="x unified", barmode="relative"
    )
    return fig


def obligation(
    result: dict[str, Any], labels: dict[str, str], lang: str = "fr", currency: str = "EUR"
) -> go.Figure:
    """A bullet chart: measured and projected against the threshold; amounts on the axis and
    in the tooltips as the reader writes them."""
    amounts = {k: Decimal(str(result.get(k) or 0)) for k in ("measured", "projected", "threshold")}
    color = COLORS.get(result.get("status", ""), COLORS["planned"])
    fig = go.Figure()
    for key, colour in (("projected", COLORS["committed"]), ("measured", color)):
        fig.add_bar(
            y=[labels[key]],
            x=[float(amounts[key])],
            orientation="h",
            marker_color=colour,
            name=labels[key],
            customdata=[["", fmt_money(amounts[key], lang, currency)]],
            hovertemplate=_hover(labels[key], lang),
        )
    fig.add_vline(
        x=float(amounts["threshold"]),
        line_width=3,
        line_color="#000000",
        annotation_text=f"{labels['threshold']}{_colon(lang)}"
        f"{fmt_money(amounts['threshold'], lang, currency)}",
    )
    values, texts = money_ticks(max(amounts.values()), lang, count=5)
    fig.update_layout(
        height=170,
        margin={"t": 25, "b": 10, "l": 10, "r": 10},
        showlegend=False,
        separators=SEPARATORS.get(lang, SEPARATORS["fr"]),
        xaxis={"tickvals": values, "ticktext": texts},
    )
    return fig


def today() -> date:
    return date.today()
