"""CII and Factur-X e-invoices (issue 17, point 7) and the import messages (point 9): real CII
files from open-source test suites (tests/fixtures/cii, see its README) import like Peppol UBL,
a Factur-X PDF is read and kept as the supporting document, an unreadable file of a folder is
quarantined alone, waiting documents are not "rejected", a folder imported twice lists its
documents to code once, the ECB's zip is read, and a Factur-X PDF given to the rates or devis
importer is named."""

from __future__ import annotations

import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from finance.domain.errors import UserError
from finance.importers.budget import import_budget
from finance.importers.ingest import import_expenses
from finance.importers.mappings import import_mappings
from finance.importers.peppol import extract
from finance.importers.rates import import_rates
from finance.store.db import connect
from finance.store.productions import add_production
from tests.cli_run import invoke as run_cli
from tests.conftest import EINVOICE_COLUMNS, check_golden
from tests.facturx import attached_pdf, facturx_pdf, plain_pdf

#: these tests read the commands' messages in English
pytestmark = pytest.mark.usefixtures("cli_in_english")

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CII = FIXTURES / "cii"
PEPPOL = FIXTURES / "peppol"
GOLDEN = Path(__file__).parent / "golden"
CREDIT_NOTE = CII / "testout-ZF2PushCreditNote.xml"
GBP_INVOICE = CII / "Extended_fremdwaehrung.xml"
CZK_INVOICE = CII / "AllowancesCharges.xml"


@pytest.fixture
def production(tmp_path: Path, db: Path) -> Path:
    (tmp_path / "m.yaml").write_text("id: fx\ntitle: Factur-X\nkind: feature\n", encoding="utf-8")
    (tmp_path / "devis.csv").write_text(
        "code,label,amount,category\n7.07,Optiques,50000,equipment\n8.05,VFX,50000,vfx\n",
        encoding="utf-8",
    )
    add_production(db, tmp_path / "m.yaml")
    import_budget(db, "fx", tmp_path / "devis.csv")
    (tmp_path / "map.csv").write_text(
        "supplier,budget_code\nDE123456789,8.05\nCZ2344566,8.05\n", encoding="utf-8"
    )
    (tmp_path / "ecb.csv").write_text(
        "Date,GBP,CZK,\n2024-11-15,0.83000,25.300,\n2025-01-15,0.84000,25.200,\n",
        encoding="utf-8",
    )
    return tmp_path


def _rows(ex_rows: pl.DataFrame) -> pl.DataFrame:
    return ex_rows.select(*EINVOICE_COLUMNS, "_format").sort("_file")


def test_real_cii_files_extract_like_ubl(update_golden: bool) -> None:
    ex = extract(CII, "EUR")
    rows = _rows(ex.rows)
    check_golden(
        GOLDEN / "cii_examples.expected.csv",
        rows.with_columns(pl.all().cast(pl.String)).write_csv(),
        update_golden,
    )
    by_file = {r["_file"]: r for r in rows.iter_rows(named=True)}
    assert by_file[CREDIT_NOTE.name]["amount"] == Decimal("-3.00"), "type 381 is negative"
    assert by_file[CREDIT_NOTE.name]["vat_amount"] == Decimal("-0.57")
    gbp = by_file[GBP_INVOICE.name]
    assert (gbp["amount"], gbp["currency"]) == (Decimal("858.75"), "GBP"), (
        "850 of lines + 30 charge - 21.25 allowance, prepayment not deducted"
    )
    assert gbp["vat_amount"] == Decimal("163.16"), "the VAT in the invoice currency, not EUR's"
    czk = by_file[CZK_INVOICE.name]
    assert (czk["amount"], czk["currency"], czk["budget_code"]) == (
        Decimal("2109.46"),
        "CZK",
        "1200",
    ), "the line's buyer accounting reference is the budget line asked for"
    assert {r["_format"] for r in by_file.values()} == {"cii"}


def test_a_bare_cii_file_imports_from_the_command_line(production: Path, db: Path) -> None:
    """Before: `unsupported file type .xml (CSV, TXT, TSV or XLSX)`."""
    import_mappings(db, "fx", production / "map.csv")
    import_rates(db, production / "ecb.csv")
    out = run_cli("import", "expenses", "fx", str(GBP_INVOICE), "--db", str(db))
    assert out.exit_code == 0, out.stderr
    assert "1 imported" in out.stdout
    with connect(db, read_only=True) as con:
        rows = con.execute(
            "SELECT supplier, budget_code, amount_orig, currency, amount FROM expenses"
        ).fetchall()
    assert rows == [
        ("Rohstoff AG Salzgitter", "8.05", Decimal("858.75"), "GBP", Decimal("1034.64"))
    ], "858.75 GBP at the ECB's 0.83 per EUR"


