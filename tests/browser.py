"""The browser tests' shared scaffolding (Debian's chromium driven by Playwright, on the served
dashboard): the marks, the demo served on a free port, a browser per module, and the helpers that
wait for Streamlit, open a page from the sidebar and collect console errors. Registered as a
plugin in tests/conftest.py, so the `server` and `browser` fixtures are every module's."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from finance.access.serve import command

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
#: (url path, title in the sidebar) of every page, French being the default language
PAGES = [
    ("overview", "Vue d'ensemble"),
    ("financing", "Financement"),
    ("cost-report", "Rapport des coûts"),
    ("funders", "Financeurs"),
    ("expenses", "Dépenses"),
    ("territories", "Territoires"),
    ("imports", "Imports"),
    ("portfolio", "Portefeuille"),
    ("audit", "Journal"),
]
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: the marks of every browser test module: `pytestmark = BROWSER`
BROWSER = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(db: Path, extra_env: dict[str, str]) -> Iterator[str]:
    """Serve the dashboard on `db` on a free local port until the generator is closed."""
    port = free_port()
    env = {**os.environ, "CINELEDGER_DB": str(db), "CINELEDGER_TODAY": "2026-11-22", **extra_env}
    proc = subprocess.Popen(
        command(port, "127.0.0.1"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("the dashboard did not start within 60 s")
    yield base
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    shutil.copy(demo_db, db)
    yield from serve(db, {})


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        chromium.close()


def settle(page: object) -> None:
    """Wait until Streamlit has finished running the page (no running indicator for a while)."""
    page.wait_for_selector("h1", timeout=60_000)  # type: ignore[attr-defined]
    for _ in range(3):
        page.wait_for_timeout(400)  # type: ignore[attr-defined]
        page.wait_for_function(  # type: ignore[attr-defined]
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000
        )


def watched_page(browser: object) -> tuple[Any, list[str]]:
    """A new page whose console errors and uncaught page errors are collected."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(str(e)))
    return page, console


def go_to(page: Any, title: str) -> None:
    """Open a page from the sidebar by its title, and wait until it has run."""
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    settle(page)


def no_errors(page: object, console: list[str], name: str) -> None:
    exceptions = page.locator('[data-testid="stException"]').count()  # type: ignore[attr-defined]
    assert exceptions == 0, f"{name}: an exception is shown on the page"
    assert not console, f"{name}: console errors {console}"
