"""The cost report, the burn chart and the portfolio in a real browser (issue 18, points 1, 3
and 7): a click on a line of the report opens its expenses below, the burn chart's axes read in
French, a click on a portfolio header sorts the figures as numbers. Fixtures and helpers from
tests/browser.py (the served demo, Debian's chromium)."""

from __future__ import annotations

from itertools import pairwise

from tests.browser import (
    ARTIFACTS,
    BROWSER,
    go_to,
    no_errors,
    settle,
    watched_page,
)

pytestmark = BROWSER


#: the height of a row of st.dataframe's grid, and the width of its row-selection column
ROW, MARKER = 35, 18


def test_a_click_on_a_line_of_the_cost_report_opens_its_expenses(
    server: str, browser: object
) -> None:
    page, console = watched_page(browser)
    page.goto(server)
    settle(page)
    go_to(page, "Rapport des coûts")
    grid = page.locator(".st-key-cost_table")
    grid.wait_for(timeout=60_000)
    box = grid.bounding_box()
    assert box is not None
    # the second row of the table (under chapter 1's sub-total): line 1.01
    page.mouse.click(box["x"] + MARKER / 2 + 2, box["y"] + ROW + ROW + ROW / 2)
    heading = page.get_by_role("heading", name="Dépenses · 1.01", exact=False)
    heading.first.wait_for(timeout=60_000)
    settle(page)
    assert page.locator('[data-testid="stDataFrame"]').count() == 2  # the drill-down's table
    summary = page.get_by_text("Dépenses réelles :", exact=False).first.inner_text()
    assert "37\u202f925,75" in summary or "37 925,75" in summary, summary
    no_errors(page, console, "cost report drill-down")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "cost-report-drill.png"), full_page=True)
    page.close()


def test_the_burn_chart_reads_in_french(server: str, browser: object) -> None:
    page, console = watched_page(browser)
    page.goto(server)
    settle(page)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.wait_for(timeout=60_000)
    page.locator(".ytick text").first.wait_for(timeout=60_000)
    texts = "(nodes) => nodes.map((n) => n.textContent)"
    ticks = page.locator(".ytick text").evaluate_all(texts)
    assert any("M€" in x for x in ticks) and any("," in x for x in ticks), ticks
    months = page.locator(".xtick text").evaluate_all(texts)
    assert {"janv.", "mai", "sept."} & {m[:5].rstrip("0123456789") for m in months}, months
    notes = page.locator(".annotation-text").evaluate_all(texts)
    assert "Aujourd'hui (22/11/2026)" in notes and "Tournage" in notes, notes
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=str(ARTIFACTS / "overview-burn.png"))
    no_errors(page, console, "overview burn chart")
    page.close()


def test_the_burn_chart_s_months_do_not_overlap_at_phone_width(
    server: str, browser: object
) -> None:
    page, console = watched_page(browser)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server)
    settle(page)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.wait_for(timeout=60_000)
    chart.scroll_into_view_if_needed()
    page.locator(".xtick text").first.wait_for(timeout=60_000)
    boxes = chart.locator(".xtick text").evaluate_all(
        "(nodes) => nodes.map((n) => { const r = n.getBoundingClientRect();"
        " return [r.left, r.right]; })"
    )
    shown = sorted(b for b in boxes if b[1] > b[0])
    assert len(shown) >= 4, boxes
    assert all(a[1] <= b[0] for a, b in pairwise(shown)), shown
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    no_errors(page, console, "burn chart at 390 px")
    chart.screenshot(path=str(ARTIFACTS / "overview-burn-phone.png"))
    page.close()
