"""The served dashboard in a real browser (Debian's chromium, driven by Playwright): every page
opens without an error on the page or in the console, the language switches, a file uploads;
a screenshot of each page is saved under tests/artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

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

pytestmark = BROWSER


@pytest.fixture(scope="module")
def guarded(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard with accounts: a viewer and an editor."""
    from finance.access.auth import write_user

    work = tmp_path_factory.mktemp("guarded")
    shutil.copy(demo_db, work / "demo.duckdb")
    write_user(work / "auth.toml", "victor", "viewer", "analyste-fonds-7")
    write_user(work / "auth.toml", "anne", "editor", "montage-2026-salle")
    yield from serve(work / "demo.duckdb", {"CINELEDGER_AUTH_FILE": str(work / "auth.toml")})


def test_every_page_in_chromium(server: str, browser: object, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page, console = watched_page(browser)
    page.goto(server)
    settle(page)
    for name, title in PAGES:
        page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
        page.wait_for_function(
            f"() => location.pathname.endsWith('/{'' if name == 'overview' else name}')",
            timeout=30_000,
        )
        settle(page)
        no_errors(page, console, name)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    go_to(page, "Vue d'ensemble")
    assert "Vue d'ensemble" in page.locator("h1").first.inner_text()
    page.get_by_text("English", exact=True).click()
    page.wait_for_function(
        "() => document.querySelector('h1') && document.querySelector('h1').innerText.startsWith('Overview')",
        timeout=30_000,
    )
    no_errors(page, console, "language switch")
    page.screenshot(path=str(ARTIFACTS / "overview-en.png"), full_page=True)


def test_upload_shows_the_validation_report(server: str, browser: object, tmp_path: Path) -> None:
    upload = tmp_path / "avril.csv"
    upload.write_text(
        "Date facture;Fournisseur;Pays;Code postal;Poste;Montant HT\n"
        "03/04/2026;Studio Test;BE;1050;2.01;1.234,56\n"
        "04/04/2026;Sans Poste;BE;1050;99.99;10,00\n",
        encoding="utf-8",
    )
    page, console = watched_page(browser)
    page.goto(server)
    settle(page)
    go_to(page, "Imports")
    page.locator('input[type="file"]').set_input_files(str(upload))
    page.get_by_text("Rapport de validation").wait_for(timeout=60_000)
    page.get_by_text("aucune ligne du devis actuel n'a ce code").first.wait_for(
        state="attached", timeout=30_000
    )
    no_errors(page, console, "upload")
    page.screenshot(path=str(ARTIFACTS / "imports-upload.png"), full_page=True)


@pytest.mark.parametrize(
    ("user", "password", "can_import"),
    [
        ("victor", "analyste-fonds-7", False),
        ("anne", "montage-2026-salle", True),
    ],
)
def test_login_then_the_role_decides_the_pages(
    guarded: str, browser: object, user: str, password: str, can_import: bool
) -> None:
    page, console = watched_page(browser)
    page.goto(guarded)
    page.get_by_label("Utilisateur").wait_for(timeout=60_000)
    assert page.locator('[data-testid="stMetric"]').count() == 0, "nothing shows before login"
    page.get_by_label("Utilisateur").fill(user)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    settle(page)
    assert "Vue d'ensemble" in page.locator("h1").first.inner_text()
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert (nav.get_by_text("Imports", exact=True).count() == 1) is can_import
    no_errors(page, console, f"login {user}")
    page.screenshot(path=str(ARTIFACTS / f"login-{user}.png"), full_page=True)


def test_a_passing_scheme_opens_on_demand(server: str, browser: object) -> None:
    """Funders: a passing scheme's panel is drawn when the user opens it (lazy expanders)."""
    page, console = watched_page(browser)
    page.goto(server)
    settle(page)
    go_to(page, "Financeurs")
    rule = page.get_by_text("be_tax_shelter.belgian_spend")
    assert rule.count() == 0, "a passing scheme's rules wait until its panel is opened"
    page.locator('[data-testid="stExpander"] summary').filter(has_text="Tax Shelter").click()
    rule.first.wait_for(timeout=60_000)
    settle(page)
    no_errors(page, console, "funders panel")
    page.screenshot(path=str(ARTIFACTS / "funders-open-panel.png"), full_page=True)


def file_sha256(db: Path) -> str:
    """The database file's SHA-256, its write-ahead log included (absent: nothing)."""
    import hashlib

    digest = hashlib.sha256()
    for p in (db, Path(f"{db}.wal")):
        digest.update(p.read_bytes() if p.exists() else b"")
    return digest.hexdigest()


@pytest.fixture(scope="module")
def watched_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the demo (no check stored yet) served with a viewer's account."""
    from finance.access.auth import write_user

    work = tmp_path_factory.mktemp("readonly")
    shutil.copy(demo_db, work / "demo.duckdb")
    write_user(work / "auth.toml", "victor", "viewer", "analyste-fonds-7")
    yield work / "demo.duckdb"


def test_a_viewer_opening_every_page_leaves_the_database_unchanged(
    watched_db: Path, browser: object
) -> None:
    """Issue 18's acceptance: the file's hash before and after a viewer opened every page (the
    Funders page included, which used to store a check when it found none)."""
    before = file_sha256(watched_db)
    for base in serve(watched_db, {"CINELEDGER_AUTH_FILE": str(watched_db.parent / "auth.toml")}):
        page, console = watched_page(browser)
        page.goto(base)
        page.get_by_label("Utilisateur").wait_for(timeout=60_000)
        page.get_by_label("Utilisateur").fill("victor")
        page.get_by_label("Mot de passe").fill("analyste-fonds-7")
        page.get_by_role("button", name="Se connecter").click()
        settle(page)
        for name, title in PAGES:
            if name == "imports":  # not routed for a viewer
                continue
            go_to(page, title)
            no_errors(page, console, f"viewer {name}")
        page.close()
        assert file_sha256(watched_db) == before, "a viewer's looking wrote to the database"
    assert file_sha256(watched_db) == before


def test_the_funders_strip_at_phone_width_opens_a_scheme_panel(
    server: str, browser: object
) -> None:
    """Overview at 390 px: the strip's cards wrap (no horizontal scrolling), and a card's button
    opens its scheme's panel on the Funders page (issue 18, point 1)."""
    page, console = watched_page(browser)
    page.goto(server)
    settle(page)
    go_to(page, "Financeurs")
    page.get_by_role("button", name="Lancer les contrôles").click()  # a check is stored
    settle(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server)
    settle(page)
    card = page.locator(".st-key-strip-wallimage")
    card.wait_for(timeout=60_000)
    assert "Wallonie" in card.inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    no_errors(page, console, "overview at 390 px")
    page.screenshot(path=str(ARTIFACTS / "overview-phone.png"), full_page=True)
    rule = page.get_by_text("be_tax_shelter.belgian_spend")
    page.locator(".st-key-strip-open-be_tax_shelter button").click()
    page.wait_for_function("() => location.pathname.endsWith('/funders')", timeout=30_000)
    rule.first.wait_for(timeout=60_000)  # the passing scheme's panel is open
    settle(page)
    no_errors(page, console, "funders from the strip")
