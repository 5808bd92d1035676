"""Column headers, words and sheet names of the justification files, in the file's language
(French for the Belgian and French funders; Dutch and English on request): the texts are the
message catalogue's (`export.col.<key>`, `export.word.<key>`, `export.sheet.<key>`); this module
keeps only each column's width and kind of value."""

from __future__ import annotations

from finance.domain import i18n

#: key: (width, kind of value) of every column a justification sheet can have
COLUMNS: dict[str, tuple[int, str]] = {
    "supplier": (30, "text"),
    "supplier_vat": (18, "text"),
    "country": (6, "text"),
    "postcode": (9, "text"),
    "territory": (9, "text"),
    # the address the territory was tested on (schemes that test a supplier's recorded address)
    "address_used": (22, "address"),
    "invoice_ref": (16, "text"),
    "doc_date": (11, "date"),
    "paid_on": (11, "date"),
    "budget_code": (7, "text"),
    "budget_label": (28, "text"),
    "amount_orig": (14, "money"),
    "currency": (6, "text"),
    "fx_rate": (11, "rate"),
    "amount": (15, "money"),
    "eligible_amount": (15, "money"),
    # the agreement an expense counts for (schemes whose agreements stand on their own)
    "agreement": (12, "number"),
    "reasons": (40, "text"),
    "document": (28, "text"),
    # the payee's Belgian tax regime and its fee slip (schemes that count payees abroad by it)
    "tax_regime": (18, "regime"),
    "fee_slip": (16, "text"),
    "missing": (30, "missing"),
    "rule": (32, "text"),
    "status": (10, "text"),
    "measured": (15, "money"),
    "threshold": (15, "money"),
    "shortfall": (15, "money"),
    "projected": (15, "money"),
    "explanation": (60, "text"),
    "parameters": (80, "text"),
    # whether the result rests only on inputs checked against the legal text, and which not
    "verification": (60, "text"),
}
#: headers the dashboard shares with the files, under the dashboard's key
_SHARED = {"agreement": "agreements.col.agreement", "verification": "export.verification"}


def label(key: str, lang: str) -> str:
    """A column's header, or a word of the files (`chapter_total`, `grand_total`,
    `unverified`), in the language."""
    if key in COLUMNS:
        return i18n.text(_SHARED.get(key, f"export.col.{key}"), lang)
    return i18n.text(f"export.word.{key}", lang)


def width(key: str) -> int:
    """A column's width in characters."""
    return COLUMNS[key][0]


def kind(key: str) -> str:
    """What a column holds (text, date, money, rate, number, regime, address,
    missing): its cell
    format, or the codes it says in words."""
    return COLUMNS[key][1]


def sheet_name(key: str, lang: str) -> str:
    """A sheet's name in the language (summary, eligible, excluded, missing, provenance,
    cost)."""
    return i18n.text(f"export.sheet.{key}", lang)
