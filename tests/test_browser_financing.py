"""The Overview's cash chart in a real browser (issue 19): under the burn chart, its money ticks
below zero written as the French reader writes them, its low point marked with its week and
amount, its months apart at a phone's width; screenshots under tests/artifacts/."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from tests.browser import ARTIFACTS, BROWSER, no_errors, settle, watched_page

pytestmark = BROWSER
TEXTS = "(nodes) => nodes.map((n) => n.textContent)"


def _cash_chart(page: Any) -> Any:
    """The Overview's second chart (the burn chart, then the cash chart), scrolled to."""
    charts = page.locator('[data-testid="stPlotlyChart"]')
    charts.nth(1).wait_for(timeout=60_000)
    chart = charts.nth(1)
    chart.scroll_into_view_if_needed()
    chart.locator(".ytick text").first.wait_for(timeout=60_000)
    return chart


def test_the_cash_chart_reads_in_french(server: str, browser: object) -> None:
    page, console = watched_page(browser)
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(server)
    settle(page)
    chart = _cash_chart(page)
    ticks = chart.locator(".ytick text").evaluate_all(TEXTS)
    assert any(t.startswith("-") and "M€" in t and "," in t for t in ticks), ticks
    notes = chart.locator(".annotation-text").evaluate_all(TEXTS)
    assert any("Point bas, semaine du 22/03/2027" in n for n in notes), notes
    legend = chart.locator(".legendtext").evaluate_all(TEXTS)
    assert {"Trésorerie", "Financement acquis seul", "Encaissements", "Décaissements"} <= set(
        legend
    ), legend
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chart.screenshot(path=str(ARTIFACTS / "overview-cash.png"))
    no_errors(page, console, "overview cash chart")
    page.close()


def test_the_cash_chart_s_months_do_not_overlap_at_phone_width(
    server: str, browser: object
) -> None:
    page, console = watched_page(browser)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server)
    settle(page)
    chart = _cash_chart(page)
    boxes = chart.locator(".xtick text").evaluate_all(
        "(nodes) => nodes.map((n) => { const r = n.getBoundingClientRect();"
        " return [r.left, r.right]; })"
    )
    shown = sorted(b for b in boxes if b[1] > b[0])
    assert len(shown) >= 4, boxes
    assert all(a[1] <= b[0] for a, b in pairwise(shown)), shown
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    chart.screenshot(path=str(ARTIFACTS / "overview-cash-phone.png"))
    no_errors(page, console, "cash chart at 390 px")
    page.close()
