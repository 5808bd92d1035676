"""Chart builders are pure: the numbers they plot are the report's numbers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl

from dashboards.ui import charts
from finance.reports.cost_report import cost_report
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
    )
}


def test_burn_up_plots_the_report(demo_db: Path) -> None:
    report = cost_report(demo_db, "dernier-tram", DEMO_AT)
    with connect(demo_db, read_only=True) as con:
        schedule = get_manifest(con, "dernier-tram").schedule
    fig = charts.burn_up(report.weekly, report.totals["budget"], schedule, LABELS)
    actual, committed, planned, budget = fig.data
    assert Decimal(str(actual.y[-1])) == report.totals["actual"]
    assert Decimal(str(committed.y[-1])) == report.totals["actual"] + report.totals["committed"]
    assert Decimal(str(planned.y[-1])) == report.weekly["planned_cumulative"][-1]
    assert Decimal(str(budget.y[0])) == report.totals["budget"]
    assert len(fig.layout.shapes) == 3, "prep, shoot and post are marked"


def test_weekly_burn_bars_add_up_to_actual(demo_db: Path) -> None:
    report = cost_report(demo_db, "dernier-tram", DEMO_AT)
    bars, trailing = charts.weekly_burn(report.weekly, LABELS).data
    assert round(Decimal(str(sum(bars.y))), 2) == report.totals["actual"]
    last_four = bars.y[-4:]
    assert abs(trailing.y[-1] - sum(last_four) / 4) < 1e-6


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


def test_territory_bars_follow_the_frame() -> None:
    frame = pl.DataFrame(
        {
            "territory": ["BE-WAL", "BE-BRU"],
            "actual": [Decimal("10.50"), Decimal("2")],
            "planned": [Decimal("20"), Decimal("3")],
        }
    )
    actual, planned = charts.territory_bars(frame, LABELS).data
    assert (
        list(actual.x) == ["BE-WAL", "BE-BRU"]
        and list(actual.y) == [10.5, 2.0]
        and list(planned.y) == [20.0, 3.0]
    )
