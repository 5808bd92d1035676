"""The Portfolio page for financiers (issue 18, point 7, in part): each production's status in
words, each scheme's shortfall in its own column and the supportable Tax Shelter value, from the
latest check, in the reader's language (AppTest)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from finance.checks import run_check
from tests.dashboard import open_dashboard

pytestmark = pytest.mark.xdist_group("dashboard")


@pytest.fixture
def checked(demo_dashboard: Path) -> AppTest:
    run_check(demo_dashboard, "dernier-tram", date(2026, 11, 22))
    return open_dashboard()


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
