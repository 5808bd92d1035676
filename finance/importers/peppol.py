"""E-invoices: Peppol BIS Billing 3.0 (UBL 2.1), UN/CEFACT CII and Factur-X PDFs (finance.importers
.cii); invoices and credit notes, one file, a folder or a zip of files. One expense per document
(the net total, so document-level allowances and charges are right); a credit note reduces
spend. XML is parsed safely: no DTD, no entities, size limits. In a folder or a zip, a document
that cannot be read is one invalid row with its reason (quarantined by `--skip-invalid`); the
others are read.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
import polars as pl
from defusedxml import DefusedXmlException

from finance.domain import i18n
from finance.domain.errors import UserError
from finance.domain.validate import PROBLEM_SCHEMA
from finance.importers import cii
from finance.importers.base import EXPENSE_SCHEMA, Extracted
from finance.importers.canonical import type_and_check
from finance.importers.xmlcells import embedded_pdf, node_text, signed

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
ROOTS = {
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice": 1,
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote": -1,
}
MAX_DOCUMENT = 20 * 1024 * 1024  # bytes of one XML document
MAX_ARCHIVE_TOTAL = 500 * 1024 * 1024  # uncompressed bytes of a zip
MAX_ARCHIVE_MEMBERS = 10_000
MAX_RATIO = 200  # uncompressed / compressed of a zip member


#: the files of a folder or zip that are read as e-invoices
SUFFIXES = (".xml", ".pdf")
#: bytes read to recognise a document (licence comments can come before the root element)
HEAD = 65536


@dataclass(frozen=True)
class Document:
    """One e-invoice file (XML, or a Factur-X PDF) and where it came from; `error` says why a
    file of a folder or zip could not be read."""

    name: str
    data: bytes
    error: str | None = None


def identify(path: Path) -> bool:
    """A UBL Invoice or CreditNote, a CII invoice, a PDF (Factur-X), a folder or zip of them."""
    if path.is_dir() or path.suffix.lower() in (".zip", ".pdf"):
        return True
    if path.suffix.lower() != ".xml":
        return False
    with path.open("rb") as fh:
        head = fh.read(HEAD)
    return b"Invoice-2" in head or b"CreditNote-2" in head or b"CrossIndustryInvoice" in head


#: what a damaged or hostile archive raises while being opened or read
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError)


def _zip_documents(path: Path) -> list[Document]:
    try:
        archive = zipfile.ZipFile(path)
    except ZIP_ERRORS:
        raise i18n.error("error.zip.unreadable", name=path.name) from None
    with archive:
        infos = [
            i
            for i in archive.infolist()
            if not i.is_dir() and i.filename.lower().endswith(SUFFIXES)
        ]
        if len(infos) > MAX_ARCHIVE_MEMBERS:
            raise i18n.error(
                "error.zip.too_many_files", name=path.name, limit=str(MAX_ARCHIVE_MEMBERS)
            )
        total = sum(i.file_size for i in infos)
        bomb = [
            i.filename
            for i in infos
            if i.file_size > MAX_DOCUMENT or i.file_size > MAX_RATIO * max(i.compress_size, 1)
        ]
        if total > MAX_ARCHIVE_TOTAL or bomb:
            raise i18n.error("error.zip.bomb", name=path.name, files=str(bomb[:3]))
        try:
            return [
                # the member's full path in the archive: two members of one base name stay two
                Document(f"{path.name}:{i.filename.replace(chr(92), '/')}", archive.read(i))
                for i in infos
            ]
        except ZIP_ERRORS as exc:
            raise i18n.error(
                "error.zip.damaged", name=path.name, detail=type(exc).__name__
            ) from None


def documents(path: Path) -> list[Document]:
    """Every e-invoice named by the path (file, folder or zip), size-checked. In a folder, a
    file that cannot be read (a damaged zip, one too large) is a Document with its `error`."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in (*SUFFIXES, ".zip"))
        found = []
        for f in files:
            try:
                found.extend(documents(f))
            except UserError as exc:
                found.append(Document(f.name, b"", str(exc)))
        return found
    if path.suffix.lower() == ".zip":
        return _zip_documents(path)
    if path.stat().st_size > MAX_DOCUMENT:
        raise i18n.error(
            "error.einvoice.too_large", name=path.name, limit=str(MAX_DOCUMENT // 1024 // 1024)
        )
    return [Document(path.name, path.read_bytes())]


def parse(doc: Document, data: bytes | None = None) -> Element:
    """Parse safely: DTDs, entities and external references are refused."""
    try:
        root: Element = SafeET.fromstring(
            doc.data if data is None else data,
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        )
    except DefusedXmlException as exc:
        raise i18n.error("error.xml.dtd", name=doc.name, detail=type(exc).__name__) from None
    except SafeET.ParseError as exc:
        raise i18n.error("error.xml.malformed", name=doc.name, detail=str(exc)) from None
    if root.tag not in ROOTS and root.tag != cii.ROOT:
        raise i18n.error("error.xml.not_einvoice", name=doc.name, root=root.tag.split("}")[-1])
    return root


def read_document(doc: Document) -> tuple[dict[str, Any], tuple[str, bytes] | None]:
    """The expense cells of one document, whatever its format; a UserError when unreadable."""
    if doc.error is not None:
        raise UserError(doc.error)
    if cii.is_pdf(doc.data):
        root = parse(doc, cii.embedded_xml(doc.name, doc.data))
        if root.tag != cii.ROOT:
            return document_row(root, doc)  # a PDF carrying UBL: read as UBL, the XML's own PDF
        return cii.document_row(root, doc.name, doc.data)
    root = parse(doc)
    return cii.document_row(root, doc.name) if root.tag == cii.ROOT else document_row(root, doc)


def _format(docs: list[Document]) -> str:
    """The batch's format: `peppol_ubl`, `cii`, `factur_x`, or `e_invoice` when they mix."""
    kinds = {
        "factur_x"
        if cii.is_pdf(d.data)
        else "cii"
        if b"CrossIndustryInvoice" in d.data[:HEAD]
        else "peppol_ubl"
        for d in docs
        if d.error is None
    }
    return kinds.pop() if len(kinds) == 1 else "e_invoice"


def _text(node: Element | None, path: str) -> str | None:
    return node_text(node, path, NS)


def _accounting_reference(root: Element) -> str | None:
    """The buyer's accounting reference: the document's, else the lines' when they agree."""
    own = _text(root, "cbc:AccountingCost")
    lines = {
        _text(line, "cbc:AccountingCost")
        for line in root.findall("cac:InvoiceLine", NS) + root.findall("cac:CreditNoteLine", NS)
    } - {None}
    return own or (lines.pop() if len(lines) == 1 else None)


def _vat_number(party: Element | None) -> str | None:
    """The supplier's VAT number: its tax scheme `VAT` (a German invoice may list its tax
    number, scheme `FC`, first), else the first tax scheme, else its legal registration."""
    if party is None:
        return None
    for scheme in party.findall("cac:PartyTaxScheme", NS):
        if (_text(scheme, "cac:TaxScheme/cbc:ID") or "").upper() == "VAT":
            found = _text(scheme, "cbc:CompanyID")
            if found:
                return found
    return _text(party, "cac:PartyTaxScheme/cbc:CompanyID") or _text(
        party, "cac:PartyLegalEntity/cbc:CompanyID"
    )


def _attachment(root: Element) -> tuple[str, bytes] | None:
    """The embedded PDF (the invoice as the supplier sent it), if any."""
    return embedded_pdf(root, f"{{{NS['cbc']}}}EmbeddedDocumentBinaryObject")


def document_row(root: Element, doc: Document) -> tuple[dict[str, Any], tuple[str, bytes] | None]:
    """The canonical expense cells (text) of one document, and its embedded PDF."""
    sign = ROOTS[root.tag]
    party = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    currency = _text(root, "cbc:DocumentCurrencyCode")
    tax = next(
        (
            t
            for t in root.findall("cac:TaxTotal/cbc:TaxAmount", NS)
            if t.get("currencyID") == currency
        ),
        None,
    )
    items = [
        _text(line, "cac:Item/cbc:Name")
        for line in root.findall("cac:InvoiceLine", NS) + root.findall("cac:CreditNoteLine", NS)
    ]
    description = " / ".join(i for i in items[:3] if i) + (
        f" (+{len(items) - 3})" if len(items) > 3 else ""
    )
    attachment = _attachment(root)
    row = {
        "date": _text(root, "cbc:IssueDate"),
        "supplier": _text(party, "cac:PartyLegalEntity/cbc:RegistrationName")
        or _text(party, "cac:PartyName/cbc:Name"),
        "country": _text(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
        "postcode": _text(party, "cac:PostalAddress/cbc:PostalZone"),
        "budget_code": _accounting_reference(root),
        "amount": signed(_text(root, "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount"), sign),
        "currency": currency,
        "vat_amount": signed(tax.text.strip() if tax is not None and tax.text else None, sign),
        "supplier_vat": _vat_number(party),
        "invoice_ref": _text(root, "cbc:ID"),
        "description": ("Credit note: " if sign < 0 else "") + (description or ""),
        "status": "actual",
        "payee_type": "company",
        "document": f"embedded:{attachment[0]}" if attachment else doc.name,
    }
    return row, attachment


def extract(path: Path, currency: str) -> Extracted:
    """Every document under `path` as canonical rows, typed and checked like any other file.

    A single file that cannot be read refuses the import; in a folder or a zip, such a file is
    a row with one problem (its reason), so that `--skip-invalid` quarantines it alone."""
    docs = documents(path)
    if not docs:
        raise i18n.error("error.einvoice.none_found", name=path.name)
    single = not path.is_dir() and path.suffix.lower() != ".zip"
    rows: list[dict[str, Any]] = []
    shas, attachments, unreadable = [], {}, {}
    for position, doc in enumerate(docs, start=1):
        try:
            row, attachment = read_document(doc)
        except UserError as exc:
            if single:
                raise
            row, attachment = {"document": doc.name}, None
            unreadable[position] = str(exc).removeprefix(f"{doc.name}: ")
        rows.append(row)
        shas.append(hashlib.sha256(doc.data or doc.name.encode()).hexdigest())
        if attachment:
            attachments[attachment[0]] = attachment[1]
    fmt = _format(docs)
    # each document is row 1 of itself; its position numbers it while typing and checking
    raw = pl.DataFrame(rows, schema=dict.fromkeys(EXPENSE_SCHEMA, pl.String))
    raw = raw.with_columns(pl.int_range(1, len(docs) + 1, dtype=pl.Int64).alias("_row")).select(
        "_row", *EXPENSE_SCHEMA
    )
    typed, problems = type_and_check(raw, currency)
    if unreadable:
        problems = pl.concat(
            [
                problems.filter(~pl.col("_row").is_in(list(unreadable))),
                pl.DataFrame(
                    {
                        "_row": list(unreadable),
                        "column": ["file"] * len(unreadable),
                        "value": [docs[i - 1].name for i in unreadable],
                        "reason": [f"cannot be read: {r}" for r in unreadable.values()],
                    },
                    schema=PROBLEM_SCHEMA,
                ),
            ]
        )
    file_sha = (
        hashlib.sha256("".join(sorted(shas)).encode()).hexdigest() if len(docs) > 1 else shas[0]
    )
    names = pl.DataFrame(
        {"_row": range(1, len(docs) + 1), "_file": [d.name for d in docs]},
        schema={"_row": pl.Int64, "_file": pl.String},
    )
    out = (
        pl.concat(
            [
                typed.select("_row", *EXPENSE_SCHEMA),
                typed.select(pl.col(f"raw_{c}") for c in EXPENSE_SCHEMA),
            ],
            how="horizontal",
        )
        .join(names, on="_row", how="left")
        .with_columns(
            pl.lit(1, pl.Int64).alias("_row"),
            pl.lit(None, pl.String).alias("_sheet"),
            pl.lit(file_sha).alias("_sha256"),
            pl.Series("_doc", shas),
            pl.lit(fmt).alias("_format"),
        )
    )
    problems = problems.join(names, on="_row", how="left").with_columns(
        pl.lit(1, pl.Int64).alias("_row")
    )
    problems = problems.filter(
        pl.col("column") != "budget_code"
    )  # a missing line waits to be coded
    return Extracted(
        out,
        problems.select("_file", *PROBLEM_SCHEMA),
        path.name,
        file_sha,
        fmt,
        None,
        attachments=attachments,
    )
