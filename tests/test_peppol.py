"""Peppol BIS 3.0 e-invoices: the published examples import right, reused numbers are conflicts,
credit notes reduce spend, documents without a line wait to be coded, hostile XML is refused."""

from __future__ import annotations

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
from tests.conftest import EINVOICE_COLUMNS, check_golden

#: the OpenPEPPOL specification examples (copied from shared/fixtures/peppol, see its README),
#: kept in the repository so that a clone anywhere runs these tests
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "peppol"
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def production(tmp_path: Path, db: Path) -> Path:
    (tmp_path / "m.yaml").write_text(
        "id: eprod\ntitle: E-invoices\nkind: feature\n", encoding="utf-8"
    )
    (tmp_path / "devis.csv").write_text(
        "code,label,amount,category\n7.07,Optiques,50000,equipment\n8.05,VFX,50000,vfx\n",
        encoding="utf-8",
    )
    add_production(db, tmp_path / "m.yaml")
    import_budget(db, "eprod", tmp_path / "devis.csv")
    (tmp_path / "map.csv").write_text(
        "supplier,budget_code\nGB1232434,7.07\nGB928741974,8.05\n", encoding="utf-8"
    )
    (tmp_path / "ecb.csv").write_text("Date,GBP,\n2018-08-30,0.89790,\n", encoding="utf-8")
    return tmp_path


def test_published_examples_extract_right(update_golden: bool) -> None:
    ex = extract(FIXTURES, "EUR")
    rows = ex.rows.select(*EINVOICE_COLUMNS).sort("_file")
    check_golden(
        GOLDEN / "peppol_examples.expected.csv",
        rows.with_columns(pl.all().cast(pl.String)).write_csv(),
        update_golden,
    )
    by_file = {r["_file"]: r for r in rows.iter_rows(named=True)}
    assert by_file["base-example.xml"]["amount"] == Decimal("1325.00")
    assert by_file["base-creditnote-correction.xml"]["amount"] == Decimal("-1325.00")
    assert by_file["base-negative-inv-correction.xml"]["amount"] == Decimal("-1325.00")
    assert by_file["Allowance-example.xml"]["amount"] == Decimal("5900.00"), (
        "net after document allowances"
    )
    assert by_file["vat-category-E.xml"]["currency"] == "GBP"
    assert {r["country"] for r in by_file.values()} == {"GB"}


def test_reused_document_numbers_are_conflicts_not_merged(production: Path, db: Path) -> None:
    import_mappings(db, "eprod", production / "map.csv")
    import_rates(db, production / "ecb.csv")
    with pytest.raises(UserError) as err:
        import_expenses(db, "eprod", [FIXTURES])
    conflicted = {p.file for p in err.value.problems if p.column == "invoice_ref"}
    assert conflicted == {
        "Allowance-example.xml",
        "Vat-category-S.xml",
        "base-example.xml",
        "base-creditnote-correction.xml",
    }
    outcome = import_expenses(db, "eprod", [FIXTURES], skip_invalid=True)
    assert outcome.files[0].imported == 2 and outcome.quarantined == 4
    with connect(db, read_only=True) as con:
        rows = con.execute(
            "SELECT invoice_ref, amount FROM expenses ORDER BY invoice_ref"
        ).fetchall()
    assert rows == [("Correction1", Decimal("-1325.00")), ("Vat-Z", Decimal("1336.45"))]


def test_a_credit_note_reduces_spend(production: Path, db: Path) -> None:
    import_mappings(db, "eprod", production / "map.csv")
    import_expenses(db, "eprod", [FIXTURES / "base-creditnote-correction.xml"])
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT sum(amount) FROM expenses").fetchall()[0][0] == Decimal(
            "-1325.00"
        )


def test_documents_without_a_line_wait_to_be_coded_then_go_in(production: Path, db: Path) -> None:
    outcome = import_expenses(db, "eprod", [FIXTURES / "base-example.xml"])
    assert outcome.to_code == 1 and outcome.files[0].imported == 0
    import_mappings(db, "eprod", production / "map.csv")
    again = import_expenses(db, "eprod", [FIXTURES / "base-example.xml"])
    assert again.files[0].imported == 1 and again.to_code == 0
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM quarantine").fetchall()[0][0] == 0


def test_a_zip_of_invoices_imports(production: Path, db: Path, tmp_path: Path) -> None:
    archive = tmp_path / "factures.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(FIXTURES / "base-negative-inv-correction.xml", "2017/correction.xml")
    import_mappings(db, "eprod", production / "map.csv")
    outcome = import_expenses(db, "eprod", [archive])
    assert outcome.files[0].imported == 1


