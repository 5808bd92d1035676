"""The dashboard under AppTest on a copy of the demo: the fixture `demo_dashboard` (the copy the
app reads, as at the demo's date; modify it before opening) and `open_dashboard` (the app run
once, on a page). Registered for every test by tests/conftest.py (`pytest_plugins`)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "dashboards" / "app.py")


@pytest.fixture
def demo_dashboard(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A copy of the demo that the dashboard reads (CINELEDGER_DB), as at 22/11/2026."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    monkeypatch.setenv("CINELEDGER_DB", str(path))
    monkeypatch.setenv("CINELEDGER_TODAY", "2026-11-22")
    st.cache_data.clear()
    yield path
    st.cache_data.clear()


def open_dashboard(page: str | None = None) -> AppTest:
    """The dashboard run once, then switched to `views/<page>.py`, without an exception."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if page is not None:
        at.switch_page(f"views/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
