"""Correct quarantined rows and import them again (the Imports page's quarantine).

A row `--skip-invalid` set aside is kept as read (its cells as text, by canonical column). A
user corrects its cells and retries: the corrected rows go through the same typing, checks and
import as a file's, in one transaction, replacing their quarantine rows. When a corrected row
is still invalid nothing is written and every such row is named with its reasons.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import polars as pl

from finance.classify.enrich import CODINGS_SCHEMA
from finance.domain import i18n
from finance.importers.base import EXPENSE_SCHEMA
from finance.importers.coding import rows_as_read
from finance.importers.ingest import HEADERS_KEY, ImportOutcome, Prepared, import_expenses
from finance.store.audit import record
from finance.store.db import connect, read_frame

MIN_REASON = 5

_INVALID = """
SELECT q.source_file, q.source_sheet, q.source_row, q.reasons, q.raw_json, b.file_name,
       b.format, b.file_sha256
FROM quarantine q JOIN import_batches b ON b.id = q.batch_id
WHERE q.production_id = $pid AND q.kind = 'invalid'
ORDER BY q.source_file, q.source_row
"""


def quarantined(db: Path | None, production_id: str) -> pl.DataFrame:
    """The production's invalid quarantined rows: source_file, source_sheet, source_row,
    reasons, the batch's file_name, format and file_sha256, `headers` (the file's own header of
    each canonical column, as JSON; `{}` when unknown) and one text column per canonical column
    (the cells as read)."""
    with connect(db, read_only=True) as con:
        found = read_frame(con, _INVALID, {"pid": production_id})
    read = [json.loads(t) for t in found["raw_json"].to_list()]
    cells = pl.DataFrame(
        [{c: _text(row.get(c)) for c in EXPENSE_SCHEMA} for row in read],
        schema=dict.fromkeys(EXPENSE_SCHEMA, pl.String),
    )
    headers = pl.Series("headers", [json.dumps(r.get(HEADERS_KEY) or {}) for r in read], pl.String)
    return pl.concat([found.drop("raw_json"), headers.to_frame(), cells], how="horizontal")


def file_headers(rows: pl.DataFrame) -> dict[str, str]:
    """The file's own header of each canonical column, from quarantined rows of one file."""
    found: dict[str, str] = {}
    for text in rows["headers"].unique().to_list():
        found |= json.loads(str(text))
    return found


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def retry_quarantined(
    db: Path | None,
    production_id: str,
    file: str,
    corrected: Sequence[Mapping[str, str | None]],
    reason: str,
) -> ImportOutcome:
    """Import the quarantined rows of `file` again with the corrected cells (each mapping has
    `source_row` and the canonical columns' text), for `reason`, in one transaction; a row still
    invalid stops it all (UserError naming each row with its reasons)."""
    if len(reason.strip()) < MIN_REASON:
        raise i18n.error("error.reason.needed")
    if not corrected:
        raise i18n.error("error.retry.none_chosen")
    rows = [int(str(c["source_row"])) for c in corrected]
    waiting = quarantined(db, production_id).filter(pl.col("source_file") == file)
    chosen = waiting.filter(pl.col("source_row").is_in(rows)).sort("source_row")
    missing = sorted(set(rows) - set(chosen["source_row"].to_list()))
    if missing:
        raise i18n.error("error.retry.gone", file=file, rows=", ".join(map(str, missing)))
    by_row = {int(str(c["source_row"])): c for c in corrected}
    cells: list[dict[str, str | None]] = [
        {c: _blank(by_row[r].get(c)) for c in EXPENSE_SCHEMA}
        for r in chosen["source_row"].to_list()
    ]
    with connect(db, read_only=True) as con:
        currency = str(
            con.execute(
                "SELECT currency FROM productions WHERE id = ?", [production_id]
            ).fetchall()[0][0]
        )
    extracted = rows_as_read(chosen, cells, currency, f"retry|{json.dumps(cells, sort_keys=True)}")
    before = {
        r: dict(zip(EXPENSE_SCHEMA, x, strict=True))
        for r, x in zip(
            chosen["source_row"].to_list(), chosen.select(list(EXPENSE_SCHEMA)).rows(), strict=True
        )
    }
    changed = {
        str(r): {c: cells[i][c] for c in EXPENSE_SCHEMA if cells[i][c] != before[r][c]}
        for i, r in enumerate(chosen["source_row"].to_list())
    }

    def write(con: duckdb.DuckDBPyConnection) -> None:
        record(
            con,
            "import.retry",
            production_id,
            file,
            {"rows": rows, "changed": changed},
            reason.strip(),
        )

    none = pl.DataFrame(schema=CODINGS_SCHEMA)
    prepared = Prepared([extracted], none, write, [(file, r) for r in rows])
    return import_expenses(db, production_id, [], prepared=prepared)


def _blank(value: str | None) -> str | None:
    """A cell as text, None when empty."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None