def test_a_facturx_pdf_imports_and_is_kept_as_the_supporting_document(
    production: Path, db: Path, tmp_path: Path
) -> None:
    import_mappings(db, "fx", production / "map.csv")
    import_rates(db, production / "ecb.csv")
    pdf = facturx_pdf(GBP_INVOICE.read_bytes(), "RECHNUNG 47110815")
    path = tmp_path / "rechnung-47110815.pdf"
    path.write_bytes(pdf)
    out = run_cli("import", "expenses", "fx", str(path), "--db", str(db))
    assert out.exit_code == 0, out.stderr
    with connect(db, read_only=True) as con:
        row = con.execute(
            "SELECT e.supplier, e.amount_orig, e.currency, e.document, b.format "
            "FROM expenses e JOIN import_batches b ON b.id = e.batch_id"
        ).fetchall()[0]
    assert row[:3] == ("Rohstoff AG Salzgitter", Decimal("858.75"), "GBP")
    assert row[4] == "factur_x"
    assert (db.with_suffix(".documents") / row[3].removeprefix("embedded:")).read_bytes() == pdf
    again = run_cli("import", "expenses", "fx", str(path), "--db", str(db))
    assert "already imported" in again.stdout, "the same PDF adds nothing"


def test_an_unreadable_file_in_a_folder_is_quarantined_alone(
    production: Path, db: Path, tmp_path: Path
) -> None:
    """Before: one CII file (or any file the product cannot read) in a folder aborted the whole
    import, even with --skip-invalid."""
    import_mappings(db, "fx", production / "map.csv")
    import_rates(db, production / "ecb.csv")
    folder = tmp_path / "factures"
    folder.mkdir()
    shutil.copy(GBP_INVOICE, folder)
    shutil.copy(PEPPOL / "base-negative-inv-correction.xml", folder)
    (folder / "order.xml").write_text("<Order><ID>1</ID></Order>", encoding="utf-8")
    (folder / "scan.pdf").write_bytes(plain_pdf("a scanned invoice"))
    with pytest.raises(UserError) as err:
        import_expenses(db, "fx", [folder])
    reasons = {p.file: p.reason for p in err.value.problems}
    assert "not an e-invoice" in reasons["order.xml"]
    assert "no factur-x.xml" in reasons["scan.pdf"]
    outcome = import_expenses(db, "fx", [folder], skip_invalid=True)
    (f,) = outcome.files
    assert (f.rows_read, f.rejected) == (4, 2)
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM expenses").fetchall()[0][0] == 1
        kept = con.execute(
            "SELECT source_file, kind, reasons FROM quarantine ORDER BY source_file"
        ).fetchall()
    assert [k[:2] for k in kept] == [
        ("base-negative-inv-correction.xml", "to_code"),  # GB supplier, no mapping: it waits
        ("order.xml", "invalid"),
        ("scan.pdf", "invalid"),
    ]
    assert "cannot be read" in kept[1][2]


def test_waiting_documents_are_not_rejected_and_are_listed_once(
    production: Path, db: Path, tmp_path: Path
) -> None:
    """Before: "2 rejected to quarantine" for documents merely waiting for a line, and a second
    import of the same folder or zip listed them twice in `to-code`."""
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(CREDIT_NOTE, folder)
    shutil.copy(GBP_INVOICE, folder)
    archive = tmp_path / "factures.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(CZK_INVOICE, CZK_INVOICE.name)
    import_rates(db, production / "ecb.csv")
    for _ in range(2):
        out = run_cli("import", "expenses", "fx", str(folder), str(archive), "--db", str(db))
        assert out.exit_code == 0, out.stderr
        assert "rejected" not in out.stdout
        assert "2 waiting for a budget line" in out.stdout
        assert "3 documents wait for a budget line" in out.stdout
    listed = run_cli("to-code", "fx", "--db", str(db))
    assert len(listed.stdout.strip().splitlines()) == 3, listed.stdout
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM quarantine").fetchall()[0][0] == 3


