"""The dashboard picks the new funds up from their packs alone (issue 22): a majority
coproduction with the Île-de-France region, added beside the demo and chosen in the sidebar,
has its Funders page in each language: the regional spend met, the shooting days short, said
as days; its Financing page names the source with its strand."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from tests.cli_run import invoke
from tests.dashboard import open_dashboard
from tests.test_new_funds import PARISIAN

pytestmark = pytest.mark.xdist_group("dashboard")

MANIFEST = PARISIAN
DAYS = {
    "fr": "Jours de tournage en Île-de-France : 5 j sur 6 j requis — il manque 1 j",
    "nl": "Draaidagen in Île-de-France: 5 d van de vereiste 6 d — 1 d te weinig",
    "en": "Shooting days in Île-de-France: 5 d of the 6 d required — short by 1 d",
}
STRAND = {
    "fr": "(coproduction majoritaire)",
    "nl": "(meerderheidscoproductie)",
    "en": "(majority coproduction)",
}


@pytest.fixture
def parisian(demo_dashboard: Path, tmp_path: Path) -> Path:
    """The demo's database with the Île-de-France production added, its devis and its spend."""
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(MANIFEST), encoding="utf-8")
    (tmp_path / "devis.csv").write_text(
        "code;label;amount;category;territory\n7.01;Matériel caméra;900000,00;equipment;FR-75\n"
        "9.01;Assurance;100000,00;insurance;\n",
        encoding="utf-8",
    )
    (tmp_path / "depenses.csv").write_text(
        "date;supplier;country;postcode;budget_code;amount;invoice_ref;status;payee_type\n"
        "15/09/2026;Loueur Paris SAS;FR;75011;7.01;270000,00;P-1;actual;company\n",
        encoding="utf-8",
    )
    db = str(demo_dashboard)
    for args in (
        ("production", "add", str(tmp_path / "m.yaml")),
        ("import", "budget", "nuit-parisienne", str(tmp_path / "devis.csv")),
        ("import", "expenses", "nuit-parisienne", str(tmp_path / "depenses.csv")),
    ):
        assert invoke("--db", db, *args).exit_code == 0
    return demo_dashboard


def on(page: str, code: str) -> AppTest:
    at = open_dashboard()
    at.sidebar.selectbox(key="_production_widget").set_value("nuit-parisienne").run()
    if code != "fr":
        at.sidebar.radio[0].set_value(code).run()
    at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("code", ["fr", "nl", "en"])
def test_the_funders_page_shows_the_regional_fund(parisian: Path, code: str) -> None:
    at = on("funders", code)
    said = [m.value for m in at.markdown]
    assert any(DAYS[code] in x for x in said), said
    # the regional spend is met: its panel passes, the days fail
    assert any("Île-de-France" in e.label for e in at.expander)


@pytest.mark.parametrize("code", ["fr", "nl", "en"])
def test_the_financing_page_names_the_strand(parisian: Path, code: str) -> None:
    at = on("financing", code)
    cells = [str(v) for d in at.dataframe for v in d.value.astype(str).values.ravel()]
    assert any(STRAND[code] in c for c in cells), cells[:20]
