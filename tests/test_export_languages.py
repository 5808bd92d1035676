"""The justification files in one language (issue 18, "One language at a time"): the workbook and
the PDF asked in French, Dutch or English show no text of another language of the catalogue,
and amounts in that language's format."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from finance.exports.run import export

#: columns whose cells are the production's own data (names, labels, references), in any language
_DATA_COLUMNS = ("supplier", "budget_label", "invoice_ref", "document", "supplier_vat")


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_the_files_speak_the_language_they_are_asked_in(
    demo_db: Path, tmp_path: Path, lang: str
) -> None:
    """Every word of the workbook and the PDF in one language (the catalogue's texts of the
    others do not show), amounts in its format; the production's own data aside."""
    from pypdf import PdfReader

    from finance.exports.labels import label
    from tests.languages import leaks

    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    book, pdf = tmp_path / f"w-{lang}.xlsx", tmp_path / f"w-{lang}.pdf"
    for out in (book, pdf):
        export(db, "dernier-tram", "wallimage", out, date(2026, 11, 22), lang)
    data_headers = {label(k, lang) for k in _DATA_COLUMNS}
    texts = []
    for sheet in openpyxl.load_workbook(book).worksheets:
        header = [c.value for c in sheet[1]]
        skip = {i for i, h in enumerate(header) if h in data_headers}
        for row in sheet.iter_rows(values_only=True):
            texts += [str(v) for i, v in enumerate(row) if isinstance(v, str) and i not in skip]
    assert not leaks("\n".join(texts), lang)
    words = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert not leaks(words, lang)
