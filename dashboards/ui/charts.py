"""Pure figure builders: frames and figures in, Plotly figures out (tested on their data).

Money is exact everywhere else; it becomes float only here, for plotting.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import polars as pl

from finance.domain.models import Schedule

COLORS = {
    "actual": "#1f4e79",
    "committed": "#7fa7d1",
    "planned": "#999999",
    "budget": "#c0392b",
    "pass": "#2e7d32",
    "warn": "#ef6c00",
    "fail": "#c62828",
}


def _f(value: Any) -> float | None:
    return None if value is None else float(value)


def burn_up(
    weekly: pl.DataFrame, budget: Decimal, schedule: Schedule | None, labels: dict[str, str]
) -> go.Figure:
    """Cumulative actual and actual+committed against the planned curve and the budget line."""
    past = weekly.filter(pl.col("actual").is_not_null())
    weeks = weekly["week_start"].to_list()
    fig = go.Figure()
    fig.add_scatter(
        x=past["week_start"].to_list(),
        y=[_f(v) for v in past["cumulative_actual"]],
        name=labels["actual"],
        mode="lines",
        line={"color": COLORS["actual"], "width": 3},
    )
    fig.add_scatter(
        x=past["week_start"].to_list(),
        y=[_f(v) for v in past["cumulative_committed"]],
        name=f"{labels['actual']} + {labels['committed']}",
        mode="lines",
        line={"color": COLORS["committed"], "dash": "dot"},
    )
    if "planned_cumulative" in weekly.columns:
        fig.add_scatter(
            x=weeks,
            y=[_f(v) for v in weekly["planned_cumulative"]],
            name=labels["planned"],
            mode="lines",
            line={"color": COLORS["planned"], "dash": "dash"},
        )
    fig.add_scatter(
        x=[weeks[0], weeks[-1]] if weeks else [],
        y=[float(budget)] * (2 if weeks else 0),
        name=labels["budget"],
        mode="lines",
        line={"color": COLORS["budget"]},
    )
    if schedule is not None:
        for start, end, name in (
            (schedule.prep_start, schedule.shoot_start, "prep"),
            (schedule.shoot_start, schedule.shoot_end, "shoot"),
            (schedule.shoot_end, schedule.post_end, "post"),
        ):
            fig.add_vrect(
                x0=start,
                x1=end,
                fillcolor="#eeeeee" if name != "shoot" else "#fde9d9",
                opacity=0.5,
                line_width=0,
                annotation_text=name,
                annotation_position="top left",
            )
    fig.update_layout(margin={"t": 30, "b": 10}, legend={"orientation": "h"}, hovermode="x unified")
    return fig


def weekly_burn(weekly: pl.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Actual spend per week with its trailing four-week average."""
    past = weekly.filter(pl.col("actual").is_not_null())
    values = [_f(v) or 0.0 for v in past["actual"]]
    trailing = [
        sum(values[max(0, i - 3) : i + 1]) / len(values[max(0, i - 3) : i + 1])
        for i in range(len(values))
    ]
    fig = go.Figure()
    fig.add_bar(
        x=past["week_start"].to_list(),
        y=values,
        name=labels["actual"],
        marker_color=COLORS["actual"],
    )
    fig.add_scatter(
        x=past["week_start"].to_list(),
        y=trailing,
        name=labels["trailing"],
        mode="lines",
        line={"color": COLORS["budget"]},
    )
    fig.update_layout(margin={"t": 30, "b": 10}, legend={"orientation": "h"})
    return fig


def obligation(result: dict[str, Any], labels: dict[str, str]) -> go.Figure:
    """A bullet chart: measured and projected against the threshold."""
    measured, projected = _f(result.get("measured")) or 0.0, _f(result.get("projected")) or 0.0
    threshold = _f(result.get("threshold")) or 0.0
    color = COLORS.get(result.get("status", ""), COLORS["planned"])
    fig = go.Figure()
    fig.add_bar(
        y=[labels["projected"]],
        x=[projected],
        orientation="h",
        marker_color=COLORS["committed"],
        name=labels["projected"],
    )
    fig.add_bar(
        y=[labels["measured"]],
        x=[measured],
        orientation="h",
        marker_color=color,
        name=labels["measured"],
    )
    fig.add_vline(
        x=threshold, line_width=3, line_color="#000000", annotation_text=labels["threshold"]
    )
    fig.update_layout(height=170, margin={"t": 25, "b": 10, "l": 10, "r": 10}, showlegend=False)
    return fig


def territory_bars(spend: pl.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Actual and planned spend per territory (frame: territory, actual, planned)."""
    fig = go.Figure()
    fig.add_bar(
        x=spend["territory"].to_list(),
        y=[_f(v) or 0.0 for v in spend["actual"]],
        name=labels["actual"],
        marker_color=COLORS["actual"],
    )
    fig.add_bar(
        x=spend["territory"].to_list(),
        y=[_f(v) or 0.0 for v in spend["planned"]],
        name=labels["planned"],
        marker_color=COLORS["planned"],
    )
    fig.update_layout(barmode="group", margin={"t": 30, "b": 10}, legend={"orientation": "h"})
    return fig


def today() -> date:
    return date.today()
