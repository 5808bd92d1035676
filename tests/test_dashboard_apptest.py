"""Every dashboard page renders on the demo data; the key interactions work (AppTest)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from finance.domain.fmt import fmt_money
from finance.importers.ingest import import_expenses
from finance.store.db import connect
from tests.dashboard import open_dashboard

APP = str(Path(__file__).resolve().parent.parent / "dashboards" / "app.py")
PAGES = [
    "overview",
    "financing",
    "cost_report",
    "funders",
    "expenses",
    "territories",
    "imports",
    "portfolio",
    "audit",
]
pytestmark = pytest.mark.xdist_group("dashboard")


@pytest.fixture
def app(demo_dashboard: Path) -> AppTest:
    return open_dashboard()


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_error(app: AppTest, page: str) -> None:
    at = open_page(app, page)
    assert at.title, f"{page} has no title"


def test_overview_shows_the_report_figures(app: AppTest) -> None:
    labels = [m.label for m in app.metric]
    assert labels[:5] == ["Budget", "Réel", "Engagé", "Coût final estimé", "Écart"]
    assert app.metric[0].value == "3\u202f266\u202f000,00\u00a0€"


def test_language_switch(app: AppTest) -> None:
    assert app.title[0].value.startswith("Vue d'ensemble")
    app.sidebar.radio[0].set_value("en").run()
    assert app.title[0].value.startswith("Overview")
    assert [m.label for m in app.metric][:2] == ["Budget", "Actual"]
    at = open_page(app, "cost_report")
    assert at.title[0].value.startswith("Cost report")


def test_dutch_is_welcome(app: AppTest) -> None:
    app.sidebar.radio[0].set_value("nl").run()
    assert app.title[0].value.startswith("Overzicht")


def test_production_switch(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from finance.store.productions import add_production

    db = tmp_path / "two.duckdb"
    shutil.copy(demo_db, db)
    other = tmp_path / "other.yaml"
    other.write_text("id: autre-film\ntitle: Autre Film\nkind: documentary\n", encoding="utf-8")
    add_production(db, other)
    monkeypatch.setenv("CINELEDGER_DB", str(db))
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert at.sidebar.selectbox[0].options == [
        "Autre Film (autre-film)",
        "Le Dernier Tram (dernier-tram)",
    ]
    assert not at.exception, "a production without a devis shows zeros, not an error"
    assert "Autre Film" in at.title[0].value
    at.sidebar.selectbox[0].set_value("dernier-tram").run()
    assert "Le Dernier Tram" in at.title[0].value
    at.switch_page("views/portfolio.py")
    at.run()
    assert not at.exception and at.dataframe[0].value.shape[0] == 2


def _rows_said(caption: str) -> int:
    """The count a caption "2 991 lignes · total ..." gives."""
    return int("".join(caption.split(" lignes")[0].split()))


def test_expense_filter_narrows_the_table(app: AppTest) -> None:
    at = open_page(app, "expenses")
    before = at.caption[0].value
    at.multiselect[0].set_value(["Wallonie"]).run()
    after = at.caption[0].value
    assert 0 < _rows_said(after) < _rows_said(before)
    at.text_input[0].set_value("Lumières du Nord").run()
    assert _rows_said(at.caption[0].value) > 0


def test_expenses_give_the_count_the_total_and_every_page(app: AppTest) -> None:
    """Issue 18, point 4 (in part): the filtered rows' count and total, and the whole result a
    page at a time (it was cut at 1,000 rows)."""
    with connect(Path(os.environ["CINELEDGER_DB"]), read_only=True) as con:
        (n, total) = con.execute("SELECT count(*), sum(amount) FROM expenses").fetchall()[0]
    at = open_page(app, "expenses")
    said = at.caption[0].value
    assert _rows_said(said) == n == 2991
    assert f"total {fmt_money(total, 'fr', 'EUR')}" in said and said.endswith("page 1 sur 3")
    assert len(at.dataframe[0].value) == 1000
    at.number_input(key="f_page").set_value(3).run()
    assert len(at.dataframe[0].value) == n - 2000
    assert at.caption[0].value.endswith("page 3 sur 3")


def test_funders_show_each_scheme_and_unverified_badges(app: AppTest) -> None:
    at = open_page(app, "funders")
    titles = [e.label for e in at.expander]
    assert any("Wallimage" in x for x in titles) and any("Tax Shelter" in x for x in titles)
    params = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert any("non vérifié" in p for p in params)
    # confidence in words, in the reader's language, not the pack's code
    assert any("confiance moyenne" in p for p in params)


def test_funders_flag_each_result_resting_on_unverified_figures(app: AppTest) -> None:
    """Issue 16, point 19: a result resting on figures not checked against the legal text says
    so, and which, in words, in the reader's language; the panel's title counts them."""
    at = open_page(app, "funders")
    (panel,) = [e for e in at.expander if "Wallimage" in e.label]
    assert "non vérifiées" in panel.label
    flags = [w.value for w in panel.warning]
    assert any(
        f.startswith("Non vérifié sur le texte légal")
        and "le minimum de dépenses wallonnes en part de l'investissement (150 %, confiance "
        "moyenne)"
        in f
        and "le choix des dépenses éligibles de ce régime (confiance moyenne)" in f
        for f in flags
    ), flags
    # the window and where it comes from (issue 16, point 16)
    assert any("par défaut du règlement" in c.value for c in panel.caption)
    app.sidebar.radio[0].set_value("nl").run()
    at = open_page(app, "funders")
    (panel,) = [e for e in at.expander if "Wallimage" in e.label]
    assert any(
        "Niet aan de wettekst getoetst" in w.value and "betrouwbaarheid gemiddeld" in w.value
        for w in panel.warning
    )


def test_funders_prepare_the_justification_files(app: AppTest) -> None:
    at = open_page(app, "funders")
    at.button(key="prepare-wallimage").click().run()
    assert not at.exception, [e.value for e in at.exception]
    files = at.session_state["files-wallimage"]
    # dated file names: the production, the scheme, the day
    xlsx, pdf = (
        files["dernier-tram-wallimage-2026-11-22.xlsx"],
        files["dernier-tram-wallimage-2026-11-22.pdf"],
    )
    assert xlsx[:2] == b"PK" and pdf[:4] == b"%PDF"


def test_funders_warn_when_the_ledger_changed_since_the_check(app: AppTest) -> None:
    from finance.classify.overrides import override

    at = open_page(app, "funders")  # opening the page stores no check: the user runs it
    next(b for b in at.button if b.label == "Lancer les contrôles").click().run()
    assert not [w for w in at.warning if "ont changé" in w.value]
    db = Path(os.environ["CINELEDGER_DB"])
    override(db, "dernier-tram", [1], "territory", "BE-WAL", "adresse corrigée d'après la facture")
    st.cache_data.clear()
    at = open_page(at, "funders")
    assert any("ont changé depuis ce contrôle" in w.value for w in at.warning)
    run_again = next(b for b in at.button if b.label == "Lancer les contrôles")
    run_again.click().run()
    assert not [w for w in at.warning if "ont changé" in w.value]


def test_funders_evidence_lists_the_expenses_behind_a_scheme(app: AppTest) -> None:
    rule = "be_tax_shelter.belgian_spend"

    def evidence(at: AppTest) -> pd.DataFrame:
        (panel,) = [e for e in at.expander if "Tax Shelter" in e.label]
        (table,) = [d.value for d in panel.dataframe if "Fichier et ligne" in d.value.columns]
        return table

    at = open_page(app, "funders")
    (closed,) = [e for e in at.expander if "Tax Shelter" in e.label]
    assert "En règle" in closed.label and not closed.children  # a passing scheme waits
    at.session_state["scheme-be_tax_shelter"] = True  # the user opens its panel
    at.run()
    shown = at.toggle(key=f"evidence-{rule}")
    if not shown.value:  # a passing scheme's expenses come on demand
        shown.set_value(True).run()
    counted = evidence(at)
    assert {"Compté", "Fichier et ligne"} <= set(counted.columns)
    assert len(counted) > 0
    at.radio(key=f"counted-{rule}").set_value("Non comptées, et pourquoi").run()
    excluded = evidence(at)
    assert len(excluded) > 0 and "Écarté" in excluded.columns
    assert excluded["Pourquoi"].str.len().min() > 0  # every exclusion says why
    assert not excluded["Pourquoi"].str.contains("_").any()  # in words, not reason codes


def test_cost_report_flags_chapters_over_budget_in_words(app: AppTest) -> None:
    at = open_page(app, "cost_report")
    chapters = at.dataframe[0].value
    flagged = chapters["Dépassement"] == "⚠ dépassé"
    negative = chapters["Écart"].str.lstrip().str.startswith(("-", "\u2212"))
    assert flagged.any(), "the demo has chapters over budget"
    assert (flagged == negative).all()  # exactly those whose variance is negative


def test_cost_report_headers_are_words_and_a_total_closes_the_chapters(app: AppTest) -> None:
    """Issue 18, point 3: translated headers and a TOTAL row equal to the report's totals (the
    Overview's budget, 3 266 000,00); the chapters' sub-totals and the drill-down are in
    tests/test_dashboard_cost.py."""
    at = open_page(app, "cost_report")
    chapters = at.dataframe[0].value
    assert {"Poste", "Libellé", "Budget", "Réel", "Coût final estimé", "Écart"} <= set(
        chapters.columns
    )
    assert {"Reste à dépenser", "Niveau"} <= set(chapters.columns)
    assert not {"chapter_code", "estimate_at_completion", "variance"} & set(chapters.columns)
    total = chapters.iloc[-1]
    assert total["Poste"] == "TOTAL" and total["Budget"] == "3\u202f266\u202f000,00"


@pytest.fixture
def two_agreements(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AppTest]:
    """The demo with a second Tax Shelter agreement, signed on 1 June 2026, checked as at the
    demo's date before the page opens."""
    import yaml

    from finance.checks import run_check
    from finance.store.productions import add_production

    db = tmp_path / "two.duckdb"
    shutil.copy(demo_db, db)
    root = Path(__file__).resolve().parent.parent
    manifest = yaml.safe_load((root / "data" / "demo" / "manifest.yaml").read_text("utf-8"))
    manifest["financing"].append(
        {
            "scheme": "be_tax_shelter",
            "amount": "100000",
            "fiscal_value": "300000",
            "signed_on": "2026-06-01",
            "label": "Invest B",
        }
    )
    (tmp_path / "manifest.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    add_production(db, tmp_path / "manifest.yaml")
    run_check(db, "dernier-tram", date(2026, 11, 22))
    monkeypatch.setenv("CINELEDGER_DB", str(db))
    monkeypatch.setenv("CINELEDGER_TODAY", "2026-11-22")
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    yield at
    st.cache_data.clear()


def _shelter(at: AppTest) -> Any:
    at.session_state["scheme-be_tax_shelter"] = True  # the user opens the Tax Shelter's panel
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (panel,) = [e for e in at.expander if "Tax Shelter" in e.label]
    return panel


def test_funders_show_each_tax_shelter_agreement_and_the_supportable_value(
    two_agreements: AppTest,
) -> None:
    """Issue 16, points 2 and 7: each agreement on its own, its window, each of its rules
    measured against what it requires with its status, and the value its spend supports; the
    work's supportable value today and at completion; in the reader's language."""
    panel = _shelter(open_page(two_agreements, "funders"))
    said = [m.value for m in panel.markdown]
    assert "**convention 1 (signée le 16/02/2026)** · période du 16/02/2026 au 16/08/2027" in said
    assert (
        "**convention 2 (signée le 01/06/2026) Invest B** · période du 01/06/2026 au 01/12/2027"
        in said
    )
    figures = [s for s in said if "Les dépenses belges éligibles atteignent 90 % de V :" in s]
    assert len(figures) == 2 and all("requis" in s for s in figures), figures
    assert any("mesuré pour 270\u202f000,00\u00a0€ requis" in s for s in figures), figures
    labels = [m.label for m in panel.metric]
    assert labels.count("Valeur supportable aujourd'hui") == 2
    assert labels.count("Valeur supportable à l'achèvement") == 2
    assert "Valeur supportable de l'œuvre aujourd'hui" in labels
    assert "Valeur supportable de l'œuvre à l'achèvement" in labels
    assert any("le moindre de la valeur de la convention" in c.value for c in panel.caption)
    assert any(
        i.value.startswith("Tax Shelter : V supportable par les dépenses") for i in panel.info
    )
    # the expenses that count say which agreement each counts for
    shown = two_agreements.toggle(key="evidence-be_tax_shelter.belgian_spend")
    if not shown.value:
        shown.set_value(True).run()
    (panel,) = [e for e in two_agreements.expander if "Tax Shelter" in e.label]
    (table,) = [d.value for d in panel.dataframe if "Fichier et ligne" in d.value.columns]
    assert set(table["Convention"].dropna().astype(int)) == {1, 2}
    two_agreements.sidebar.radio[0].set_value("en").run()
    panel = _shelter(open_page(two_agreements, "funders"))
    said = [m.value for m in panel.markdown]
    assert (
        "**agreement 2 (signed on 2026-06-01) Invest B** · window 2026-06-01 to 2027-12-01" in said
    )
    assert "The work's supportable value at completion" in [m.label for m in panel.metric]


def test_imports_books_a_waiting_document_on_a_line(app: AppTest) -> None:
    """Issue 17, point 2: an editor sets the budget line of a document waiting to be coded, with
    a reason, from the Imports page (the same code as `cineledger code`)."""
    invoice = Path(__file__).resolve().parent / "fixtures" / "peppol" / "base-example.xml"
    db = Path(os.environ["CINELEDGER_DB"])
    assert import_expenses(db, "dernier-tram", [invoice]).to_code == 1  # the demo has none
    st.cache_data.clear()
    at = open_page(app, "imports")
    assert any("base-example.xml" in str(o) for o in at.selectbox[0].options)
    at.selectbox(key="coding-line").set_value("7.01")
    at.text_input(key="coding-reason").input("location de matériel pour le tournage")
    at.button[-1].click().run()
    assert [s.value for s in at.success][-1].startswith("1 document(s) imputé(s) sur la ligne 7.01")
    at = open_page(at, "imports")
    assert "Aucun document n'attend une ligne du devis." in [c.value for c in at.caption]
