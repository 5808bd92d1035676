"""Foreign currency through the ECB rates file, and the canonical layout in an XLSX workbook."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from finance.domain.errors import UserError
from finance.importers.budget import import_budget
from finance.importers.ingest import import_expenses
from finance.importers.rates import import_rates
from finance.store.db import connect
from finance.store.productions import add_production
from tests.belgian_csv import setup_production

ECB = """Date,USD,JPY,GBP,CYP,
2025-04-04,1.1053,160.61,0.85118,N/A,
2025-04-03,1.1097,160.08,0.84588,N/A,
"""


@pytest.fixture
def production(tmp_path: Path, db: Path) -> Path:
    manifest, devis = setup_production(tmp_path)
    add_production(db, manifest)
    import_budget(db, "essai", devis)
    return tmp_path


def expense_rows(db: Path) -> list[tuple[object, ...]]:
    with connect(db, read_only=True) as con:
        return con.execute(
            "SELECT supplier, amount_orig, currency, fx_rate, fx_source, amount, doc_date, source_sheet, source_row "
            "FROM v_expenses ORDER BY source_row"
        ).fetchall()


def test_a_foreign_amount_without_rate_is_refused_until_rates_are_loaded(
    production: Path, db: Path
) -> None:
    path = production / "usd.csv"
    path.write_text(
        "date,supplier,country,budget_code,amount,currency\n"
        "2025-04-06,Hollywood Rentals,US,7.01,1000.00,USD\n",
        encoding="utf-8",
    )
    with pytest.raises(UserError) as err:
        import_expenses(db, "essai", [path])
    assert "a EUR rate is needed" in str(err.value.problems[0])
    outcome = import_rates(db, _ecb(production))
    assert (outcome.rates, outcome.currencies) == (6, 3)
    assert import_rates(db, _ecb(production)).unchanged
    import_expenses(db, "essai", [path])
    (row,) = expense_rows(db)
    # Sunday 6 April: the latest rate is Friday's, 1.1053 USD per EUR -> 0.90473174 EUR per USD
    assert row[3] == Decimal("0.90473175") and row[4] == "rates table, 2025-04-04"
    assert row[5] == Decimal("904.73")


def _ecb(folder: Path) -> Path:
    path = folder / "eurofxref-hist.csv"
    path.write_text(ECB, encoding="utf-8")
    return path


def test_a_rate_on_the_line_wins_and_is_kept(production: Path, db: Path) -> None:
    path = production / "gbp.csv"
    path.write_text(
        "date;supplier;country;budget_code;amount;currency;fx_rate\n"
        "03/04/2025;London Lens;GB;7.01;1.000,00;GBP;1,1723\n",
        encoding="cp1252",
    )
    import_expenses(db, "essai", [path])
    (row,) = expense_rows(db)
    assert row[1:6] == (
        Decimal("1000.00"),
        "GBP",
        Decimal("1.17230000"),
        "rate on the expense line",
        Decimal("1172.30"),
    )


def test_an_xlsx_expense_file_imports_with_sheet_and_row(production: Path, db: Path) -> None:
    path = production / "depenses.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Dépenses"
    sheet.append(["Relevé des dépenses, avril 2025"])
    sheet.append([])
    sheet.append(["Date facture", "Fournisseur", "Pays", "Code postal", "Poste", "Montant HT"])
    sheet.append([date(2025, 4, 3), "Studio Lumière", "BE", 1050, "2.01", 1234.56])
    sheet.append([date(2025, 4, 4), "Éclairages Wallons", "BE", "4000", 7.01, 0.1 + 0.2])
    book.save(path)
    import_expenses(db, "essai", [path])
    rows = expense_rows(db)
    assert [(r[0], r[5], r[6], r[7], r[8]) for r in rows] == [
        ("Studio Lumière", Decimal("1234.56"), date(2025, 4, 3), "Dépenses", 4),
        ("Éclairages Wallons", Decimal("0.30"), date(2025, 4, 4), "Dépenses", 5),
    ]
