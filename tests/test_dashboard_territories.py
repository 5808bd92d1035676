"""The Territories page in words (issue 18, point 5, in part): territory names instead of codes,
the devis lines without a territory explained, headers in the reader's language (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard import open_dashboard

pytestmark = pytest.mark.xdist_group("dashboard")


@pytest.fixture
def app(demo_dashboard: Path) -> AppTest:
    return open_dashboard()


def _table(at: AppTest) -> list[dict[str, object]]:
    at.switch_page("views/territories.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return list(at.dataframe[0].value.to_dict("records"))


def test_territories_are_named_not_coded(app: AppTest) -> None:
    rows = _table(app)
    names = [str(r["Territoire"]) for r in rows]
    assert {"Wallonie", "Bruxelles-Capitale", "France"} <= set(names)
    assert not {"BE-WAL", "BE-BRU", "FR", "OTHER", "EEA"} & set(names)
    assert {"Territoire", "Réel", "Prévu au devis"} <= set(rows[0])


def test_territories_speak_dutch(app: AppTest) -> None:
    app.sidebar.radio[0].set_value("nl").run()
    rows = _table(app)
    assert {"Wallonië", "Frankrijk"} <= {str(r["Grondgebied"]) for r in rows}
    assert {"Grondgebied", "Werkelijk", "Gepland in het budget"} <= set(rows[0])


def test_the_unknown_territory_is_explained(app: AppTest) -> None:
    """The demo's devis has lines with no planned territory (overheads, insurance...)."""
    names = [str(r["Territoire"]) for r in _table(app)]
    assert "non renseigné (lignes du devis sans territoire prévu)" in names and "?" not in names
    assert any(c.value.startswith("« Non renseigné »") for c in app.caption)
