"""The cash-flow plan ("plan de trésorerie") and the financing plan sheets of the demo's
workbooks: named in the file's language beside the final cost statement and in the justification
workbook, the weeks' figures exactly the financing view's, the lowest point's row highlighted,
the money in the weeks equal to the outstanding payments that have a date, the tranches in
words (finance/exports/cashplan.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

from finance.domain import i18n
from finance.domain.fmt import fmt_date, fmt_money
from finance.exports.cost import write_cost_statement
from finance.exports.data import gather
from finance.exports.pdf import write_pdf
from finance.exports.workbook import write_workbook
from finance.financing.run import FinancingView, financing_view
from tests.conftest import DEMO_AT

PRODUCTION = "dernier-tram"
LANGS = ("fr", "nl", "en")
CENT = Decimal("0.01")
#: the highlight of the lowest point's row (finance/exports/writer.py)
LOW_FILL = "FFFDE2E1"
pytestmark = pytest.mark.xdist_group("exports")


@pytest.fixture(scope="module")
def books(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The demo's wallimage justification workbook (read-only: no rule run stored) and its final
    cost statement, in each language: `wallimage-fr`, `cost-fr`..."""
    out = tmp_path_factory.mktemp("cashplan")
    books = {}
    with gather(demo_db, PRODUCTION, "wallimage", DEMO_AT, store=False) as data:
        for lang in LANGS:
            books[f"wallimage-{lang}"] = out / f"wallimage-{lang}.xlsx"
            write_workbook(data, books[f"wallimage-{lang}"], lang)
    for lang in LANGS:
        books[f"cost-{lang}"] = out / f"cost-{lang}.xlsx"
        write_cost_statement(demo_db, PRODUCTION, DEMO_AT, books[f"cost-{lang}"], lang)
    yield books


@pytest.fixture(scope="module")
def view(demo_db: Path) -> FinancingView:
    return financing_view(demo_db, PRODUCTION, DEMO_AT)


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def _day(value: Any) -> date:
    assert isinstance(value, datetime), value
    return value.date()


def _table(sheet: Any, first_header: str) -> tuple[int, list[tuple[Any, ...]]]:
    """The rows under the header row starting with `first_header`, up to the first empty row:
    (the header's row number, the rows' cells)."""
    rows = list(sheet.iter_rows())
    start = next(i for i, r in enumerate(rows) if r[0].value == first_header)
    found = []
    for r in rows[start + 1 :]:
        if r[0].value is None:
            break
        found.append(r)
    return start + 1, found


@pytest.mark.parametrize("lang", LANGS)
def test_the_plans_have_their_sheets_in_the_files_language(
    books: dict[str, Path], lang: str
) -> None:
    cash = {"fr": "Plan de trésorerie", "nl": "Liquiditeitsplan", "en": "Cash-flow plan"}[lang]
    plan = {"fr": "Plan de financement", "nl": "Financieringsplan", "en": "Financing plan"}[lang]
    cost = openpyxl.load_workbook(books[f"cost-{lang}"], read_only=True).sheetnames
    assert cost == [i18n.text("export.sheet.cost", lang), plan, cash]
    justification = openpyxl.load_workbook(books[f"wallimage-{lang}"], read_only=True)
    names = justification.sheetnames
    assert names[-3:] == [plan, cash, i18n.text("export.sheet.provenance", lang)]


@pytest.mark.parametrize("book", ["wallimage-fr", "cost-en"])
def test_the_weeks_are_the_financing_views_to_the_cent(
    books: dict[str, Path], view: FinancingView, book: str
) -> None:
    lang = book.split("-")[1]
    sheet = openpyxl.load_workbook(books[book])[i18n.text("export.sheet.cash_plan", lang)]
    _, rows = _table(sheet, i18n.text("export.cash.col.week_start", lang))
    keys = view.weeks.columns
    money = [
        "planned_spend",
        "committed",
        "outflow",
        "inflow",
        "inflow_secured",
        "position",
        "position_secured",
    ]
    assert {"week_start", *money} <= set(keys)
    got = [
        {"week_start": _day(r[0].value)}
        | {k: _money(c.value) for k, c in zip(money, r[1:8], strict=True)}
        for r in rows
    ]
    assert got == view.weeks.select("week_start", *money).to_dicts()
    assert all(c.number_format == "#,##0.00" for r in rows for c in r[1:8])


