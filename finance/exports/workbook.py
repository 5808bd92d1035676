"""The justification workbook (XLSX), streamed row by row (constant memory).

Sheets: summary of the rules, eligible expenses by chapter with subtotals, excluded expenses with
their reasons, missing paperwork, provenance. Text is always written as text, so a cell such as
`=HYPERLINK(...)` can never execute; totals are formulas with their values.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from finance.exports.data import ExportData
from finance.exports.labels import COLUMNS, SHEETS, label
from rules.sentences import reason_text

FIXED_TIME = datetime(2026, 1, 1)


class Writer:
    """A workbook with the house formats; text never becomes a formula."""

    def __init__(self, path: Path, lang: str) -> None:
        self.lang = lang
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
        self.warn = self.book.add_format({"font_color": "#C62828", "bold": True})

    def cell(self, sheet: Any, row: int, col: int, value: Any, kind: str = "text") -> None:
        if value is None:
            sheet.write_blank(row, col, None)
        elif kind == "money":
            sheet.write_number(row, col, float(Decimal(value)), self.money)
        elif kind == "rate":
            sheet.write_number(row, col, float(Decimal(value)), self.rate)
        elif kind == "date":
            sheet.write_datetime(row, col, datetime.combine(value, datetime.min.time()), self.date)
        else:
            sheet.write_string(row, col, str(value))

    def table_sheet(self, name: str, keys: list[str]) -> Any:
        sheet = self.book.add_worksheet(SHEETS[name][self.lang])
        for col, key in enumerate(keys):
            sheet.write_string(0, col, label(key, self.lang), self.head)
            sheet.set_column(col, col, COLUMNS[key][3])
        sheet.freeze_panes(1, 0)
        return sheet


def _reasons(codes: list[str] | None, lang: str) -> str:
    return "; ".join(reason_text(c, lang) for c in codes or []) or reason_text("counts", lang)


EXPENSE_KEYS = [
    "supplier",
    "supplier_vat",
    "country",
    "postcode",
    "territory",
    "invoice_ref",
    "doc_date",
    "paid_on",
    "budget_code",
    "budget_label",
    "amount_orig",
    "currency",
    "fx_rate",
    "amount",
    "eligible_amount",
    "reasons",
    "document",
]


def _expense_row(w: Writer, sheet: Any, row: int, r: dict[str, Any]) -> None:
    for col, key in enumerate(EXPENSE_KEYS):
        value = _reasons(r["reasons"], w.lang) if key == "reasons" else r[key]
        w.cell(sheet, row, col, value, COLUMNS[key][4])


def _total_row(
    w: Writer, sheet: Any, row: int, first: int, last: int, text: str, values: dict[str, Decimal]
) -> None:
    sheet.write_string(row, 0, text, w.bold)
    for key in ("amount", "eligible_amount"):
        col = EXPENSE_KEYS.index(key)
        letter = xlsxwriter.utility.xl_col_to_name(col)
        sheet.write_formula(
            row,
            col,
            f"=SUBTOTAL(9,{letter}{first + 1}:{letter}{last + 1})",
            w.bold_money,
            float(values[key]),
        )


def expenses_sheet(w: Writer, name: str, frame: pl.DataFrame) -> Decimal:
    """Expenses by chapter with a subtotal per chapter and a grand total; returns the eligible total."""
    sheet = w.table_sheet(name, EXPENSE_KEYS)
    row, grand = 1, {"amount": Decimal(0), "eligible_amount": Decimal(0)}
    for (chapter,), part in frame.group_by("chapter_code", maintain_order=True):
        first = row
        for r in part.iter_rows(named=True):
            _expense_row(w, sheet, row, r)
            row += 1
        sums = {k: Decimal(part[k].sum() or 0) for k in grand}
        grand = {k: grand[k] + sums[k] for k in grand}
        label_text = (
            f"{label('chapter_total', w.lang)} {chapter} · {part['chapter_label'][0] or ''}"
        )
        _total_row(w, sheet, row, first, row - 1, label_text, sums)
        row += 1
    _total_row(w, sheet, row, 1, max(row - 1, 1), label("grand_total", w.lang), grand)
    sheet.autofilter(0, 0, max(row - 1, 1), len(EXPENSE_KEYS) - 1)
    return grand["eligible_amount"]


SUMMARY_KEYS = [
    "rule",
    "status",
    "measured",
    "threshold",
    "shortfall",
    "projected",
    "explanation",
    "parameters",
]


def _parameters_text(result: dict[str, Any], lang: str) -> str:
    parts = []
    for p in result.get("parameters", []):
        flag = (
            f" [{label('unverified', lang)}]"
            if p["confidence"] == "unverified" or not p["verified"]
            else ""
        )
        parts.append(
            f"{p['name']} = {p['value']} ({p['source']}; {p['confidence']}; {p['valid_from']}){flag}"
        )
    return "\n".join(parts)


def summary_sheet(w: Writer, data: ExportData) -> None:
    sheet = w.table_sheet("summary", SUMMARY_KEYS)
    for row, r in enumerate(data.results, start=1):
        values = {**r, "rule": r["rule_id"], "parameters": _parameters_text(r, w.lang)}
        for col, key in enumerate(SUMMARY_KEYS):
            w.cell(sheet, row, col, values.get(key), COLUMNS[key][4])
    below = len(data.results) + 2
    sheet.write_string(
        below,
        0,
        f"{data.title} ({data.production_id}) · {data.scheme} · {data.at.isoformat()}",
        w.bold,
    )


def missing_sheet(w: Writer, frame: pl.DataFrame) -> None:
    keys = [
        "missing",
        "supplier",
        "supplier_vat",
        "invoice_ref",
        "doc_date",
        "budget_code",
        "amount",
        "document",
    ]
    sheet = w.table_sheet("missing", keys)
    for row, r in enumerate(frame.iter_rows(named=True), start=1):
        for col, key in enumerate(keys):
            w.cell(sheet, row, col, r[key], COLUMNS[key][4])
    sheet.autofilter(0, 0, max(frame.height, 1), len(keys) - 1)


def provenance_sheet(w: Writer, data: ExportData, content_hash: str) -> None:
    sheet = w.book.add_worksheet(SHEETS["provenance"][w.lang])
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 5, 24)
    lines: list[list[Any]] = [
        ["Cinéledger", "justification file"],
        ["production", data.production_id],
        ["scheme", data.scheme],
        ["as at", data.at.isoformat()],
        ["rulebook", data.rulebook],
        ["rule run", str(data.run_id)],
        ["generated", datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")],
        ["content sha256", content_hash],
        [],
        ["parameter", "value", "source", "confidence", "verified", "valid from"],
    ]
    seen = set()
    for r in data.results:
        for p in r.get("parameters", []):
            if p["name"] not in seen:
                seen.add(p["name"])
                lines.append(
                    [
                        p["name"],
                        p["value"],
                        p["source"],
                        p["confidence"],
                        str(p["verified"]),
                        p["valid_from"],
                    ]
                )
    lines += [[], ["import batch", "kind", "file", "sha256", "rows", "imported at", "by"]]
    for b in data.batches.iter_rows(named=True):
        lines.append(
            [
                str(b["id"]),
                b["kind"],
                b["file_name"],
                b["file_sha256"],
                str(b["rows_imported"]),
                str(b["imported_at"]),
                str(b["imported_by"] or ""),
            ]
        )
    lines += [[], ["audit trail", "when (UTC)", "who", "action", "target", "reason", "details"]]
    for a in data.audit.iter_rows(named=True):
        lines.append(
            [
                str(a["id"]),
                str(a["occurred_at"])[:19],
                a["actor"],
                a["action"],
                a["target"] or "",
                a["reason"] or "",
                a["details"] or "",
            ]
        )
    for row, values in enumerate(lines):
        for col, value in enumerate(values):
            sheet.write_string(row, col, str(value), w.bold if col == 0 else None)


def write_workbook(data: ExportData, out: Path, lang: str = "fr") -> str:
    """Write the justification workbook; returns the content hash it records."""
    content_hash = data.content_hash()
    w = Writer(out, lang)
    summary_sheet(w, data)
    expenses_sheet(w, "eligible", data.eligible)
    expenses_sheet(w, "excluded", data.excluded)
    missing_sheet(w, data.missing)
    provenance_sheet(w, data, content_hash)
    w.book.close()
    return content_hash
