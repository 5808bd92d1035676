"""The Overview answers "which funder is at risk, are we on budget, when do we run out" (issue 18,
point 1): a funders strip read from the latest stored check, the variance in colour, the run-out
date against delivery; opening it writes nothing (AppTest)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from finance.checks import run_check
from finance.demo.load import DEMO_AT, DEMO_ID
from finance.domain.fmt import fmt_money
from tests.dashboard import APP, open_dashboard

pytestmark = pytest.mark.xdist_group("dashboard")

#: each scheme of the demo's check: its card's status word (fr, nl) and its amount (a shortfall,
#: an excess for the caps, the thinnest margin of a scheme that passes)
DEMO_CARDS = {
    "wallimage": ("En échec", "Niet gehaald", Decimal("273568.52")),
    "screen_brussels": ("À surveiller", "Opletten", Decimal("48246.83")),
    "screen_flanders": ("En échec", "Niet gehaald", Decimal("159521.72")),
    "eu": ("À surveiller", "Opletten", Decimal("322200.00")),
    # the double counting allocated without overlap (issue 20): nothing counted twice
    "cumulation": ("En règle", "In orde", Decimal("0.00")),
    "be_tax_shelter": ("En règle", "In orde", Decimal("380494.12")),
    "cnc_acm": ("En règle", "In orde", Decimal("100000.00")),
}


def rule_runs(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("SELECT count(*) FROM rule_runs").fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0])


@pytest.fixture
def db(demo_dashboard: Path) -> Path:
    return demo_dashboard


@pytest.fixture
def checked(db: Path) -> AppTest:
    """The Overview of the demo once a check is stored (as `cineledger check` stores it)."""
    run_check(db, DEMO_ID, DEMO_AT)
    return open_dashboard()


def block(node: Any, key: str) -> Any:
    """The container with the key `key` (its element id ends with it), depth first."""
    children = node.children.values() if isinstance(node.children, dict) else node.children
    for child in children:
        if str(getattr(getattr(child, "proto", None), "id", "")).endswith(f"-{key}"):
            return child
        if hasattr(child, "children"):
            found = block(child, key)
            if found is not None:
                return found
    return None


def card(at: AppTest, scheme: str) -> str:
    """Every text of a scheme's card in the strip, a line each."""
    found = block(at.main, f"strip-{scheme}")
    assert found is not None, f"no card for {scheme}"
    return "\n".join(str(e.value) for e in (*found.markdown, *found.caption))


def test_the_strip_shows_each_scheme_with_its_status_and_amount_in_french_and_dutch(
    checked: AppTest,
) -> None:
    for scheme, (word, _, amount) in DEMO_CARDS.items():
        text = card(checked, scheme)
        assert word in text and fmt_money(amount, "fr", "EUR") in text, (scheme, text)
    assert "Dépassement 322\u202f200,00\u00a0€" in card(checked, "eu")  # a cap: never a shortfall
    assert "Marge" in card(checked, "cnc_acm")
    checked.sidebar.radio[0].set_value("nl").run()
    for scheme, (_, word, amount) in DEMO_CARDS.items():
        text = card(checked, scheme)
        assert word in text and fmt_money(amount, "nl", "EUR") in text, (scheme, text)
    assert "Marge" in card(checked, "cumulation")  # allocated without overlap (issue 20)
    assert "Plafonds" not in card(checked, "eu")  # the scheme's name in Dutch
    assert "Europese plafonds" in card(checked, "eu")


def test_the_wallimage_card_says_where_and_by_when_to_spend(checked: AppTest) -> None:
    text = card(checked, "wallimage")
    assert "Wallonie · manque 273\u202f568,52\u00a0€ · avant le 02/08/2027" in text, text
    assert "repose sur des chiffres non vérifiés" in text  # the result rests on unverified figures
    # the most pressing scheme comes first (of the two failing, the larger shortfall)
    strip = block(checked.main, "funders-strip")
    first = next(iter(strip.children.values()))
    assert str(first.proto.id).endswith("-strip-wallimage")
    checked.sidebar.radio[0].set_value("nl").run()
    amount = fmt_money(Decimal("273568.52"), "nl", "EUR")
    assert f"Wallonië · tekort {amount} · vóór 02/08/2027" in card(checked, "wallimage")


def test_the_variance_and_the_run_out_date_against_delivery(checked: AppTest) -> None:
    metrics = {m.label: m for m in checked.metric}
    variance = metrics["Écart"]
    assert variance.delta == "au-dessus du budget"  # the demo ends 13 869,08 € over
    assert variance.proto.color == MetricProto.MetricColor.RED
    runs_out = metrics["Budget épuisé le"]
    assert runs_out.value == "02/04/2027"
    # delivery (the end of post-production) is 26/03/2027: the money lasts a week longer
    assert runs_out.delta == "7 jours après la livraison"
    assert runs_out.proto.color == MetricProto.MetricColor.GREEN
    checked.sidebar.radio[0].set_value("nl").run()
    metrics = {m.label: m for m in checked.metric}
    assert metrics["Budget op tegen"].delta == "7 dagen na de oplevering"
    assert metrics["Afwijking"].delta == "boven het budget"


def test_the_run_out_sentence_counts_months_and_says_before_delivery() -> None:
    from dashboards.ui.strip import runout_words

    delivery = date(2027, 3, 26)
    assert runout_words(date(2027, 6, 30), delivery, "fr") == ("3 mois après la livraison", "green")
    assert runout_words(date(2027, 4, 26), delivery, "en") == ("1 month after delivery", "green")
    assert runout_words(date(2027, 1, 10), delivery, "fr") == ("2 mois avant la livraison", "red")
    assert runout_words(date(2027, 3, 25), delivery, "nl") == ("1 dag vóór de oplevering", "red")
    assert runout_words(None, delivery, "fr") is None


def test_opening_the_overview_creates_no_rule_run(db: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert rule_runs(db) == 0  # no check yet: the Overview says how to get one, runs none
    assert any("Lancer les contrôles" in i.value and "Financeurs" in i.value for i in at.info)
    assert block(at.main, "funders-strip") is None


def test_the_overview_reads_the_stored_check_and_writes_nothing(db: Path) -> None:
    run_check(db, DEMO_ID, DEMO_AT)
    before = rule_runs(db)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.sidebar.radio[0].set_value("nl").run()
    assert not at.exception, [e.value for e in at.exception]
    assert block(at.main, "strip-wallimage") is not None
    assert rule_runs(db) == before == 1


def test_a_card_opens_its_scheme_panel_on_the_funders_page(checked: AppTest) -> None:
    checked.button(key="strip-open-be_tax_shelter").click().run()
    assert not checked.exception, [e.value for e in checked.exception]
    assert checked.title[0].value == "Financeurs"
    (panel,) = [e for e in checked.expander if "Tax Shelter" in e.label]
    assert panel.children  # a passing scheme's panel, closed by default, is open


def test_a_card_opens_its_panel_after_the_funders_page_was_seen_closed(checked: AppTest) -> None:
    checked.switch_page("views/funders.py")
    checked.run()
    (panel,) = [e for e in checked.expander if "Tax Shelter" in e.label]
    assert not panel.children  # closed when seen first
    checked.switch_page("views/overview.py")
    checked.run()
    checked.button(key="strip-open-be_tax_shelter").click().run()
    assert not checked.exception, [e.value for e in checked.exception]
    (panel,) = [e for e in checked.expander if "Tax Shelter" in e.label]
    assert panel.children
