"""The cost report page (issue 18, point 3): chapter sub-totals above their lines and a TOTAL,
the variance and the percent spent beside the codes and pinned, a click on a chapter or a line
opening its expenses (dates as dates, statuses in words), and the table as XLSX (AppTest)."""

from __future__ import annotations

import io
import json
import os
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.ui import cost
from dashboards.ui.i18n import t
from finance.domain.fmt import fmt_money
from finance.domain.i18n import text
from finance.reports.cost_report import FIGURES, cost_report
from tests.conftest import DEMO_AT
from tests.dashboard import open_dashboard

pytestmark = pytest.mark.xdist_group("dashboard")
#: the percent-spent header, as the catalogue names it in French
SPENT = text("pct_spent", "fr")


@pytest.fixture
def page(demo_dashboard: Path) -> AppTest:
    return open_dashboard("cost_report")


def amount(text: str) -> Decimal:
    """`-13 869,08` (as the French table writes it) back to a number."""
    cleaned = text.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    return Decimal(cleaned.replace("\u2212", "-").replace(",", "."))


def table(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def select(at: AppTest, row: int) -> AppTest:
    """A click on a row of the report (the table's selection state, as the browser sets it)."""
    at.session_state["cost_table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_each_chapter_s_subtotal_stands_above_its_lines_and_equals_their_sum(
    page: AppTest,
) -> None:
    frame = table(page)
    level = frame["Niveau"].tolist()
    report = cost_report(Path(os.environ["CINELEDGER_DB"]), "dernier-tram", DEMO_AT)
    assert level.count("Sous-total du chapitre") == report.chapters.height
    assert level[-1] == "TOTAL" and level.count("Poste") == report.lines.height
    money = ["Budget", "Réel", "Engagé", "Reste à dépenser", "Coût final estimé", "Écart"]
    chapters = [i for i, x in enumerate(level) if x == "Sous-total du chapitre"]
    for start, end in zip(chapters, [*chapters[1:], len(level) - 1], strict=True):
        subtotal, lines = frame.iloc[start], frame.iloc[start + 1 : end]
        assert len(lines) > 0 and all(lines["Poste"].str.startswith(f"{subtotal['Poste']}."))
        assert subtotal["Libellé"].isupper()  # the chapter reads as a heading
        for column in money:
            assert amount(subtotal[column]) == sum(amount(x) for x in lines[column]), column
        assert subtotal["Dépenses"] == lines["Dépenses"].sum()
    total = frame.iloc[-1]
    assert total["Poste"] == "TOTAL" and total["Budget"] == "3\u202f266\u202f000,00"
    assert amount(total["Réel"]) == sum(amount(frame.iloc[i]["Réel"]) for i in chapters)


def test_variance_and_percent_spent_are_beside_the_codes_and_pinned(page: AppTest) -> None:
    frame = table(page)
    assert list(frame.columns[:5]) == ["Dépassement", "Poste", "Libellé", "Écart", SPENT]
    assert frame[SPENT].iloc[1] == "84,3\u00a0%"  # a decimal comma, never a point
    assert not frame[SPENT].dropna().str.contains(".", regex=False).any()
    config = json.loads(page.dataframe[0].proto.columns)
    assert {c for c, v in config.items() if v.get("pinned")} == {
        "Poste",
        "Libellé",
        "Écart",
        SPENT,
    }
    # over budget flagged in a column of its own, exactly the rows with a negative variance
    flagged = frame["Dépassement"] == "⚠ dépassé"  # in words, not a sign alone
    negative = frame["Écart"].str.lstrip().str.startswith(("-", "\u2212"))
    assert flagged.any() and (flagged == negative).all()


def test_a_click_on_a_chapter_opens_its_expenses(page: AppTest) -> None:
    frame = table(page)
    row = frame.index[(frame["Poste"] == "7") & (frame["Niveau"] == "Sous-total du chapitre")][0]
    at = select(page, int(row))
    assert at.subheader[-1].value.startswith("Dépenses · 7 · ")
    expenses = at.dataframe[1].value
    assert set(expenses["Poste"]) <= {c for c in frame["Poste"] if c.startswith("7.")}
    chapter_actual = frame.iloc[row]["Réel"]
    summary = next(c.value for c in at.caption if c.value.startswith("Dépenses réelles"))
    assert f"total {chapter_actual}\u00a0€" in summary
    shown_actual = expenses[expenses["Statut"] == "réelle"]["Montant"].map(amount).sum()
    assert shown_actual == amount(chapter_actual)  # every expense of the chapter is shown
    assert expenses["Date"].str.fullmatch(r"\d\d/\d\d/\d{4}").all()  # dates as dates
    assert set(expenses["Statut"]) <= {"réelle", "engagée"}  # statuses in words
    assert not expenses["Territoire"].str.fullmatch(r"[A-Z]{2}(-\w+)?").any()  # names, not codes
    assert not expenses.isna().any().any()


def test_a_click_on_a_line_opens_its_expenses_count_and_total(page: AppTest) -> None:
    frame = table(page)
    row = int(frame.index[frame["Poste"] == "7.01"][0])
    at = select(page, row)
    expenses = at.dataframe[1].value
    assert set(expenses["Poste"]) == {"7.01"}
    actual = expenses[expenses["Statut"] == "réelle"]
    summary = next(c.value for c in at.caption if c.value.startswith("Dépenses réelles"))
    assert summary.startswith(f"Dépenses réelles : {len(actual)}, total {frame.iloc[row]['Réel']}")
    assert actual["Montant"].map(amount).sum() == amount(frame.iloc[row]["Réel"])
    assert not at.main.selectbox  # no more two-dropdown drill


def test_the_total_row_asks_for_a_chapter_or_a_line(page: AppTest) -> None:
    at = select(page, len(table(page)) - 1)
    assert len(at.dataframe) == 1
    assert any(c.value.startswith("Le TOTAL regroupe") for c in at.caption)


def test_the_drill_down_speaks_dutch(page: AppTest) -> None:
    page.sidebar.radio[0].set_value("nl").run()
    frame = table(page)
    row = int(frame.index[frame["Post"] == "7.01"][0])
    at = select(page, row)
    expenses = at.dataframe[1].value
    assert {"Datum", "Leverancier", "Status", "Bedrag"} <= set(expenses.columns)
    assert set(expenses["Status"]) <= {"werkelijk", "vastgelegd"}
    assert frame["Niveau"].iloc[0] == "Subtotaal hoofdstuk"


def test_the_table_exports_as_a_workbook_with_money_as_numbers(page: AppTest) -> None:
    (button,) = [b for b in page.get("download_button") if "XLSX" in b.proto.label]
    assert button.proto.label == "Exporter le tableau (XLSX)"
    db = Path(os.environ["CINELEDGER_DB"])
    report = cost_report(db, "dernier-tram", DEMO_AT)
    rows = cost.report_rows(report)
    assert cost.xlsx_name("dernier-tram", DEMO_AT) == "dernier-tram-cost-report-2026-11-22.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(cost.xlsx_bytes(rows, "Rapport")))
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[3]]
    assert header[:4] == ["Poste", "Libellé", "Écart", SPENT]
    last = list(sheet[sheet.max_row])
    assert last[0].value == "TOTAL"
    for column in FIGURES:
        cell = last[header.index(t(cost.HEADERS[column]))]
        assert isinstance(cell.value, int | float), (column, cell.value)  # a number, not text
        assert Decimal(str(cell.value)).quantize(Decimal("0.01")) == report.totals[column]
        assert "€" in cell.number_format and cell.font.bold
    # a chapter's sub-total in bold, a line not
    assert sheet.cell(4, 1).font.bold and not sheet.cell(5, 1).font.bold
    assert sheet.max_row - 3 == rows.height
    assert fmt_money(report.totals["budget"], "fr") == "3\u202f266\u202f000,00"


