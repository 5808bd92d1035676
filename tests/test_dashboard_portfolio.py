"""The Portfolio page for financiers (issue 18, point 7, in part): each production's status in
words, each scheme's shortfall in its own column and the supportable Tax Shelter value, from the
latest check, in the reader's language (AppTest)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from finance.checks import run_check

APP = str(Path(__file__).resolve().parent.parent / "dashboards" / "app.py")
pytestmark = pytest.mark.xdist_group("dashboard")


@pytest.fixture
def checked(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    run_check(db, "dernier-tram", date(2026, 11, 22))
    monkeypatch.setenv("CINELEDGER_DB", str(db))
    monkeypatch.setenv("CINELEDGER_TODAY", "2026-11-22")
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    yield at
    st.cache_data.clear()


def _portfolio(at: AppTest) -> dict[str, object]:
    at.switch_page("views/portfolio.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (row,) = at.dataframe[0].value.to_dict("records")
    return row


def test_each_scheme_s_shortfall_has_its_own_column_in_words(checked: AppTest) -> None:
    row = _portfolio(checked)
    assert row["Statut"] == "échec"  # Wallimage fails on the demo
    assert row["Manque · Wallimage"] == "273\u202f568,52"
    assert row["Manque · Tax Shelter"] == "0,00"
    assert row["V supportable (Tax Shelter)"] == "900\u202f000,00"
    assert "attention" not in row  # rule ids are no longer the financier's reading


def test_the_portfolio_speaks_dutch(checked: AppTest) -> None:
    checked.sidebar.radio[0].set_value("nl").run()
    row = _portfolio(checked)
    assert row["Status"] == "niet gehaald"
    assert row["Tekort · Wallimage"] == "273.568,52"
    assert row["Ondersteunbare V (Tax Shelter)"] == "900.000,00"
