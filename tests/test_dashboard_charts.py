"""Chart builders are pure: the numbers they plot are the report's numbers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboards.ui import charts
from finance.domain.fmt import fmt_date, fmt_money
from finance.reports.cost_report import CostReport, cost_report
from finance.store.db import connect
from finance.store.productions import get_manifest
from tests.conftest import DEMO_AT

LABELS = {
    k: k
    for k in (
        "actual",
        "committed",
        "planned",
        "budget",
        "trailing",
        "measured",
        "projected",
        "threshold",
        "projection",
        "today",
        "prep",
        "shoot",
        "post",
    )
}


def test_burn_up_plots_the_report(demo_db: Path) -> None:
    report = cost_report(demo_db, "dernier-tram", DEMO_AT)
    with connect(demo_db, read_only=True) as con:
        schedule = get_manifest(con, "dernier-tram").schedule
    fig = charts.burn_up(report.weekly, report.totals["budget"], schedule, LABELS)
    actual, committed, planned, budget = fig.data  # no "today", no projection
    assert Decimal(str(actual.y[-1])) == report.totals["actual"]
    assert Decimal(str(committed.y[-1])) == report.totals["actual"] + report.totals["committed"]
    assert Decimal(str(planned.y[-1])) == report.weekly["planned_cumulative"][-1]
    assert Decimal(str(budget.y[0])) == report.totals["budget"]
    assert len(fig.layout.shapes) == 3, "prep, shoot and post are marked"


def _burn_up(demo_db: Path, lang: str) -> tuple[go.Figure, CostReport]:
    report = cost_report(demo_db, "dernier-tram", DEMO_AT)
    with connect(demo_db, read_only=True) as con:
        schedule = get_manifest(con, "dernier-tram").schedule
    labels = LABELS | {"prep": "Préparation", "today": "Aujourd'hui"}
    fig = charts.burn_up(
        report.weekly,
        report.totals["budget"],
        schedule,
        labels,
        lang=lang,
        today=DEMO_AT,
        runs_out_on=report.burn.budget_runs_out_on,
    )
    return fig, report


@pytest.mark.parametrize(
    ("lang", "months", "millions"),
    [
        ("fr", {"janv.<br>2026", "mai", "sept."}, "1,5\u00a0M€"),
        ("nl", {"jan<br>2026", "mei", "sep"}, "1,5\u00a0M€"),
        ("en", {"Jan<br>2026", "May", "Sept"}, "€1.5M"),
    ],
)
def test_burn_up_writes_euros_and_months_as_the_reader_does(
    demo_db: Path, lang: str, months: set[str], millions: str
) -> None:
    fig, _ = _burn_up(demo_db, lang)
    y_texts, x_texts = list(fig.layout.yaxis.ticktext), list(fig.layout.xaxis.ticktext)
    assert millions in y_texts, y_texts
    if lang != "en":
        # euros in millions (or thousands) with a decimal comma, never plotly's `1.5M`
        assert all(("M€" in y or "k€" in y or y == "0\u00a0€") for y in y_texts), y_texts
        assert not any("." in y for y in y_texts), y_texts
    assert months <= set(x_texts), x_texts
    assert fig.layout.xaxis.tickmode == fig.layout.yaxis.tickmode == "array"
    assert len(fig.layout.xaxis.tickvals) == len(x_texts)


def test_burn_up_marks_today_projects_to_the_run_out_date_in_neutral_budget(
    demo_db: Path,
) -> None:
    fig, report = _burn_up(demo_db, "fr")
    traces = {trace.name: trace for trace in fig.data}
    # a "today" line at the as-at date, labelled
    (today,) = [s for s in fig.layout.shapes if s.type == "line"]
    assert today.x0 == today.x1 == DEMO_AT and today.yref == "paper"
    assert "Aujourd'hui" in [a.text for a in fig.layout.annotations]
    # the phases named in the reader's language
    assert "Préparation" in [a.text for a in fig.layout.annotations]
    # the projection: dashed, from actual + committed today to the budget on the run-out date
    projection = traces["projection"]
    assert projection.line.dash == "dash"
    assert list(projection.x) == [DEMO_AT, report.burn.budget_runs_out_on]
    spent = report.totals["actual"] + report.totals["committed"]
    assert [Decimal(str(y)) for y in projection.y] == [spent, report.totals["budget"]]
    # the budget is a reference, not a danger: not red
    colour = traces["budget"].line.color.lstrip("#")
    red, green, blue = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    assert not (red > 150 and green < 100 and blue < 100), colour
    assert colour.lower() != charts.COLORS["fail"].lstrip("#").lower()
    # actual and actual + committed are told apart: solid and filled, dashed
    actual, committed = traces["actual"], traces["actual + committed"]
    assert actual.fill == "tozeroy" and actual.line.dash is None
    assert committed.line.dash == "dash" and committed.fill is None


def test_burn_tooltips_give_full_amounts_and_dates_in_the_reader_s_format(demo_db: Path) -> None:
    fig, report = _burn_up(demo_db, "fr")
    actual = fig.data[0]
    assert "%{customdata[1]}" in actual.hovertemplate and "%{y" not in actual.hovertemplate
    assert actual.hovertemplate.startswith("actual\u00a0: ")  # the French colon
    day, amount = actual.customdata[-1]
    assert amount == fmt_money(report.totals["actual"], "fr", "EUR")  # 2 608 586,76 €
    assert day == fmt_date(report.weekly.filter(pl.col("actual").is_not_null())["week_start"][-1])
    assert fig.layout.xaxis.hoverformat == "%d/%m/%Y"
    weekly = charts.weekly_burn(report.weekly, LABELS, lang="nl")
    for trace in weekly.data:
        assert "%{customdata[1]}" in trace.hovertemplate
    assert weekly.data[0].hovertemplate.startswith("actual: ")  # no space before it in Dutch
    assert all("k€" in y or y == "0\u00a0€" for y in weekly.layout.yaxis.ticktext)
    assert {"feb<br>2026", "mei"} <= set(weekly.layout.xaxis.ticktext)
    assert weekly.data[1].line.color != charts.COLORS["fail"]


def test_money_ticks_are_round_and_exact() -> None:
    values, texts = charts.money_ticks(Decimal("1234567.89"), "fr")
    assert values[0] == 0.0 and values[-1] >= 1234567.89
    assert texts[:3] == ["0\u00a0€", "0,2\u00a0M€", "0,4\u00a0M€"]
    assert charts.money_ticks(Decimal("80000"), "en")[1][-1] == "€80K"
    assert charts.money_ticks(Decimal("950"), "nl")[1][-1] == "1,0\u00a0k€"


def test_weekly_burn_bars_add_up_to_actual(demo_db: Path) -> None:
    report = cost_report(demo_db, "dernier-tram", DEMO_AT)
    bars, trailing = charts.weekly_burn(report.weekly, LABELS).data
    assert round(Decimal(str(sum(bars.y))), 2) == report.totals["actual"]
    last_four = bars.y[-4:]
    assert abs(trailing.y[-1] - sum(last_four) / 4) < 0.01  # the mean, to the cent
    assert abs(trailing.y[1] - sum(bars.y[:2]) / 2) < 0.01  # fewer weeks at the start


def test_obligation_chart_shows_measured_projected_and_threshold() -> None:
    result = {
        "status": "warn",
        "measured": "551753.17",
        "projected": "819740.61",
        "threshold": "600000.00",
    }
    fig = charts.obligation(result, LABELS)
    projected, measured = fig.data
    assert (measured.x[0], projected.x[0]) == (551753.17, 819740.61)
    assert fig.layout.shapes[0].x0 == 600000.0