XXE = b"""<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&xxe;</ID></Invoice>"""
LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&lol3;</ID></Invoice>"""


@pytest.mark.parametrize("payload", [XXE, LAUGHS], ids=["external-entity", "billion-laughs"])
def test_hostile_xml_is_refused_with_a_clear_message(tmp_path: Path, payload: bytes) -> None:
    path = tmp_path / "evil.xml"
    path.write_bytes(payload)
    with pytest.raises(UserError, match="refused: the XML declares a DTD or entities"):
        extract(path, "EUR")


def test_a_zip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.xml", b"<Invoice-2>" + b" " * (30 * 1024 * 1024))
    with pytest.raises(UserError, match="zip bomb"):
        extract(bomb, "EUR")


def test_the_embedded_pdf_is_kept_as_the_supporting_document(
    production: Path, db: Path, tmp_path: Path
) -> None:
    import base64

    pdf = b"%PDF-1.4\n% facture\n"
    xml = (FIXTURES / "base-negative-inv-correction.xml").read_text(encoding="utf-8")
    attachment = (
        "<cac:AdditionalDocumentReference><cbc:ID>PDF</cbc:ID><cac:Attachment>"
        f'<cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="f.pdf">'
        f"{base64.b64encode(pdf).decode()}</cbc:EmbeddedDocumentBinaryObject></cac:Attachment>"
        "</cac:AdditionalDocumentReference>"
    )
    path = tmp_path / "with-pdf.xml"
    path.write_text(
        xml.replace(
            "<cac:AccountingSupplierParty>", attachment + "<cac:AccountingSupplierParty>", 1
        ),
        encoding="utf-8",
    )
    import_mappings(db, "eprod", production / "map.csv")
    import_expenses(db, "eprod", [path])
    with connect(db, read_only=True) as con:
        (document,) = con.execute("SELECT document FROM expenses").fetchall()[0]
    name = document.removeprefix("embedded:")
    assert (db.with_suffix(".documents") / name).read_bytes() == pdf


def _with_pdf(tmp_path: Path, payload: str, name: str = "with-pdf.xml") -> Path:
    xml = (FIXTURES / "base-negative-inv-correction.xml").read_text(encoding="utf-8")
    attachment = (
        "<cac:AdditionalDocumentReference><cbc:ID>PDF</cbc:ID><cac:Attachment>"
        '<cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="f.pdf">'
        f"{payload}</cbc:EmbeddedDocumentBinaryObject></cac:Attachment>"
        "</cac:AdditionalDocumentReference>"
    )
    path = tmp_path / name
    path.write_text(
        xml.replace(
            "<cac:AccountingSupplierParty>", attachment + "<cac:AccountingSupplierParty>", 1
        ),
        encoding="utf-8",
    )
    return path


def test_a_documents_folder_that_cannot_be_written_imports_nothing(
    production: Path, db: Path, tmp_path: Path
) -> None:
    """Issue 21, point 10: the expense was committed and its PDF lost, then a re-import said
    'already imported'. Now the documents are written first: nothing is committed, and once the
    folder can be written the same file imports with its PDF."""
    import base64

    pdf = b"%PDF-1.4\n% facture\n"
    path = _with_pdf(tmp_path, base64.b64encode(pdf).decode())
    import_mappings(db, "eprod", production / "map.csv")
    blocker = db.with_suffix(".documents")
    blocker.write_text("a file where the folder should be")
    with pytest.raises(UserError, match="supporting documents cannot be written"):
        import_expenses(db, "eprod", [path])
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM expenses").fetchall() == [(0,)]
    blocker.unlink()
    assert import_expenses(db, "eprod", [path]).files[0].imported == 1
    kept = list(blocker.iterdir())
    assert [p.read_bytes() for p in kept] == [pdf]  # no temporary file left


def test_an_embedded_pdf_in_invalid_base64_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not valid base64"):
        extract(_with_pdf(tmp_path, "%%%not base64%%%"), "EUR")


def test_two_members_with_one_base_name_keep_their_own_rows(
    production: Path, db: Path, tmp_path: Path
) -> None:
    """Issue 21, point 9: the valid one was quarantined under the other's reason and the bad one
    vanished. Members are named by their full path in the archive."""
    archive = tmp_path / "factures.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(FIXTURES / "base-negative-inv-correction.xml", "janvier/facture.xml")
        z.writestr("fevrier/facture.xml", b"<Invoice>not an e-invoice</Invoice>")
    import_mappings(db, "eprod", production / "map.csv")
    outcome = import_expenses(db, "eprod", [archive], skip_invalid=True)
    assert outcome.files[0].imported == 1
    with connect(db, read_only=True) as con:
        documents = con.execute(
            "SELECT document FROM v_expenses UNION ALL SELECT source_file FROM quarantine"
        ).fetchall()
    named = " ".join(str(d[0]) for d in documents)
    assert "janvier/facture.xml" in named and "fevrier/facture.xml" in named
