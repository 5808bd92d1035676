"""Code a document waiting for a budget line (`cineledger code`): a user chooses the line of an
e-invoice or ledger row whose accounting reference is no line of the devis, with a reason.

The document is booked at once from the row the quarantine kept as read, through the same
import as a file (one transaction: the coding, the expense, the audit entry and the quarantine
row it replaces), and the coding is kept by the document's identity as read (supplier,
reference, date, amount), so importing the same file again books it on the same line: the
ledger recognises it and adds nothing.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from finance.classify.enrich import supplier_key
from finance.domain import i18n
from finance.domain.codes import normalize_code
from finance.importers import canonical
from finance.importers.base import EXPENSE_SCHEMA, Extracted
from finance.importers.ingest import ImportOutcome, Prepared, import_expenses
from finance.store.audit import current_actor, record
from finance.store.db import connect, read_frame

MIN_REASON = 5

_WAITING = """
SELECT q.source_file, q.source_sheet, q.source_row, q.raw_json, b.file_name, b.format,
       b.file_sha256
FROM quarantine q JOIN import_batches b ON b.id = q.batch_id
WHERE q.production_id = $pid AND q.kind = 'to_code' AND q.source_file = $file
ORDER BY q.source_row
"""


def _waiting(db: Path | None, production_id: str, file: str, rows: list[int]) -> pl.DataFrame:
    """The quarantine rows asked for, or a UserError naming those that wait in that file."""
    with connect(db, read_only=True) as con:
        found = read_frame(con, _WAITING, {"pid": production_id, "file": file})
    chosen = found.filter(pl.col("source_row").is_in(rows))
    missing = sorted(set(rows) - set(chosen["source_row"].to_list()))
    if missing:
        waiting = ", ".join(str(r) for r in found["source_row"].to_list()) or "none"
        raise i18n.error(
            "error.coding.not_waiting",
            production=production_id,
            file=file,
            rows=", ".join(map(str, missing)),
            waiting=waiting,
        )
    return chosen


def _extracted(chosen: pl.DataFrame, code: str, currency: str, where: dict[str, str]) -> Extracted:
    """The rows as read, on the chosen line (and, where given, at the payee's country and
    postcode a bank line lacks), typed and checked like any file's rows."""
    cells = [
        json.loads(text) | {"budget_code": code, **where} for text in chosen["raw_json"].to_list()
    ]
    return rows_as_read(chosen, cells, currency, f"code|{code}")


def rows_as_read(
    chosen: pl.DataFrame, cells: list[dict[str, str | None]], currency: str, tag: str
) -> Extracted:
    """Quarantined rows (`chosen`: their source_file, source_sheet, source_row and batch's
    file_name, format, file_sha256) with these cells (one dict of canonical column -> text per
    row), typed and checked like any file's rows. They form a batch of their own: the file's
    hash with `tag` and the rows, so the file itself stays unknown to a later import (its other
    rows may still wait)."""
    raw = pl.DataFrame(
        [{c: row.get(c) for c in EXPENSE_SCHEMA} for row in cells],
        schema=dict.fromkeys(EXPENSE_SCHEMA, pl.String),
    )
    raw = raw.with_columns(pl.Series("_row", chosen["source_row"], pl.Int64)).select(
        "_row", *EXPENSE_SCHEMA
    )
    typed, problems = canonical.type_and_check(raw, currency)
    first = chosen.row(0, named=True)
    tag = f"{first['file_sha256']}|{tag}|{chosen['source_row'].to_list()}"
    sha = hashlib.sha256(tag.encode()).hexdigest()
    rows = pl.concat(
        [
            typed.select("_row", *EXPENSE_SCHEMA),
            typed.select(pl.col(f"raw_{c}") for c in EXPENSE_SCHEMA),
        ],
        how="horizontal",
    ).with_columns(
        pl.Series("_file", chosen["source_file"], pl.String),
        pl.Series("_sheet", chosen["source_sheet"], pl.String),
        pl.lit(sha).alias("_sha256"),
        pl.lit(str(first["format"])).alias("_format"),
    )
    return Extracted(
        rows,
        problems.with_columns(pl.lit(first["file_name"]).alias("_file")),
        str(first["file_name"]),
        sha,
        str(first["format"]),
    )


def _codings(extracted: Extracted, code: str) -> pl.DataFrame:
    """The codings of the documents, keyed as resolve_budget_lines looks them up."""
    return extracted.rows.select(
        supplier_key(pl.col("supplier"), pl.col("supplier_vat")).alias("supplier_key"),
        pl.col("invoice_ref").fill_null(""),
        "date",
        pl.col("amount").cast(pl.Decimal(18, 2)),
        pl.lit(code).alias("coded_code"),
    )


def code_documents(
    db: Path | None,
    production_id: str,
    file: str,
    rows: list[int],
    line: str,
    reason: str,
    country: str | None = None,
    postcode: str | None = None,
) -> ImportOutcome:
    """Book the waiting documents `rows` of `file` on budget line `line`, for `reason`; with
    `country` (and `postcode`), at the payee's address a bank line does not give."""
    if len(reason.strip()) < MIN_REASON:
        raise i18n.error("error.reason.needed")
    code = normalize_code(pl.lit(line)).alias("c")
    chosen_code = str(pl.select(code).item())
    chosen = _waiting(db, production_id, file, rows)
    with connect(db, read_only=True) as con:
        known = {
            r[0]
            for r in con.execute(
                "SELECT code FROM current_budget WHERE production_id = ?", [production_id]
            ).fetchall()
        }
        currency = str(
            con.execute(
                "SELECT currency FROM productions WHERE id = ?", [production_id]
            ).fetchall()[0][0]
        )
    if chosen_code not in known:
        raise i18n.error("error.budget.no_such_line", production=production_id, line=line)
    where = {k: v for k, v in (("country", country), ("postcode", postcode)) if v}
    extracted = _extracted(chosen, chosen_code, currency, where)
    codings = _codings(extracted, chosen_code)
    now = datetime.now(UTC).replace(tzinfo=None)

    def write(con: duckdb.DuckDBPyConnection) -> None:
        con.register("new_codes", codings)
        try:
            con.execute(
                "INSERT OR REPLACE INTO document_codes SELECT $pid, supplier_key, invoice_ref, "
                "date, amount, coded_code, $reason, $who, $at FROM new_codes",
                {"pid": production_id, "reason": reason.strip(), "who": current_actor(), "at": now},
            )
        finally:
            con.unregister("new_codes")
        record(
            con,
            "import.code",
            production_id,
            file,
            {"rows": rows, "budget_code": chosen_code, "reason": reason.strip()},
        )

    prepared = Prepared([extracted], codings, write, [(file, r) for r in rows])
    return import_expenses(db, production_id, [], prepared=prepared)
