"""Factur-X PDFs for the tests: a one-page PDF (reportlab) made a Factur-X invoice by the
reference writer, the `factur-x` library (PDF/A-3, its XMP metadata, the CII XML embedded as
`factur-x.xml`); or, for what that writer refuses to write (a hostile XML, another file name), the
XML attached with pypdf alone."""

from __future__ import annotations

import io

from facturx import generate_from_binary
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas


def plain_pdf(title: str = "Facture") -> bytes:
    """A one-page PDF showing `title`, with nothing embedded (a scanned invoice, say)."""
    page = io.BytesIO()
    canvas = Canvas(page)
    canvas.drawString(72, 720, title)
    canvas.save()
    return page.getvalue()


def facturx_pdf(xml: bytes, title: str = "Facture") -> bytes:
    """A Factur-X invoice showing `title`, carrying `xml`, as the factur-x library writes it."""
    out: bytes = generate_from_binary(plain_pdf(title), xml, check_xsd=False)
    return out


def attached_pdf(xml: bytes, name: str = "factur-x.xml") -> bytes:
    """A PDF with `xml` attached under `name` by pypdf (no Factur-X metadata, no checks)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain_pdf())))
    writer.add_attachment(name, xml)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
