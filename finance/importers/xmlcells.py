"""What the e-invoice readers (UBL in peppol.py, CII in cii.py) read the same way: an element's
text, and an amount signed (a credit note's amounts are written positive)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from finance.domain.i18n import error


def node_text(node: Element | None, path: str, ns: dict[str, str]) -> str | None:
    """The stripped text at `path` under `node`, None when absent or blank."""
    found = node.find(path, ns) if node is not None else None
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def signed(text: str | None, sign: int) -> str | None:
    """An amount's text times `sign`, exact; text that is no number is left as written (the
    validation names it)."""
    if text is None:
        return None
    try:
        return str(Decimal(text) * sign)
    except InvalidOperation:
        return text


def named_pdf(data: bytes) -> tuple[str, bytes]:
    """A supporting PDF under a name from its content (the same PDF, the same name)."""
    return f"{hashlib.sha256(data).hexdigest()[:16]}.pdf", data


def embedded_pdf(root: Element, tag: str) -> tuple[str, bytes] | None:
    """The first PDF an e-invoice embeds in its element `tag` (`{namespace}name`), if any.
    Invalid base64 is a damaged document (a UserError); content that is not a PDF (its magic
    bytes: the Peppol examples embed a CSV labelled as one) is not kept as a supporting PDF."""
    for obj in root.iter(tag):
        if (obj.get("mimeCode") or "").lower() == "application/pdf" and obj.text:
            packed = "".join(obj.text.split())
            try:
                data = base64.b64decode(packed, validate=True)
            except (binascii.Error, ValueError):
                raise error("error.einvoice.attachment_base64") from None
            if data.startswith(b"%PDF-"):
                return named_pdf(data)
    return None
