"""One language at a time, in a real browser: every page in French, Dutch and English shows no
known string of another language (the message catalogue's texts), no `None`, no `00:00:00`, no
English number format in French or Dutch, and no console error; screenshots of every page in
French at desktop and phone widths are saved under tests/artifacts/ (issue 18's acceptance)."""

from __future__ import annotations

import re
import shutil
import string
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from finance.domain import i18n
from finance.domain.i18n import LANGS
from rules.loader import load_packs
from tests.test_browser import (
    ARTIFACTS,
    CHROMIUM,
    FLAGS,
    PAGES,
    go_to,
    no_errors,
    serve,
    settle,
    watched_page,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]
#: a probe shorter than this, or a single word, is matched only as a whole line of the page
#: (a word such as "Budget" or "Total" is the same in several languages)
LONG = 14
#: texts every page shows whatever its language: the languages' own names in the switch
EVERYWHERE = set(LANGS.values())
#: what must never show, whatever the language
NEVER = re.compile(r"\bNone\b|\bnan\b|\bNaN\b|\bNaT\b|00:00:00|\bnull\b")
#: an English thousands separator or decimal point in a French or Dutch amount
ENGLISH_NUMBER = re.compile(r"\d,\d{3}(?!\d)|\b\d{1,3}(?:,\d{3})+\.\d{2}\b")


def _fragments(template: str) -> list[str]:
    """The literal pieces of a message between its placeholders, trimmed of punctuation."""
    pieces = [literal for literal, _, _, _ in string.Formatter().parse(template)]
    return [p.strip(" :·,.;()—–-/\n[]") for p in pieces if p and p.strip(" :·,.;()—–-/\n[]")]


@cache
def _texts() -> dict[str, list[str]]:
    """Every catalogue text by language (the packs' included), as literal fragments."""
    load_packs()
    out: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for texts in i18n.catalogue().values():
        for lang, template in texts.items():
            out[lang] += _fragments(template)
    return out


@cache
def probes(lang: str) -> tuple[frozenset[str], frozenset[str]]:
    """The strings that betray another language on a `lang` page: (long ones, searched inside
    the text; short ones, matched as a whole line). A string this language also uses (a name,
    a word common to both) is no evidence and is left out."""
    own = _texts()[lang]
    own_set = set(own)
    long: set[str] = set()
    short: set[str] = set()
    for other in LANGS:
        if other == lang:
            continue
        for fragment in _texts()[other]:
            if (
                fragment in own_set
                or fragment in EVERYWHERE
                or not re.search(r"[a-zA-Z]", fragment)
            ):
                continue
            if len(fragment) >= LONG and " " in fragment:
                if not any(fragment in mine for mine in own):
                    long.add(fragment)
            elif len(fragment) >= 4:
                short.add(fragment)
    return frozenset(long), frozenset(short)


def leaks(text: str, lang: str) -> list[str]:
    """The other languages' strings found in a page's text, and the formats that must not show."""
    long, short = probes(lang)
    lines = {line.strip() for line in text.splitlines()}
    found = [f"{lang}: {p!r}" for p in sorted(long) if p in text]
    found += [f"{lang}: line {p!r}" for p in sorted(short & lines)]
    found += [f"{lang}: {m.group(0)!r}" for m in NEVER.finditer(text)]
    if lang != "en":
        found += [f"{lang}: English number {m.group(0)!r}" for m in ENGLISH_NUMBER.finditer(text)]
    return found


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
    db = tmp_path_factory.mktemp("languages") / "demo.duckdb"
    shutil.copy(demo_db, db)
    yield from serve(db, {})


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        chromium.close()


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
        page.screenshot(path=str(ARTIFACTS / f"{name}-fr-{suffix}.png"), full_page=True)
        if name == "overview" and suffix == "phone":
            assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.close()