def test_a_ubl_folder_and_zip_imported_twice_list_their_documents_to_code_once(
    production: Path, db: Path, tmp_path: Path
) -> None:
    """The same defect with Peppol UBL alone (which the old code could read)."""
    folder = tmp_path / "ubl"
    folder.mkdir()
    shutil.copy(PEPPOL / "base-negative-inv-correction.xml", folder)
    archive = tmp_path / "ubl.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(PEPPOL / "base-example.xml", "base-example.xml")
    for _ in range(2):
        outcome = import_expenses(db, "fx", [folder, archive])
        assert outcome.to_code == 2
        assert [(f.rejected, f.waiting) for f in outcome.files] == [(0, 1), (0, 1)]
    with connect(db, read_only=True) as con:
        listed = con.execute("SELECT source_file, kind FROM quarantine ORDER BY 1").fetchall()
    assert listed == [
        ("base-negative-inv-correction.xml", "to_code"),
        ("ubl.zip:base-example.xml", "to_code"),
    ]


def test_the_ecb_zip_is_read(db: Path, tmp_path: Path) -> None:
    csv = "Date,USD,JPY,\n2024-11-22,1.0412,161.25,\n2024-11-21,1.0474,N/A,\n"
    archive = tmp_path / "eurofxref-hist.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("eurofxref-hist.csv", csv)
    out = import_rates(db, archive)
    assert (out.rates, out.currencies) == (3, 2)
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as z:
        z.writestr("a.csv", csv)
        z.writestr("b.csv", csv)
    with pytest.raises(UserError, match="unzip it first"):
        import_rates(db, two)


def test_a_facturx_pdf_given_to_the_rates_or_devis_importer_is_named(
    production: Path, db: Path, tmp_path: Path
) -> None:
    pdf = tmp_path / "facture.pdf"
    pdf.write_bytes(facturx_pdf(CREDIT_NOTE.read_bytes()))
    rates = run_cli("import", "rates", str(pdf), "--db", str(db))
    assert rates.exit_code == 2
    assert "a Factur-X e-invoice" in rates.stderr and "import expenses" in rates.stderr
    devis = run_cli("import", "budget", "fx", str(pdf), "--db", str(db))
    assert devis.exit_code == 2
    assert "a Factur-X e-invoice" in devis.stderr
    bare = run_cli("import", "budget", "fx", str(CREDIT_NOTE), "--db", str(db))
    assert "a CII e-invoice" in bare.stderr


def test_a_zugferd_pdf_is_read_too(tmp_path: Path) -> None:
    """ZUGFeRD 2 names the embedded file `zugferd-invoice.xml`."""
    path = tmp_path / "rechnung.pdf"
    path.write_bytes(attached_pdf(CREDIT_NOTE.read_bytes(), "zugferd-invoice.xml"))
    rows = extract(path, "EUR").rows
    assert rows.select("invoice_ref", "amount").row(0) == ("123", Decimal("-3.00"))


def test_hostile_xml_inside_a_facturx_pdf_is_refused(tmp_path: Path) -> None:
    evil = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&x;</rsm:CrossIndustryInvoice>"""
    path = tmp_path / "evil.pdf"
    path.write_bytes(attached_pdf(evil))
    with pytest.raises(UserError, match="refused: the XML declares a DTD or entities"):
        extract(path, "EUR")


NATIONAL = FIXTURES / "peppol-national"


def test_ubl_invoices_from_german_and_nordic_suppliers() -> None:
    """The German invoice lists its tax number (scheme FC) before its VAT number: the VAT
    number is the supplier's identifier (before: `201/113/40209`)."""
    rows = {r["_file"]: r for r in _rows(extract(NATIONAL, "EUR").rows).iter_rows(named=True)}
    german = rows["EN16931_Einfach.ubl.xml"]
    assert (german["supplier"], german["country"], german["postcode"]) == (
        "Lieferant GmbH",
        "DE",
        "80333",
    )
    assert german["supplier_vat"] == "DE123456789"
    assert (german["amount"], german["vat_amount"]) == (Decimal("473.00"), Decimal("56.87"))
    nordic = rows["Norwegian-example-1.xml"]
    assert (nordic["supplier"], nordic["country"], nordic["supplier_vat"]) == (
        "The Sellercompany ASA",
        "NO",
        "NO123456785MVA",
    )
    assert (nordic["amount"], nordic["currency"]) == (Decimal("1436.50"), "NOK"), (
        "net after the document's allowance and charge, before the prepayment"
    )
    assert nordic["budget_code"] == "Project cost code 123"
    assert {r["_format"] for r in rows.values()} == {"peppol_ubl"}
