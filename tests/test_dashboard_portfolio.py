"""The Portfolio page for financiers (issue 18, point 7): each production's status in
words, each scheme's shortfall in its own column and the supportable Tax Shelter value, from the
latest check, in the reader's language (AppTest)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from finance.checks import run_check
from finance.domain.i18n import text
from tests.dashboard import open_dashboard

pytestmark = pytest.mark.xdist_group("dashboard")
#: the percent-spent header, as the catalogue names it in French
SPENT = text("pct_spent", "fr")


@pytest.fixture
def checked(demo_dashboard: Path) -> AppTest:
    run_check(demo_dashboard, "dernier-tram", date(2026, 11, 22))
    return open_dashboard()


def _portfolio(at: AppTest) -> tuple[dict[str, object], dict[str, object]]:
    """The portfolio's one row: its values (numbers stay numbers) and their display texts."""
    at.switch_page("views/portfolio.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (row,) = at.dataframe[0].value.to_dict("records")
    styler = at.dataframe[0].proto.arrow_data.styler
    (shown,) = convert_arrow_bytes_to_pandas_df(styler.display_values).to_dict("records")
    return row, shown


def at_styles(at: AppTest) -> str:
    """The CSS the table's Styler sets (the status column's colour)."""
    return str(at.dataframe[0].proto.arrow_data.styler.styles)


def test_each_scheme_s_shortfall_has_its_own_column_in_words(checked: AppTest) -> None:
    row, shown = _portfolio(checked)
    assert row["Statut"] == "● échec"  # Wallimage fails on the demo: a dot and the word
    styles = at_styles(checked)
    assert "color: #c62828" in styles  # in red
    assert shown["Manque · Wallimage"] == "273\u202f568,52"
    assert shown["Manque · Tax Shelter"] == "0,00"
    assert shown["V supportable (Tax Shelter)"] == "900\u202f000,00"
    assert shown[SPENT] == "79,9 %"
    assert "attention" not in row  # rule ids are no longer the financier's reading


def test_the_figures_stay_numbers_so_that_a_header_sorts_them_as_numbers(
    checked: AppTest,
) -> None:
    row, _ = _portfolio(checked)
    money = ["Budget", "Réel", "Manque · Wallimage", "Manque · Tax Shelter"]
    money.append("V supportable (Tax Shelter)")
    for column in money:
        assert isinstance(row[column], Decimal), (column, row[column])  # exact, not text
    assert row["Manque · Wallimage"] == Decimal("273568.52")
    assert isinstance(row[SPENT], float) and isinstance(row["Échecs"], int)
    frame = checked.dataframe[0].value
    assert not any(pd.api.types.is_string_dtype(frame[c]) for c in money)
    config = json.loads(checked.dataframe[0].proto.columns)
    assert all(config[c]["type_config"]["type"] == "number" for c in money)
    # sorted as numbers: 900 000 before 3 266 000 (as text, "9" would come after "3")
    values = [Decimal(str(row["V supportable (Tax Shelter)"])), Decimal(str(row["Budget"]))]
    assert sorted(values) == [Decimal("900000.00"), Decimal("3266000.00")]


def test_a_production_never_checked_says_so_and_what_to_do(demo_dashboard: Path) -> None:
    at = open_dashboard("portfolio")
    row, shown = _portfolio(at)
    assert row["Statut"] == "○ pas encore contrôlée"
    assert "None" not in shown.values()
    assert any("Lancer les contrôles" in c.value for c in at.caption)


def test_the_portfolio_speaks_dutch(checked: AppTest) -> None:
    checked.sidebar.radio[0].set_value("nl").run()
    row, shown = _portfolio(checked)
    assert row["Status"] == "● niet gehaald"
    assert shown["Tekort · Wallimage"] == "273.568,52"
    assert shown["Ondersteunbare V (Tax Shelter)"] == "900.000,00"
    assert {"Productie", "Titel", "Budget", "Werkelijk"} <= set(row)
