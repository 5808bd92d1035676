"""Looking never writes (issue 18): opening every page, as a viewer or an editor, stores no rule
run and leaves the database file as it was; preparing a justification file adds no hidden run.
Every page has an empty state (no production, a production with only its manifest) that says
what to do in the interface's words, in the user's language (AppTest)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from finance.access.auth import write_user
from finance.domain.i18n import text
from finance.store.db import connect
from finance.store.productions import add_production
from tests.dashboard import APP
from tests.test_dashboard_apptest import PAGES

VIEWER_PAGES = [p for p in PAGES if p != "imports"]
LANGS = ("fr", "nl", "en")
pytestmark = pytest.mark.xdist_group("dashboard")


def sha256(path: Path) -> str:
    """The database file's hash, its write-ahead log included (absent: empty)."""
    digest = hashlib.sha256()
    for p in (path, Path(f"{path}.wal")):
        digest.update(p.read_bytes() if p.exists() else b"")
    return digest.hexdigest()


def rule_runs(path: Path) -> int:
    with connect(path, read_only=True) as con:
        return int(con.execute("SELECT count(*) FROM rule_runs").fetchall()[0][0])


def start(
    db: Path, monkeypatch: pytest.MonkeyPatch, role: str | None = None, lang: str = "fr"
) -> AppTest:
    """The app on `db`, logged in with `role` (None: the open local mode, an editor)."""
    monkeypatch.setenv("CINELEDGER_DB", str(db))
    monkeypatch.setenv("CINELEDGER_TODAY", "2026-11-22")
    if role is not None:
        auth = db.parent / "auth.toml"
        write_user(auth, "victor", role, "analyste-fonds-7")
        monkeypatch.setenv("CINELEDGER_AUTH_FILE", str(auth))
    else:
        monkeypatch.delenv("CINELEDGER_AUTH_FILE", raising=False)
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    if role is not None:
        at.session_state["auth_user"] = "victor"
        at.session_state["auth_role"] = role
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["role"] == (role or "editor")
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [f"{page}: {e.value}" for e in at.exception]
    return at


@pytest.fixture
def unchecked(demo_db: Path, manifest_file: Path, tmp_path: Path) -> Iterator[Path]:
    """The demo (checked) and a second production that was never checked, with no devis."""
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    add_production(db, manifest_file)
    yield db
    st.cache_data.clear()


@pytest.mark.parametrize("role", ["viewer", None], ids=["viewer", "editor"])
def test_opening_every_page_stores_no_rule_run(
    unchecked: Path, monkeypatch: pytest.MonkeyPatch, role: str | None
) -> None:
    """Every page of both productions, the one never checked included (the Funders page used
    to run and store a check when it found none): no rule run, the file unchanged."""
    before, runs = sha256(unchecked), rule_runs(unchecked)
    at = start(unchecked, monkeypatch, role)
    for production in ("petit-film", "dernier-tram"):
        at.sidebar.selectbox[0].set_value(production).run()
        for page in VIEWER_PAGES if role else PAGES:
            open_page(at, page)
            assert rule_runs(unchecked) == runs, f"{production} {page} stored a rule run"
    assert sha256(unchecked) == before


