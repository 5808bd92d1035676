"""Factur-X PDFs for the tests: a one-page PDF (reportlab) carrying a CII XML as its embedded
`factur-x.xml` (pypdf), the way Factur-X writers attach it."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas


def facturx_pdf(xml: bytes, title: str = "Facture", name: str = "factur-x.xml") -> bytes:
    """A PDF showing `title`, with `xml` embedded under `name` (no XML when `name` is empty)."""
    page = io.BytesIO()
    canvas = Canvas(page)
    canvas.drawString(72, 720, title)
    canvas.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(page.getvalue())))
    if name:
        writer.add_attachment(name, xml)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
