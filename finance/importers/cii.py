"""The French e-invoice formats beside UBL: UN/CEFACT Cross Industry Invoice (CII, EN 16931) and
Factur-X / ZUGFeRD, a PDF/A-3 that carries its CII XML as an embedded file (`factur-x.xml`).

A CII document gives the same expense cells as a Peppol UBL one (finance.importers.peppol): one
expense per document, its amount the total excluding VAT after document-level allowances and
charges (`TaxBasisTotalAmount`); credit notes (type code 381 and the other credit-note codes)
are negative. The XML is parsed by peppol.parse (no DTD, no entities, size limits); the PDF is
read by pypdf, and only its embedded files are looked at.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from finance.domain import i18n
from finance.domain.errors import UserError
from finance.importers.xmlcells import embedded_pdf, named_pdf, node_text, signed

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
NS = {
    "rsm": RSM,
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
ROOT = f"{{{RSM}}}CrossIndustryInvoice"
#: UNTDID 1001 codes of credit notes (EN 16931 allows these for BT-3): their amounts reduce spend
CREDIT_NOTE_CODES = frozenset(
    {"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"}
)
#: the names Factur-X, ZUGFeRD and XRechnung give the embedded XML, in order of preference
EMBEDDED_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")
MAX_EMBEDDED = 20 * 1024 * 1024  # bytes of the embedded XML

_AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
_SETTLEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
_TOTALS = f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
_LINES = "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"


def is_pdf(data: bytes) -> bool:
    """A PDF starts with `%PDF-` (a few bytes of junk before it are tolerated by readers)."""
    return b"%PDF-" in data[:1024]


def embedded_xml(name: str, data: bytes) -> bytes:
    """The CII XML a Factur-X / ZUGFeRD PDF carries; a UserError naming what is wrong."""
    from pypdf import PdfReader  # loaded only when a PDF is read
    from pypdf.errors import PyPdfError  # likewise: pypdf is loaded only for a PDF

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are not the user's
    try:
        files = PdfReader(io.BytesIO(data)).attachments
        found = {key.lower(): key for key in files}
        key = next((found[n] for n in EMBEDDED_NAMES if n in found), None)
        if key is None:
            key = next((k for k in files if k.lower().endswith(".xml")), None)
        payload = files[key][0] if key is not None and files[key] else None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError):
        raise i18n.error("error.pdf.unreadable", name=name) from None
    if payload is None:
        raise i18n.error("error.pdf.no_einvoice", name=name)
    if len(payload) > MAX_EMBEDDED:
        raise i18n.error("error.pdf.xml_too_large", name=name)
    return payload


#: what each kind of e-invoice file is, in English words (the catalogue says it in each language)
KINDS = {
    "pdf": "a PDF document",
    "facturx": "a Factur-X e-invoice (a PDF with its CII XML)",
    "cii": "a CII e-invoice (UN/CEFACT Cross Industry Invoice)",
    "ubl": "a UBL e-invoice (Peppol)",
}


def kind_of(path: Path) -> str | None:
    """Which kind of e-invoice file it is (a key of KINDS), for the importers of other files
    (devis, rates); None when it is not one."""
    if not path.is_file() or path.suffix.lower() not in (".xml", ".pdf"):
        return None
    with path.open("rb") as fh:
        head = fh.read(65536)  # licence comments can come before the root element
    if is_pdf(head):
        if path.stat().st_size > 50 * 1024 * 1024:
            return "pdf"
        try:
            embedded_xml(path.name, path.read_bytes())
        except UserError:
            return "pdf"
        return "facturx"
    if b"CrossIndustryInvoice" in head:
        return "cii"
    if b"Invoice-2" in head or b"CreditNote-2" in head:
        return "ubl"
    return None


def describe(path: Path) -> str | None:
    """What an e-invoice file is, in English words; None when it is not one."""
    kind = kind_of(path)
    return None if kind is None else KINDS[kind]


def _text(node: Element | None, path: str) -> str | None:
    return node_text(node, path, NS)


def _date(node: Element | None, path: str) -> str | None:
    """A CII date (`udt:DateTimeString format="102"`, YYYYMMDD) as ISO text; others as written."""
    text = _text(node, path)
    if text and len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text


def _vat_number(party: Element | None) -> str | None:
    """The seller's VAT number (scheme VA), else its legal registration (SIREN, SIRET...)."""
    if party is None:
        return None
    for reg in party.findall("ram:SpecifiedTaxRegistration/ram:ID", NS):
        if (reg.get("schemeID") or "").upper() == "VA" and reg.text and reg.text.strip():
            return reg.text.strip()
    return _text(party, "ram:SpecifiedLegalOrganization/ram:ID")


