"""The financing side in the dashboard (issue 19): the Overview names the plan's gap first and
shows the weekly cash position under the burn chart with its low point in words; the Financing
page shows the plan, the tranches and the receipts in French, Dutch and English, records a
receipt for an editor (and refuses an over-payment, naming the row, in the reader's language),
shows no form to a viewer, and puts a what-if beside today's plan without writing (AppTest)."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from finance.domain.fmt import fmt_money
from finance.domain.i18n import text
from tests.dashboard import open_dashboard
from tests.test_dashboard_readonly import open_page, start

pytestmark = pytest.mark.xdist_group("dashboard")
LANGS = ("fr", "nl", "en")
LOW = Decimal("-1356369.08")
#: the demo's plan as at 22/11/2026: 3 200 000 € for a devis of 3 266 000 €
GAP = {
    "fr": "Plan de financement : 3\u202f200\u202f000,00\u00a0€ pour un devis de "
    "3\u202f266\u202f000,00\u00a0€ — il manque 66\u202f000,00\u00a0€",
    "nl": "Financieringsplan: €\u00a03.200.000,00 voor een begroting van €\u00a03.266.000,00 — "
    "er ontbreekt €\u00a066.000,00",
    "en": "Financing plan: EUR 3,200,000.00 for a devis of EUR 3,266,000.00 — "
    "EUR 66,000.00 missing",
}


@pytest.fixture
def db(demo_dashboard: Path) -> Path:
    return demo_dashboard


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    for p in (path, Path(f"{path}.wal")):
        digest.update(p.read_bytes() if p.exists() else b"")
    return digest.hexdigest()


def receipts(db: Path) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT tranche_id, amount, source_format FROM receipts ORDER BY id"
        ).fetchall()
    finally:
        con.close()


def in_language(lang: str, page: str | None = None) -> AppTest:
    at = open_dashboard()
    if lang != "fr":
        at.sidebar.radio[0].set_value(lang).run()
    if page is not None:
        at.switch_page(f"views/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> list[str]:
    kinds = ("title", "info", "warning", "error", "success", "caption", "markdown", "subheader")
    return [str(e.value) for kind in kinds for e in getattr(at, kind)]


def cash_chart(at: AppTest) -> dict[str, Any]:
    """The Overview's cash chart (the one with the position's trace)."""
    position = text("cash.position", str(at.session_state["lang"]))
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if any(trace.get("name") == position for trace in spec["data"]):
            return dict(spec)
    raise AssertionError("no cash chart on the page")


def low_sentence(lang: str) -> str:
    said = text(
        "cash.low.bridging",
        lang,
        low=LOW,
        week="22/03/2027" if lang != "en" else "2027-03-22",
        bridging=-LOW,
    )
    return f"{said} {text('cash.tranches', lang, overdue=1, at_risk=1)}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_overview_names_the_gap_first_and_shows_the_cash_chart(db: Path, lang: str) -> None:
    at = in_language(lang)
    assert at.warning[0].value == GAP[lang]
    # the gap comes before every figure of the page: right under the title
    order = [type(node).__name__ for node in at.main]
    assert order.index("Warning") < order.index("Metric"), order
    secured = fmt_money(Decimal("2750000"), lang)  # the letter of intent not counted
    assert any(secured in c.value for c in at.caption)
    # the cash chart under the burn chart, before the weekly burn
    heads = [s.value for s in at.subheader]
    assert heads.index(text("burn_up", lang)) + 1 == heads.index(text("cash.title", lang))
    chart = cash_chart(at)
    names = {trace.get("name") for trace in chart["data"]}
    assert {text(f"cash.{k}", lang) for k in ("position_secured", "inflow", "outflow")} <= names
    week = "22/03/2027" if lang != "en" else "2027-03-22"
    mark = text("cash.low_marker", lang, week=week, amount=fmt_money(LOW, lang, "EUR"))
    assert [a["text"] for a in chart["layout"]["annotations"]] == [mark]
    assert any(s.get("y0") == 0 and s.get("y1") == 0 for s in chart["layout"]["shapes"])
    ticks = chart["layout"]["yaxis"]["ticktext"]
    assert ticks[0].startswith("-") and ("-1,5" in ticks[0] or "-€1.5" in ticks[0]), ticks
    # the same low point in words, with the overdue tranche and the one at risk
    assert low_sentence(lang) in [m.value for m in at.markdown]


@pytest.mark.parametrize("lang", LANGS)
def test_the_financing_page_shows_the_plan_the_tranches_and_the_receipts(
    db: Path, lang: str
) -> None:
    before = sha256(db)
    at = in_language(lang, "financing")
    assert at.title[0].value.startswith(text("financing", lang))
    assert at.warning[0].value == GAP[lang]
    plan, statuses, countries, tranches, got = (d.value for d in at.dataframe[:5])
    assert list(plan.columns)[:3] == [
        text(f"finpage.col.{c}", lang) for c in ("source", "kind", "status")
    ]
    kinds = plan[text("finpage.col.kind", lang)].tolist()
    assert text("financing.kind.minimum_guarantee", lang) in kinds
    assert (
        text("financing.status.letter_of_intent", lang)
        in plan[text("finpage.col.status", lang)].tolist()
    )
    assert len(statuses) == 5 and len(countries) == 2
    # tranches: states in words, the partly paid one overdue, the Wallimage one at risk
    state = tranches[text("finpage.col.state", lang)].tolist()
    late = f"{text('financing.state.partly_paid', lang)} · {text('financing.state.overdue', lang)}"
    assert late in state
    rule = tranches[text("finpage.col.condition", lang)].tolist()
    assert f"wallimage.walloon_spend · {text('strip.status.fail', lang)}" in rule
    risky = tranches[text("finpage.col.risk", lang)].dropna().tolist()
    assert risky == [f"⚠ {text('finpage.at_risk', lang)}"]
    signature = text("financing.milestone.signature", lang)
    sixty = text("financing.after_days", lang, milestone=signature, days="60")
    assert tranches[text("finpage.col.milestone", lang)].tolist()[0] == sixty
    retained = f"cnc_acm/1 ({text('finpage.retention', lang)})"
    assert retained in tranches[text("finpage.col.tranche", lang)].tolist()
    # receipts with their provenance
    assert set(got[text("finpage.col.file", lang)]) == {"receipts.csv"}
    assert sorted(got[text("finpage.col.row", lang)].astype(int)) == list(range(2, 12))
    assert sha256(db) == before, "opening the page wrote to the database"


@pytest.mark.parametrize("lang", LANGS)
def test_an_editor_records_a_receipt_and_an_over_payment_is_refused(db: Path, lang: str) -> None:
    at = in_language(lang, "financing")
    stored = receipts(db)
    tranche = at.selectbox(key="receipt_tranche_dernier-tram")
    assert "screen_brussels/2" in tranche.options and "wallimage/1" not in tranche.options
    # 30 000 € of the tranche's 60 000 € are in: 40 000 € more is refused, the row named
    tranche.set_value("screen_brussels/2")
    at.text_input(key="receipt_amount").set_value("40 000,00")
    at.button(key="receipt_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    said = at.error[0].value
    assert text("problem.row", lang, row="1") in said, said
    assert text("finpage.form_source", lang) in said and "screen_brussels/2" in said
    assert text("finpage.form.field.amount", lang) in said  # the field by its name
    assert "worth" not in said or lang == "en", said  # the reason in the reader's language
    assert receipts(db) == stored, "a refused receipt was written"
    # the 30 000 € outstanding is recorded, from the form
    at.selectbox(key="receipt_tranche_dernier-tram").set_value("screen_brussels/2")
    at.text_input(key="receipt_amount").set_value("30000")
    at.text_input(key="receipt_payer").set_value("screen.brussels")
    at.button(key="receipt_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    assert receipts(db)[len(stored) :] == [("screen_brussels/2", Decimal("30000.00"), "form")]
    done = text("finpage.form.done", lang, amount=Decimal("30000"), tranche="screen_brussels/2")
    assert [t.value for t in at.toast] == [done]
    got = at.dataframe[4].value
    assert got[text("finpage.col.file", lang)].tolist()[-1] == text("finpage.form_source", lang)
    # the tranche is paid now: it is no longer offered, and nothing is overdue
    assert "screen_brussels/2" not in at.selectbox(key="receipt_tranche_dernier-tram").options
    assert text("cash.tranches", lang, overdue=0, at_risk=1) in " ".join(texts(at))


def test_a_viewer_reads_the_page_without_the_form(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(start(db, monkeypatch, "viewer"), "financing")
    assert len(at.dataframe) == 5, "the plan, statuses, countries, tranches and receipts"
    assert not [b for b in at.button if b.key == "receipt_submit"]
    assert text("finpage.form.title", "fr") not in texts(at)
    assert not at.text_input


@pytest.mark.parametrize("lang", LANGS)
def test_a_what_if_moving_the_shoot_four_weeks_moves_the_low_point(db: Path, lang: str) -> None:
    before = sha256(db)
    at = in_language(lang, "financing")
    assert text("whatif.pick", lang) in texts(at)
    at.number_input(key="whatif_shift_dernier-tram").set_value(4).run()
    assert not at.exception, [e.value for e in at.exception]
    days = {"fr": ("22/03/2027", "19/04/2027"), "nl": ("22/03/2027", "19/04/2027")}
    old, new = days.get(lang, ("2027-03-22", "2027-04-19"))
    assert text("whatif.low_moves", lang, before=old, after=new) in texts(at)
    side = at.dataframe[5].value.set_index(text("whatif.col.figure", lang))
    week = side.loc[text("whatif.row.low_week", lang)]
    assert (week[text("whatif.col.today", lang)], week[text("whatif.col.what_if", lang)]) == (
        old,
        new,
    )
    moved = at.dataframe[6].value
    row = moved[moved[text("finpage.col.tranche", lang)] == "rtbf/2"].iloc[0]
    later = "27/07/2027" if lang != "en" else "2027-07-27"
    assert row[text("whatif.col.what_if", lang)] == later
    # the funders' windows move with the schedule (the CNC's ends four weeks later)
    rules = at.dataframe[7].value.set_index(text("whatif.col.rule", lang))
    end = "23/04/2027" if lang != "en" else "2027-04-23"
    assert rules.loc["cnc_acm.french_spend", text("whatif.col.window_what_if", lang)] == end
    assert sha256(db) == before, "the what-if wrote to the database"


def test_a_what_if_dropping_a_source_widens_the_gap(db: Path) -> None:
    at = in_language("fr", "financing")
    at.multiselect(key="whatif_drop_dernier-tram_fr").set_value(["Minimum garanti distributeur"])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    side = at.dataframe[5].value.set_index("Chiffre")
    assert (
        side.loc["Financement manquant", "Hypothèse"] == "516\u202f000,00\u00a0€"
    )  # 66,000 + 450,000
    moved = at.dataframe[6].value
    assert moved["Hypothèse"].tolist() == [text("whatif.dropped", "fr")]


def test_with_a_stored_check_the_conditions_read_its_statuses(db: Path) -> None:
    """Once a check is stored, the tranches' conditions read its statuses (as the funders strip
    does) instead of evaluating every rule again: the same tranche is at risk."""
    from finance.checks import run_check
    from finance.demo.load import DEMO_AT, DEMO_ID

    run_check(db, DEMO_ID, DEMO_AT)
    at = in_language("fr", "financing")
    tranches = at.dataframe[3].value
    assert "wallimage.walloon_spend · En échec" in tranches["Condition (règle)"].tolist()
    assert tranches["À risque"].dropna().tolist() == ["⚠ à risque"]
    assert low_sentence("fr") in [m.value for m in at.markdown]


def test_a_what_if_delaying_a_tranche_moves_it_alone(db: Path) -> None:
    at = in_language("nl", "financing")
    at.selectbox(key="whatif_tranche_dernier-tram_nl").set_value("rtbf/2")
    at.number_input(key="whatif_delay").set_value(3).run()
    assert not at.exception, [e.value for e in at.exception]
    moved = at.dataframe[6].value
    assert moved["Schijf"].tolist() == ["rtbf/2"]
    assert moved[["Vandaag", "Scenario"]].values.tolist() == [["29/06/2027", "20/07/2027"]]
    assert text("whatif.no_rule_changes", "nl") in texts(at)


def test_a_what_if_before_the_preparation_is_refused_in_words(db: Path) -> None:
    at = in_language("fr", "financing")
    at.number_input(key="whatif_shift_dernier-tram").set_value(-30).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [text("error.whatif.before_prep", "fr", weeks="30")]