def test_report_rows_keep_the_figures_exact() -> None:
    lines = pl.DataFrame(
        {
            "code": ["1.01", "1.02", "2.01"],
            "chapter_code": ["1", "1", "2"],
            "label": ["a", "b", "c"],
            **{c: [Decimal("1.10"), Decimal("2.25"), Decimal("3")] for c in FIGURES},
            "pct_spent": [Decimal("1.0")] * 3,
            "expenses": [1, 2, 3],
        }
    ).with_columns(pl.col(c).cast(pl.Decimal(18, 2)) for c in FIGURES)
    chapters = pl.DataFrame(
        {
            "chapter_code": ["1", "2"],
            "chapter_label": ["Un", "Deux"],
            **{c: [Decimal("3.35"), Decimal("3")] for c in FIGURES},
            "pct_spent": [Decimal("1.0")] * 2,
        }
    ).with_columns(pl.col(c).cast(pl.Decimal(18, 2)) for c in FIGURES)

    class Report:
        pass

    report = Report()
    report.lines, report.chapters = lines, chapters  # type: ignore[attr-defined]
    report.layout = "cnc"  # type: ignore[attr-defined]
    report.totals = {c: Decimal("6.35") for c in FIGURES}  # type: ignore[attr-defined]
    rows = cost.report_rows(report)  # type: ignore[arg-type]
    assert rows["kind"].to_list() == ["chapter", "line", "line", "chapter", "line", "total"]
    assert rows["code"].to_list()[:3] == ["1", "1.01", "1.02"]
    assert rows["actual"].dtype == pl.Decimal(18, 2)
    assert rows["actual"].to_list()[0] == Decimal("3.35")
    assert rows["expenses"].to_list() == [3, 1, 2, 3, 3, 6]


def test_the_chapters_are_named_in_the_readers_language(demo_dashboard: Path) -> None:
    """A French devis read in Dutch: its chapters by the layout's Dutch names, its lines as the
    devis writes them."""
    at = open_dashboard("cost_report")
    at.sidebar.radio[0].set_value("nl").run()
    labels = [str(v) for v in at.dataframe[0].value.iloc[:, 2].to_list()]
    assert "ARTISTIEKE RECHTEN" in labels and "DROITS ARTISTIQUES" not in labels