def test_the_lowest_points_row_is_highlighted_and_the_head_says_it(
    books: dict[str, Path], view: FinancingView
) -> None:
    sheet = openpyxl.load_workbook(books["wallimage-fr"])["Plan de trésorerie"]
    _, rows = _table(sheet, "Semaine du")
    lit = [_day(r[0].value) for r in rows if r[0].fill.fgColor.rgb == LOW_FILL]
    assert lit == [view.low["low_week"]]
    row = next(r for r in rows if _day(r[0].value) == view.low["low_week"])
    assert all(c.fill.fgColor.rgb == LOW_FILL for c in row[:8])
    assert _money(row[6].value) == view.low["low"]
    head = {r[0].value: r for r in sheet.iter_rows(max_row=12) if r[0].value}
    assert _money(head["Point le plus bas"][1].value) == view.low["low"]
    assert _money(head["Point le plus bas"][2].value) == view.low["low_secured"]
    assert _day(head["Semaine du point le plus bas"][1].value) == view.low["low_week"]
    assert _money(head["Financement relais nécessaire"][1].value) == view.low["bridging"]
    assert view.low["bridging"] > 0  # the demo needs bridging: the sheet has something to show


def test_the_money_in_is_the_outstanding_payments_with_a_date(
    books: dict[str, Path], view: FinancingView
) -> None:
    sheet = openpyxl.load_workbook(books["wallimage-fr"])["Plan de trésorerie"]
    _, weeks = _table(sheet, "Semaine du")
    money_in = sum((_money(r[4].value) for r in weeks), Decimal(0))
    dated = view.payments.filter(pl.col("outstanding") > 0, pl.col("expected_on").is_not_null())
    assert money_in == dated["outstanding"].sum() > 0
    _, tranches = _table(sheet, "Tranche")
    outstanding = sum((_money(r[7].value) for r in tranches if r[4].value is not None), Decimal(0))
    assert outstanding == money_in


def test_the_tranches_say_their_state_and_risk_in_words(
    books: dict[str, Path], view: FinancingView
) -> None:
    sheet = openpyxl.load_workbook(books["wallimage-en"])["Cash-flow plan"]
    _, rows = _table(sheet, "Tranche")
    assert len(rows) == view.payments.height
    by_id = {r[0].value: r for r in rows}
    for p in view.payments.iter_rows(named=True):
        tranche = p["tranche_id"] + (" (retention)" if p["part"] == "retention" else "")
        row = by_id[tranche]
        state = i18n.text(f"financing.state.{p['state']}", "en")
        late = p["overdue"] and p["state"] != "overdue"
        assert row[8].value == (f"{state} · overdue" if late else state)
        assert row[9].value == ("yes" if p["at_risk"] else None)
        assert _money(row[5].value) == p["amount"]
        assert _money(row[6].value) == p["received"]
    risky = view.at_risk["tranche_id"].to_list()
    assert risky, "the demo has a tranche at risk"
    assert all(str(by_id[t][10].value).startswith(view.at_risk["condition"][0]) for t in risky[:1])


def test_the_financing_plan_puts_the_gap_first(books: dict[str, Path], view: FinancingView) -> None:
    sheet = openpyxl.load_workbook(books["cost-fr"])["Plan de financement"]
    gap = view.balance["gap"]
    assert gap > 0
    assert str(sheet["A2"].value).endswith(f"il manque {fmt_money(gap, 'fr', 'EUR')}.")
    _, rows = _table(sheet, "Source")
    sources = rows[: view.sources.height]
    amounts = [_money(r[4].value) for r in sources]
    assert amounts == view.sources["amount"].to_list()
    totals = {r[0].value: _money(r[4].value) for r in rows[view.sources.height :]}
    assert totals["Total du financement"] == view.balance["financing"] == sum(amounts)
    assert totals["Écart (devis moins financement)"] == gap
    assert totals["Écart sur le financement sûr"] == view.balance["secured_gap"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_pdf_says_the_gap_and_the_cash_low_point(
    demo_db: Path, view: FinancingView, tmp_path: Path, lang: str
) -> None:
    import pypdfium2 as pdfium

    out = tmp_path / f"wallimage-{lang}.pdf"
    with gather(demo_db, PRODUCTION, "wallimage", DEMO_AT, store=False) as data:
        write_pdf(data, out, data.content_hash(), lang)
    flat = " ".join(pdfium.PdfDocument(str(out))[0].get_textpage().get_text_range().split())
    week = fmt_date(view.low["low_week"], lang)
    start = {
        "fr": "Plan de trésorerie : point le plus bas",
        "en": "Cash-flow plan: lowest point",
    }[lang] + f" {fmt_money(view.low['low'], lang, 'EUR')}"
    start += {"fr": f" la semaine du {week}", "en": f" in the week of {week}"}[lang]
    assert _flat(start) in flat
    gap = {"fr": "il manque", "en": "still to find"}[lang]
    assert _flat(f"{fmt_money(view.balance['gap'], lang, 'EUR')}") in flat and gap in flat


def _flat(text: str) -> str:
    """As the PDF's text reads back: its base fonts have no narrow or no-break space."""
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())
