"""Uploads: size and type limits, a safe file name in a private folder, preview, import."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from dashboards.ui import data
from finance.errors import UserError
from finance.ingest import Preview, import_expenses, preview_expenses

MAX_MB = 50
ALLOWED = {".csv", ".txt", ".tsv", ".xlsx"}
UPLOADS = Path(tempfile.gettempdir()) / "cineledger-uploads"


def safe_name(name: str) -> str:
    """A file name that cannot leave its folder: base name only, safe characters."""
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^A-Za-z0-9._ -]", "_", base).strip(" .") or "upload"
    return cleaned[:120]


def save_upload(name: str, content: bytes) -> Path | None:
    """Store an upload under the uploads folder; None when it is too large or of the wrong type."""
    target = UPLOADS / safe_name(name)
    if len(content) > MAX_MB * 1024 * 1024 or target.suffix.lower() not in ALLOWED:
        return None
    UPLOADS.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return target


def run_preview(production: str, path: Path) -> Preview | str:
    """The validation report, or the file-level error as text."""
    try:
        return preview_expenses(data.db_path(), production, [path])
    except UserError as exc:
        return "\n".join(exc.lines())


def run_import(production: str, path: Path, skip_invalid: bool) -> tuple[str, bool]:
    """Import and say what happened (never raises to the page)."""
    try:
        outcome = import_expenses(data.db_path(), production, [path], skip_invalid=skip_invalid)
    except UserError as exc:
        return "\n".join(exc.lines()[:20]), False
    f = outcome.files[0]
    if f.previous_batch is not None:
        return f"{f.file}: already imported (batch {f.previous_batch}); nothing added", True
    return (
        f"{f.file}: {f.rows_read} read, {f.imported} imported, {f.duplicates} duplicates, "
        f"{f.rejected} quarantined"
    ), True
