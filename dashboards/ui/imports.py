"""Uploads: size and type limits, a safe file name in a private folder, preview, import; the
validation report in the file's own headers and the interface's words (never a command-line
flag); the quarantined rows corrected and retried."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import polars as pl
import streamlit as st

from dashboards.ui import data
from dashboards.ui.i18n import lang, t
from dashboards.ui.view import in_words
from finance.domain.errors import Problem, UserError
from finance.domain.fmt import fmt_count
from finance.domain.i18n import has, text
from finance.domain.reasons import error_lines
from finance.domain.reasons import reason_words as said_reason
from finance.importers.base import EXPENSE_SCHEMA
from finance.importers.ingest import Preview, import_expenses, preview_expenses
from finance.importers.profile import sign_warning
from finance.importers.retry import file_headers, quarantined, retry_quarantined

MAX_MB = 50
ALLOWED = {".csv", ".txt", ".tsv", ".xlsx", ".xml", ".pdf", ".zip"}
#: what a file-level error of the importer means, said in the interface's words
FILE_ERRORS = (
    (re.compile(r"nothing imported: (\d+) invalid rows"), "imports.ui.invalid_rows"),
    (re.compile(r"no devis loaded yet"), "imports.ui.no_devis"),
    (re.compile(r"nothing imported: .*(credits|crédits|credit)", re.S), "imports.ui.credits"),
    (re.compile(r"is not in quarantine"), "imports.ui.gone"),
    (re.compile(r"say why"), "imports.ui.reason"),
)
#: a command-line hint inside an importer's message: `cineledger ...` or a --flag
CLI_HINT = re.compile(
    r"\s*\((?:[^()]*?)(?:--[a-z]|`cineledger)[^()]*\)|`cineledger[^`]*`|--[a-z][\w-]*"
)


#: the private folders of uploads (one per upload) start with it
UPLOAD_PREFIX = "cineledger-upload-"


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
    folder = Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX))
    target = folder / clean
    if target.resolve().parent != folder.resolve():  # belt and braces: never outside
        return None
    target.write_bytes(content)
    return target


def discard_upload(path: Path | None) -> None:
    """Remove an upload's private folder (its one saved copy): once its import is done, or when
    another upload replaces it, so uploads do not pile up in the temporary folder."""
    if path is not None and path.parent.name.startswith(UPLOAD_PREFIX):
        shutil.rmtree(path.parent, ignore_errors=True)


def keep_only(saved: dict[str, Path | None], ident: str, done: Mapping[str, str]) -> None:
    """The saved copies of the session: only the current upload's, and not even it once done."""
    for other in [i for i in saved if i != ident or i in done]:
        discard_upload(saved[other])
        if other != ident:
            saved.pop(other)


def interface_words(exc: UserError) -> str:
    """An importer's error as the page says it: in the page's own words where it knows the
    case (found in the English message), else the catalogue's message in the user's language;
    never with a command-line flag or command."""
    for pattern, key in FILE_ERRORS:
        found = pattern.search(exc.message)
        if found:
            count = found.group(1) if found.groups() and found.group(1).isdigit() else "0"
            return text(key, lang(), count=count)
    return CLI_HINT.sub("", error_lines(exc, lang())[0]).strip()


def reason_words(reason: str, code: str | None = None) -> str:
    """A check's reason in the user's language (`code`, else the session's) where the
    catalogue says it; never with a command-line hint."""
    return CLI_HINT.sub("", said_reason(reason, code or lang()))


