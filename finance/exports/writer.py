"""The workbooks' writer: an XLSX file with the house formats, where text never becomes a
formula and money is a number with the money format (the justification workbooks, the final
cost statement, the cash-flow and financing plans)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from finance.exports import labels
from finance.exports.labels import label, sheet_name

FIXED_TIME = datetime(2026, 1, 1)


class Writer:
    """A workbook with the house formats; text never becomes a formula."""

    def __init__(self, path: Path, lang: str, figures: dict[str, Decimal] | None = None) -> None:
        self.lang = lang
        #: the run's parameters by name, for the reasons that show one (a cap's ratio)
        self.figures = figures or {}
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self.book.set_properties({"created": FIXED_TIME, "author": "Cinéledger"})
        self.head = self.book.add_format(
            {"bold": True, "bg_color": "#DDE5F0", "border": 1, "text_wrap": True}
        )
        self.money = self.book.add_format({"num_format": "#,##0.00"})
        self.bold_money = self.book.add_format({"num_format": "#,##0.00", "bold": True, "top": 1})
        self.bold = self.book.add_format({"bold": True})
        self.date = self.book.add_format({"num_format": "dd/mm/yyyy"})
        self.rate = self.book.add_format({"num_format": "0.00000000"})
        self.percent = self.book.add_format({"num_format": "0.00%"})
        self.bold_text = self.book.add_format({"bold": True, "top": 1})
        self.warn = self.book.add_format({"font_color": "#C62828", "bold": True})
        #: a row to find at a glance (the cash plan's lowest point): money and date
        low = {"bold": True, "bg_color": "#FDE2E1", "font_color": "#B71C1C"}
        self.low_money = self.book.add_format({**low, "num_format": "#,##0.00"})
        self.low_date = self.book.add_format({**low, "num_format": "dd/mm/yyyy"})

    def cell(self, sheet: Any, row: int, col: int, value: Any, kind: str = "text") -> None:
        if value is None:
            sheet.write_blank(row, col, None)
        elif kind == "money":
            sheet.write_number(row, col, float(Decimal(value)), self.money)
        elif kind == "rate":
            sheet.write_number(row, col, float(Decimal(value)), self.rate)
        elif kind == "percent":
            sheet.write_number(row, col, float(Decimal(value)), self.percent)
        elif kind in ("number", "days"):
            sheet.write_number(row, col, int(Decimal(value)))
        elif kind == "date":
            sheet.write_datetime(row, col, datetime.combine(value, datetime.min.time()), self.date)
        else:
            sheet.write_string(row, col, str(value))

    def table_sheet(self, name: str, keys: list[str]) -> Any:
        """A sheet with its header row frozen; each money, rate or date column carries its
        number format, so the rows are written whole (`write_row`) with no format per cell."""
        sheet = self.book.add_worksheet(sheet_name(name, self.lang))
        formats = {"money": self.money, "rate": self.rate, "date": self.date}
        for col, key in enumerate(keys):
            sheet.write_string(0, col, label(key, self.lang), self.head)
            sheet.set_column(col, col, labels.width(key), formats.get(labels.kind(key)))
        sheet.freeze_panes(1, 0)
        return sheet
