"""One language at a time, in a real browser: every page in French, Dutch and English shows no
known string of another language (the message catalogue's texts), no `None`, no `00:00:00`, no
English number format in French or Dutch, and no console error; screenshots of every page in
French at desktop and phone widths are saved under tests/artifacts/ (issue 18's acceptance)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from finance.checks import run_check
from finance.domain import i18n
from finance.domain.i18n import LANGS
from tests.browser import (
    ARTIFACTS,
    BROWSER,
    PAGES,
    go_to,
    no_errors,
    serve,
    settle,
    watched_page,
)
from tests.languages import leaks

pytestmark = BROWSER


def test_the_probes_find_a_leak_and_leave_a_clean_page() -> None:
    """The check itself: an English label on a French page is found; the French page is not."""
    french = i18n.text("funders", "fr") + "\n" + i18n.text("cost_report", "fr")
    assert not leaks(french, "fr")
    english_label = i18n.text("cost_report", "en")
    assert leaks(f"{french}\n{english_label}", "fr")
    assert leaks("Total 1,234,567.89 €", "fr")
    assert leaks("Date : None", "nl")


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo with a stored check (the Overview's funders strip shows every scheme's card)."""
    db = tmp_path_factory.mktemp("languages") / "demo.duckdb"
    shutil.copy(demo_db, db)
    run_check(db, "dernier-tram", date(2026, 11, 22))
    yield from serve(db, {})


def _page_text(page: Any) -> str:
    """What the reader sees: the page's text, the sidebar's and the charts' (SVG) included."""
    return str(page.evaluate("() => document.body.innerText"))


@pytest.mark.parametrize("lang", list(LANGS))
def test_every_page_speaks_one_language(server: str, browser: Any, lang: str) -> None:
    page, console = watched_page(browser)
    page.goto(f"{server}/?lang={lang}")
    settle(page)
    found: list[str] = []
    for name, _ in PAGES:
        go_to(page, i18n.text(name.replace("-", "_"), lang))
        no_errors(page, console, f"{name} ({lang})")
        found += [f"{name} {leak}" for leak in leaks(_page_text(page), lang)]
        page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}.png"), full_page=True)
    page.close()
    assert not found, "\n".join(found)


def _sidebar(page: Any, button: str) -> None:
    """Open or fold the sidebar with its button (shown where the sidebar is in that state)."""
    locator = page.locator(f'[data-testid="{button}"]')
    if locator.count():
        locator.first.click(force=True)
        page.wait_for_timeout(400)


@pytest.mark.parametrize(
    ("width", "height", "suffix"), [(1400, 1000, "desktop"), (390, 844, "phone")]
)
def test_screenshots_of_every_page_in_french(
    server: str, browser: Any, width: int, height: int, suffix: str
) -> None:
    """The artefacts the README's pictures are taken from; at phone width nothing scrolls
    sideways on the Overview."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page, console = watched_page(browser)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(server)
    settle(page)
    for name, title in PAGES:
        if suffix == "phone":  # the sidebar is folded away on a phone: open it to navigate
            _sidebar(page, "stExpandSidebarButton")
        go_to(page, title)
        if suffix == "phone":  # and fold it again to see the page
            _sidebar(page, "stSidebarCollapseButton")
        no_errors(page, console, f"{name} at {width} px")
        # on a desktop, the first screen (what the README shows); on a phone, the whole page
        shot = ARTIFACTS / f"{name}-fr-{suffix}.png"
        page.screenshot(path=str(shot), full_page=suffix == "phone")
        if name == "overview" and suffix == "phone":
            assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.close()
