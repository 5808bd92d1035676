"""The dashboard's import page takes e-invoices like the command line (issue 17, point 7): a
Factur-X PDF and a bare CII XML upload, show their validation report and import (AppTest)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from finance.importers.mappings import import_mappings
from finance.store.db import connect
from tests.dashboard import open_dashboard
from tests.facturx import facturx_pdf

CII = Path(__file__).resolve().parent / "fixtures" / "cii"
PEPPOL = Path(__file__).resolve().parent / "fixtures" / "peppol"
pytestmark = pytest.mark.xdist_group("dashboard")


@pytest.fixture
def imports(demo_dashboard: Path) -> AppTest:
    return open_dashboard("imports")


def _upload(at: AppTest, name: str, content: bytes, mime: str) -> AppTest:
    uploader = at.file_uploader(key="upload")
    assert {"pdf", "xml"} <= {t.lstrip(".") for t in uploader.allowed_type}
    uploader.set_value((name, content, mime))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _quarantined(name: str) -> list[tuple[str, str]]:
    with connect(Path(os.environ["CINELEDGER_DB"]), read_only=True) as con:
        return con.execute(
            "SELECT source_file, kind FROM quarantine WHERE source_file = ?", [name]
        ).fetchall()


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        (
            "avoir-123.pdf",
            facturx_pdf((CII / "testout-ZF2PushCreditNote.xml").read_bytes()),
            "application/pdf",
        ),
        ("avoir-123.xml", (CII / "testout-ZF2PushCreditNote.xml").read_bytes(), "text/xml"),
    ],
    ids=["factur-x-pdf", "cii-xml"],
)
def test_an_e_invoice_upload_is_previewed_and_imported(
    imports: AppTest, name: str, content: bytes, mime: str
) -> None:
    at = _upload(imports, name, content, mime)
    assert not at.error, [e.value for e in at.error]
    said = [m.value for m in at.markdown]
    assert "**1 lignes lues** : 1 valides, 0 invalides, 0 déjà dans le registre, 1 en attente" in (
        said[0] if said else ""
    ), said
    at.button(key="confirm").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    message = at.success[-1].value
    # the page speaks French by default
    assert message.startswith(f"{name} : 1 lus, 0 importés"), message
    assert "0 en quarantaine" in message, "a document waiting for its line is not rejected"
    assert "1 en attente d'un poste budgétaire" in message, "the unknown supplier's credit note"
    assert _quarantined(name) == [(name, "to_code")]


def test_a_dutch_supplier_mapped_by_vat_is_booked_from_the_page(
    imports: AppTest, tmp_path: Path
) -> None:
    """Issue 17, point 2, from the dashboard: the supplier's VAT number written as the Dutch
    write it (letters inside), mapped as the user typed it; the uploaded invoice is booked, not
    left waiting. The invoice is the OpenPEPPOL example with a Dutch supplier's number."""
    db = Path(os.environ["CINELEDGER_DB"])
    (tmp_path / "map.csv").write_text("supplier,budget_code\nnl 8538.48932.b01,7.01\n")
    import_mappings(db, "dernier-tram", tmp_path / "map.csv")
    text = (PEPPOL / "base-example.xml").read_text(encoding="utf-8")
    dutch = text.replace("GB1232434", "NL853848932B01").encode("utf-8")
    at = _upload(imports, "factuur-nl.xml", dutch, "text/xml")
    at.button(key="confirm").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    assert at.success[-1].value.startswith("factuur-nl.xml : 1 lus, 1 importés"), at.success[-1]
    with connect(db, read_only=True) as con:
        booked = con.execute(
            "SELECT budget_code FROM expenses WHERE supplier_vat = 'NL853848932B01'"
        ).fetchall()
    assert booked == [("7.01",)] and _quarantined("factuur-nl.xml") == []