def problem_table(
    problems: Sequence[Problem],
    preview: Preview | None = None,
    headers: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """The rejected rows as the user reads them: the file, the row, the column under the file's
    own header (`Montant HT`, not `amount`: from the preview, or `headers`), the value and the
    reason in words."""
    return pl.DataFrame(
        {
            t("imports.col.file"): [p.file or "" for p in problems],
            t("imports.col.row"): [p.row for p in problems],
            t("imports.col.column"): [
                (
                    preview.header(p.file, p.column)
                    if preview
                    else (headers or {}).get(p.column or "") or field_word(p.column)
                )
                or ""
                for p in problems
            ],
            t("imports.col.value"): [p.value or "" for p in problems],
            t("imports.col.reason"): [reason_words(p.reason) for p in problems],
        },
        schema={
            t("imports.col.file"): pl.String,
            t("imports.col.row"): pl.Int64,
            t("imports.col.column"): pl.String,
            t("imports.col.value"): pl.String,
            t("imports.col.reason"): pl.String,
        },
    )


def column_names(rows: pl.DataFrame) -> dict[str, str]:
    """The editor's header of each canonical column of one file's quarantined rows: the file's
    own header where it is known, else the column in words."""
    own = file_headers(rows)
    return {c: own.get(c) or field_word(c) or c for c in EXPENSE_SCHEMA}


def field_word(column: str | None, code: str | None = None) -> str | None:
    """A canonical column in the user's words (the column when the page has no word for it)."""
    key = f"imports.field.{column}"
    return text(key, code or lang()) if column and has(key) else column


def rows_table(frame: pl.DataFrame) -> pl.DataFrame:
    """A preview's duplicates or waiting documents, headers in words."""
    words = {
        "_file": "imports.col.file",
        "_row": "imports.col.row",
        "date": "expenses.col.doc_date",
        "supplier": "expenses.col.supplier",
        "invoice_ref": "expenses.col.invoice_ref",
        "amount": "expenses.col.amount",
        "reason": "imports.col.reason",
    }
    shown = frame.with_columns(
        pl.col("amount").cast(pl.String).str.replace(".", ",", literal=True)
        if lang() != "en"
        else pl.col("amount").cast(pl.String),
        pl.col("date").dt.strftime("%d/%m/%Y"),
    )
    if "reason" in shown.columns:
        code = lang()
        shown = shown.with_columns(in_words(shown, "reason", lambda r: reason_words(r, code)))
    return shown.rename({c: t(w) for c, w in words.items() if c in shown.columns})


def preview_summary(preview: Preview) -> str:
    """`5 lignes lues : 3 valides, 2 invalides, 1 déjà dans le registre, 0 à coder`."""
    code = lang()
    return text(
        "imports.preview.summary",
        code,
        read=fmt_count(preview.rows_read, code),
        valid=fmt_count(preview.valid, code),
        invalid=fmt_count(preview.rows_read - preview.valid, code),
        duplicates=fmt_count(preview.duplicates.height, code),
        waiting=fmt_count(preview.waiting.height, code),
    )


def run_preview(production: str, path: Path) -> Preview | str:
    """The validation report, or the file-level error in the interface's words."""
    try:
        return preview_expenses(data.db_path(), production, [path])
    except UserError as exc:
        return interface_words(exc)


def sign_warnings(preview: Preview, lang: str) -> list[str]:
    """The preview's warnings of a profile result with more credits than debits, in the
    interface's words (confirm with the box below, no command-line flag)."""
    return [
        sign_warning(file, check, lang, key="imports.credits_warning")
        for file, check in preview.sign_warnings
    ]


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
        return interface_words(exc), False
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


#: the quarantine editor's columns besides the cells: fixed, shown first
FIXED = ("source_file", "source_row", "reasons")


def quarantine_rows(production: str) -> pl.DataFrame:
    """The invalid quarantined rows with their cells as read (one text column per canonical
    column), for the editor."""
    return quarantined(data.db_path(), production)


def editable(rows: pl.DataFrame) -> pl.DataFrame:
    """The rows of one file as the editor shows them: row, reasons in words, then the cells the
    file gave or the reasons name (the others stay empty and hidden)."""
    named = {c for r in rows["reasons"].to_list() for c in re.findall(r"(?:^|; )(\w+):", str(r))}
    cells = [c for c in EXPENSE_SCHEMA if c in named or rows[c].is_not_null().any()]
    own, code = file_headers(rows), lang()
    return rows.select(
        "source_row", in_words(rows, "reasons", lambda r: reasons_words(r, own, code)), *cells
    )


def reasons_words(
    reasons: str, headers: Mapping[str, str] | None = None, code: str | None = None
) -> str:
    """A quarantine row's `column: reason; column: reason` in words, each column under the
    file's own header where `headers` knows it."""
    parts = []
    for part in str(reasons).split("; "):
        column, _, reason = part.partition(": ")
        name = (headers or {}).get(column) or field_word(column, code)
        parts.append(f"{name} : {reason_words(reason, code)}" if reason else part)
    if (code or lang()) == "fr":
        return " ; ".join(parts)
    return "; ".join(p.replace(" : ", ": ") for p in parts)


def retry(
    production: str, file: str, corrected: Sequence[Mapping[str, str | None]], reason: str
) -> tuple[str, bool, list[Problem]]:
    """Import the corrected quarantined rows again (all or nothing); the message, whether it
    worked and, when not, the rows still rejected with their reasons."""
    try:
        outcome = retry_quarantined(data.db_path(), production, file, corrected, reason)
    except UserError as exc:
        return interface_words(exc), False, list(exc.problems)
    data.clear()
    f = outcome.files[0]
    said = text(
        "imports.retry.done",
        lang(),
        count=str(len(corrected)),
        imported=str(f.imported),
        duplicates=str(f.duplicates),
    )
    return said + (text("import.waiting", lang(), waiting=f.waiting) if f.waiting else ""), True, []


def kinds_in_words(quarantine: pl.DataFrame) -> pl.DataFrame:
    """The quarantine's `kind` (invalid, to_code) in words."""
    words = {k: t(f"imports.kind_word.{k}") for k in ("invalid", "to_code")}
    return quarantine.with_columns(
        pl.col("kind").replace_strict(words, default=pl.col("kind"), return_dtype=pl.String)
    )


def as_polars(frame: object) -> pl.DataFrame:
    """The editor's result as a polars frame (it returns the type it was given)."""
    return frame if isinstance(frame, pl.DataFrame) else pl.from_pandas(frame)


def cell_text(value: object) -> str | None:
    """An edited cell as text (None when empty)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def quarantine_in_words(quarantine: pl.DataFrame) -> pl.DataFrame:
    """The quarantine table as the page shows it: kinds and reasons in words, headers too."""
    code = lang()
    return (
        kinds_in_words(quarantine)
        .with_columns(in_words(quarantine, "reasons", lambda r: reasons_words(r, None, code)))
        .rename(
            {
                "kind": t("imports.col.kind"),
                "source_file": t("imports.col.file"),
                "source_row": t("imports.col.row"),
                "reasons": t("imports.col.reason"),
            }
        )
    )


def confirm_once(
    ident: str, done: dict[str, str], key: str, work: Callable[[], tuple[str, bool]]
) -> bool:
    """The confirm button of an upload, disabled once its file is in: runs `work` (message,
    ok) with a spinner, a toast when it went in, the error where it did not; True once done
    (its message shown)."""
    if st.button(t("confirm"), type="primary", key=key, disabled=ident in done):
        with st.spinner(t("imports.working")):
            message, ok = work()
        if ok:
            done[ident] = message
            data.clear()
            st.toast(message)
            st.rerun()
        st.error(message)
    if ident in done:
        st.success(done[ident])
        return True
    return False