def _accounting_reference(root: Element) -> str | None:
    """The buyer's accounting reference (BT-19), else the lines' (BT-133) when they agree."""
    own = _text(root, f"{_SETTLEMENT}/ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID")
    lines = {
        _text(
            line,
            "ram:SpecifiedLineTradeSettlement/ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID",
        )
        for line in root.findall(_LINES, NS)
    } - {None}
    return own or (lines.pop() if len(lines) == 1 else None)


def _vat_amount(root: Element, currency: str | None) -> str | None:
    """The VAT total in the invoice currency (a second one may be in the tax currency)."""
    totals = root.findall(f"{_TOTALS}/ram:TaxTotalAmount", NS)
    chosen = next((t for t in totals if t.get("currencyID") == currency), None)
    if chosen is None and totals:
        chosen = next((t for t in totals if t.get("currencyID") is None), totals[0])
    return chosen.text.strip() if chosen is not None and chosen.text else None


def _attachment(root: Element) -> tuple[str, bytes] | None:
    """A PDF embedded in the XML itself (BG-24), if any."""
    return embedded_pdf(root, f"{{{NS['ram']}}}AttachmentBinaryObject")


def document_row(
    root: Element, name: str, pdf: bytes | None = None
) -> tuple[dict[str, Any], tuple[str, bytes] | None]:
    """The canonical expense cells (text) of one CII document, and its supporting PDF: the
    Factur-X PDF itself when it came in one, else a PDF embedded in the XML."""
    sign = -1 if _text(root, "rsm:ExchangedDocument/ram:TypeCode") in CREDIT_NOTE_CODES else 1
    seller = root.find(f"{_AGREEMENT}/ram:SellerTradeParty", NS)
    currency = _text(root, f"{_SETTLEMENT}/ram:InvoiceCurrencyCode")
    items = [_text(line, "ram:SpecifiedTradeProduct/ram:Name") for line in root.findall(_LINES, NS)]
    description = " / ".join(i for i in items[:3] if i) + (
        f" (+{len(items) - 3})" if len(items) > 3 else ""
    )
    attachment = named_pdf(pdf) if pdf is not None else _attachment(root)
    row = {
        "date": _date(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString"),
        "supplier": _text(seller, "ram:Name")
        or _text(seller, "ram:SpecifiedLegalOrganization/ram:TradingBusinessName"),
        "country": _text(seller, "ram:PostalTradeAddress/ram:CountryID"),
        "postcode": _text(seller, "ram:PostalTradeAddress/ram:PostcodeCode"),
        "budget_code": _accounting_reference(root),
        "amount": signed(_text(root, f"{_TOTALS}/ram:TaxBasisTotalAmount"), sign),
        "currency": currency,
        "vat_amount": signed(_vat_amount(root, currency), sign),
        "supplier_vat": _vat_number(seller),
        "invoice_ref": _text(root, "rsm:ExchangedDocument/ram:ID"),
        "description": ("Credit note: " if sign < 0 else "") + description,
        "status": "actual",
        "payee_type": "company",
        "document": f"embedded:{attachment[0]}" if attachment else name,
    }
    return row, attachment
