"""Uploads: size and type limits, a safe file name in a private folder, preview, import."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from dashboards.ui import data
from dashboards.ui.i18n import lang
from finance.domain.errors import UserError
from finance.domain.i18n import text
from finance.importers.ingest import Preview, import_expenses, preview_expenses
from finance.importers.profile import sign_warning

MAX_MB = 50
ALLOWED = {".csv", ".txt", ".tsv", ".xlsx", ".xml", ".pdf", ".zip"}


def safe_name(name: str) -> str:
    """A file name that cannot leave its folder: base name only, safe characters."""
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\- ]", "_", base).strip(" .") or "upload"  # accents kept
    return cleaned[:120]


def save_upload(name: str, content: bytes) -> Path | None:
    """Store an upload in a new private folder (mode 0700, its own per upload: two sessions never
    share or overwrite a file, and no one else on the machine can swap it); None when it is too
    large or of the wrong type. The safe name is kept: it is the provenance the ledger shows."""
    clean = safe_name(name)
    if len(content) > MAX_MB * 1024 * 1024 or Path(clean).suffix.lower() not in ALLOWED:
        return None
    folder = Path(tempfile.mkdtemp(prefix="cineledger-upload-"))
    target = folder / clean
    if target.resolve().parent != folder.resolve():  # belt and braces: never outside
        return None
    target.write_bytes(content)
    return target


def run_preview(production: str, path: Path) -> Preview | str:
    """The validation report, or the file-level error as text."""
    try:
        return preview_expenses(data.db_path(), production, [path])
    except UserError as exc:
        return "\n".join(exc.lines())


def sign_warnings(preview: Preview, lang: str) -> list[str]:
    """The preview's warnings of a profile result with more credits than debits."""
    return [sign_warning(file, check, lang) for file, check in preview.sign_warnings]


def run_import(
    production: str, path: Path, skip_invalid: bool, accept_credits: bool = False
) -> tuple[str, bool]:
    """Import and say what happened (never raises to the page)."""
    try:
        outcome = import_expenses(
            data.db_path(),
            production,
            [path],
            skip_invalid=skip_invalid,
            accept_credits=accept_credits,
        )
    except UserError as exc:
        return "\n".join(exc.lines()[:20]), False
    f = outcome.files[0]
    if f.previous_batch is not None:
        return text("import.already", lang(), file=f.file, batch=str(f.previous_batch)), True
    done = text(
        "import.done",
        lang(),
        file=f.file,
        read=f.rows_read,
        imported=f.imported,
        duplicates=f.duplicates,
        rejected=f.rejected,
    )
    return done + (text("import.waiting", lang(), waiting=f.waiting) if f.waiting else ""), True