def test_funders_before_any_check_shows_results_without_storing(
    unchecked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = rule_runs(unchecked)
    at = start(unchecked, monkeypatch, "viewer")
    at.sidebar.selectbox[0].set_value("petit-film").run()
    at = open_page(at, "funders")
    assert at.info[0].value == text("funders.not_checked", "fr")
    assert at.expander, "the results are shown, evaluated for the page"
    assert rule_runs(unchecked) == runs
    # the explicit action stores the run, and the page then says when it ran
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert rule_runs(unchecked) == runs + 1
    assert not any(i.value == text("funders.not_checked", "fr") for i in at.info)


def test_preparing_a_justification_file_adds_no_rule_run(
    unchecked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = rule_runs(unchecked)
    at = start(unchecked, monkeypatch)
    at.sidebar.selectbox[0].set_value("dernier-tram").run()
    at = open_page(at, "funders")
    prepare = next(
        b for b in at.button if str(b.key).startswith("prepare-") and b.key != "prepare-all"
    )
    prepare.click().run()
    assert not at.exception, [e.value for e in at.exception]
    scheme = str(prepare.key).removeprefix("prepare-")
    files = at.session_state[f"files-{scheme}"]
    day = "2026-11-22"
    assert files[f"dernier-tram-{scheme}-{day}.xlsx"][:2] == b"PK"
    assert files[f"dernier-tram-{scheme}-{day}.pdf"][:4] == b"%PDF"
    assert rule_runs(unchecked) == runs, "preparing the file stored a hidden rule run"
    with connect(unchecked, read_only=True) as con:
        exports = con.execute("SELECT count(*) FROM audit_log WHERE action = 'export'").fetchall()
    assert exports[0][0] == 2, "the files that left are in the audit trail"


def shown_texts(at: AppTest) -> list[str]:
    """Every text a user reads on the page (titles, messages, captions, markdown)."""
    kinds = ("title", "info", "warning", "error", "success", "caption", "markdown", "subheader")
    return [str(e.value) for kind in kinds for e in getattr(at, kind)]


def no_command(at: AppTest, page: str) -> None:
    for said in shown_texts(at):
        assert "cineledger" not in said.lower() and " --" not in said, (page, said)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", ["viewer", None], ids=["viewer", "editor"])
def test_an_empty_database_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, role: str | None
) -> None:
    """No database file yet: every page says there is no production and what to do (an
    editor adds one here; a viewer waits for an editor), and nothing is created by looking."""
    db = tmp_path / "empty.duckdb"
    at = start(db, monkeypatch, role, lang)
    for page in VIEWER_PAGES if role else PAGES:
        at = open_page(at, page)
        assert [i.value for i in at.info] == [text("no_production", lang)], page
        follow = text("empty.ask_editor" if role else "empty.add_production", lang)
        assert follow in shown_texts(at), page
        assert bool(at.get("file_uploader")) is (role is None), page
        no_command(at, page)
    assert not db.exists(), "opening the pages created the database"


def test_an_editor_adds_the_first_production(
    tmp_path: Path, manifest_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "empty.duckdb"
    at = start(db, monkeypatch)
    at.file_uploader(key="manifest_upload").set_value(
        ("manifest.yaml", manifest_file.read_bytes(), "application/yaml")
    )
    at.run()
    at.button(key="manifest_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Petit Film" in at.title[0].value
    assert at.sidebar.selectbox[0].value == "petit-film"


@pytest.mark.parametrize("lang", LANGS)
def test_a_production_with_only_its_manifest_says_what_to_do(
    tmp_path: Path, manifest_file: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """No devis, no expense, no check yet: each page renders and says so in the language."""
    db = tmp_path / "manifest-only.duckdb"
    add_production(db, manifest_file)
    before = sha256(db)
    expected = {
        "overview": [text("empty.no_devis", lang)],
        "cost_report": [text("empty.no_devis", lang)],
        "funders": [text("funders.not_checked", lang)],
        "expenses": [text("empty.no_expenses", lang)],
        "territories": [text("empty.no_expenses", lang)],
    }
    at = start(db, monkeypatch, None, lang)
    for page in PAGES:
        at = open_page(at, page)
        assert at.title, page
        infos = [i.value for i in at.info]
        for said in expected.get(page, []):
            assert said in infos, (page, infos)
        no_command(at, page)
    assert sha256(db) == before


def test_every_table_shows_a_dash_for_a_missing_value() -> None:
    """Streamlit writes `None` in a table's empty cell unless told otherwise: every table of
    the dashboard says a missing value with a dash (or leaves it blank on purpose)."""
    import ast

    root = Path(__file__).resolve().parent.parent / "dashboards"
    bare = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = getattr(node, "func", None)
            table = isinstance(node, ast.Call) and getattr(func, "attr", "") == "dataframe"
            if table and not any(k.arg == "placeholder" for k in node.keywords):  # type: ignore[attr-defined]
                bare.append(f"{path.relative_to(root)}:{node.lineno}")  # type: ignore[attr-defined]
    assert not bare
