"""What a justification file contains, gathered once: the check, the expenses that count and
those that do not, the missing paperwork, and the provenance.

The lines are not held in memory: one short read-only connection evaluates the scheme's
eligibility once (written to a Parquet file as it comes) and writes each part (eligible, excluded, missing), already
in the order the workbook shows it, to a Parquet file in a temporary folder; the writers and the
content hash then read those files in batches of BATCH_ROWS. DuckDB's working memory for that is
capped at DUCKDB_MEMORY (it spills to the same folder beyond), so what the export adds to the
process does not grow with the number of lines.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow.parquet as pq

from finance.domain.errors import UserError
from finance.domain.fmt import jsonable
from finance.store.audit import trail
from finance.store.db import connect, read_frame
from rules.relation import relation_at
from rules.runs import result_json, run_check

#: the columns of every part, in this order (the content hash covers them all)
COLUMNS = (
    "supplier, supplier_vat, supplier_vat_valid, country, postcode, territory, invoice_ref, "
    "doc_date, paid_on, budget_code, chapter_code, chapter_label, budget_label, amount, currency, "
    "fx_rate, amount_orig, eligible_amount, counts, reasons, document, payee_type, source_file, "
    "source_row, expense_id"
)

EXPENSES_SQL = """
SELECT e.supplier, e.supplier_vat, e.supplier_vat_valid, e.country, e.postcode, e.territory,
       e.invoice_ref, e.doc_date, e.paid_on, e.budget_code, e.chapter_code, e.chapter_label,
       e.budget_label, e.amount, e.currency, e.fx_rate, e.amount_orig, l.eligible_amount, l.counts,
       l.reasons, e.document, e.payee_type, e.source_file, e.source_row, e.id AS expense_id,
       TRY_CAST(str_split(e.budget_code, '.')[1] AS BIGINT) AS sort_chapter,
       TRY_CAST(str_split(e.budget_code, '.')[2] AS BIGINT) AS sort_line
FROM {relation} l JOIN v_expenses e ON e.id = l.expense_id
WHERE l.production_id = $pid AND l.scheme = $scheme AND l.status = 'actual'
"""

#: budget line by number (chapter, then line), then code, date and id; nulls first
LINE_ORDER = (
    "sort_chapter NULLS FIRST, sort_line NULLS FIRST, budget_code NULLS FIRST, "
    "doc_date NULLS FIRST, expense_id NULLS FIRST"
)

#: the expenses of one side in line order (what the content hash covers)
IN_LINE_ORDER_SQL = f"SELECT {COLUMNS} FROM export_lines WHERE {{where}} ORDER BY {LINE_ORDER}"
#: whether the chapters of one side come in one block each in line order (then the sheet's
#: order, by chapter, is the line order); a line whose budget code is not in the devis has no
#: chapter and can split one
CONTIGUOUS_SQL = f"""
SELECT count(*) FILTER (WHERE chapter_code IS DISTINCT FROM previous)
       = count(DISTINCT chapter_code) + (count(*) FILTER (WHERE chapter_code IS NULL) > 0)::INT
FROM (SELECT chapter_code, lag(chapter_code, 1, chr(0)) OVER (ORDER BY {LINE_ORDER}) AS previous
      FROM export_lines WHERE {{where}})
"""
#: the expenses of one side as the sheet shows them: by chapter (chapters in the order their
#: first line comes), in line order within a chapter
BY_CHAPTER_SQL = f"""
SELECT {COLUMNS} FROM (
    SELECT *, min(pos) OVER (PARTITION BY chapter_code) AS chapter_pos
    FROM (SELECT *, row_number() OVER (ORDER BY {LINE_ORDER}) AS pos
          FROM export_lines WHERE {{where}})
) ORDER BY chapter_pos, pos
"""

#: paperwork to chase, in the order of the checks for one expense
MISSING_CHECKS = (
    ("payee_type = 'company' AND invoice_ref IS NULL", "no invoice number"),
    ("payee_type = 'company' AND supplier_vat IS NULL", "no VAT or enterprise number"),
    ("document IS NULL", "no supporting document"),
    ("supplier_vat_valid = FALSE", "invalid VAT or enterprise number"),
)
_MISSING_PARTS = " UNION ALL ".join(
    f"SELECT *, {i} AS check_no, '{what}' AS missing FROM export_lines "
    f"WHERE coalesce({test}, FALSE)"
    for i, (test, what) in enumerate(MISSING_CHECKS)
)
MISSING_SQL = f"SELECT {COLUMNS}, missing FROM ({_MISSING_PARTS}) ORDER BY {LINE_ORDER}, check_no"

SIDES = {"eligible": "counts", "excluded": "NOT counts"}
PARTS = (*SIDES, "missing")

#: rows per batch read back by the writers, and per Parquet row group
BATCH_ROWS = 8192
#: DuckDB's working memory while it sorts the lines (it spills beyond that)
DUCKDB_MEMORY = "128MB"


@dataclass(frozen=True)
class ExportData:
    """Everything a justification file shows; the lines are read in batches with `frames`."""

    production_id: str
    title: str
    scheme: str
    at: date
    rulebook: str
    run_id: int
    results: list[dict[str, Any]]
    #: one Parquet file per part (eligible, excluded, missing), in the order the file shows it
    files: dict[str, Path]
    #: the same lines in the order the content hash covers them, where that order differs
    hash_files: dict[str, Path]
    #: number of lines of each part
    counts: dict[str, int]
    batches: pl.DataFrame
    #: the production's audit trail (who imported, overrode, checked), newest first; not part of
    #: the content hash, since producing this very file adds to it
    audit: pl.DataFrame = field(default_factory=pl.DataFrame)

    def frames(self, part: str, hashed: bool = False) -> Iterator[pl.DataFrame]:
        """The lines of a part in batches of at most BATCH_ROWS, in the file's order (`hashed`:
        in the content hash's); at least one batch (empty when the part has no line), so its
        columns are always known."""
        path = self.hash_files.get(part, self.files[part]) if hashed else self.files[part]
        with pq.ParquetFile(path) as source:
            empty = True
            for batch in source.iter_batches(batch_size=BATCH_ROWS):
                empty = False
                yield _frame(pl.from_arrow(batch))
            if empty:
                yield _frame(pl.from_arrow(source.schema_arrow.empty_table()))

    def hasher(self) -> ContentHash:
        return ContentHash(self)

    def content_hash(self) -> str:
        """Hash of the content (not of the file, nor of the time it was made): the same data
        exported twice gives the same hash."""
        digest = self.hasher()
        for part in PARTS:
            for frame in self.frames(part, hashed=True):
                digest.add(frame)
            digest.end_part()
        return digest.hexdigest()


def _frame(value: pl.DataFrame | pl.Series) -> pl.DataFrame:
    assert isinstance(value, pl.DataFrame)
    return value


class ContentHash:
    """SHA-256 of the identity, the results, then each part as CSV (lists joined with `|`),
    then the import batches: fed batch by batch, the same bytes as the parts written whole."""

    def __init__(self, data: ExportData) -> None:
        self._data = data
        self._digest = hashlib.sha256()
        self._digest.update(
            json.dumps(
                jsonable([data.production_id, data.scheme, data.at, data.rulebook]), sort_keys=True
            ).encode()
        )
        for r in data.results:
            self._digest.update(
                json.dumps({k: v for k, v in r.items() if k != "run_id"}, sort_keys=True).encode()
            )
        self._header = True

    def add(self, frame: pl.DataFrame) -> None:
        """The next batch of the current part."""
        flat = frame.with_columns(pl.col(pl.List(pl.String)).list.join("|"))
        self._digest.update(flat.write_csv(include_header=self._header).encode())
        self._header = False

    def end_part(self) -> None:
        self._header = True

    def hexdigest(self) -> str:
        """After the three parts: the import batches, and the hash."""
        self.add(self._data.batches.drop("imported_at", "imported_by"))
        return self._digest.hexdigest()


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _copy(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> int:
    """Write a query's rows, in its order, to a Parquet file; returns how many."""
    written = con.execute(
        f"COPY ({query}) TO {_sql_text(str(path))} (FORMAT parquet, ROW_GROUP_SIZE {BATCH_ROWS})"
    ).fetchall()
    return int(written[0][0])


def _write_parts(
    con: duckdb.DuckDBPyConnection, lines_sql: str, params: dict[str, Any], folder: Path
) -> tuple[dict[str, Path], dict[str, Path], dict[str, int]]:
    """Evaluate the lines once, then write each part in order; (files, hash files, counts)."""
    files = {part: folder / f"{part}.parquet" for part in PARTS}
    hash_files, counts = {}, {}
    lines = folder / "lines.parquet"
    con.execute(
        f"COPY ({lines_sql}) TO {_sql_text(str(lines))} "
        f"(FORMAT parquet, ROW_GROUP_SIZE {BATCH_ROWS})",
        params,
    ).fetchall()
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW export_lines AS SELECT * FROM read_parquet({_sql_text(str(lines))})"
    ).fetchall()
    for part, where in SIDES.items():
        # the chapters come in one block each (always, unless a budget code is not in the
        # devis): the line order is the sheet's, one sort
        if con.execute(CONTIGUOUS_SQL.format(where=where)).fetchall()[0][0]:
            counts[part] = _copy(con, IN_LINE_ORDER_SQL.format(where=where), files[part])
        else:
            counts[part] = _copy(con, BY_CHAPTER_SQL.format(where=where), files[part])
            hash_files[part] = folder / f"{part}.in-line-order.parquet"
            _copy(con, IN_LINE_ORDER_SQL.format(where=where), hash_files[part])
    counts["missing"] = _copy(con, MISSING_SQL, files["missing"])
    con.execute("DROP VIEW export_lines").fetchall()
    lines.unlink()
    return files, hash_files, counts


@contextmanager
def gather(db: Path | None, production_id: str, scheme: str, at: date) -> Iterator[ExportData]:
    """Run the check as at `at` and prepare what the file shows (its line files are removed on
    leaving the block)."""
    run = run_check(db, production_id, at)
    results = [result_json(r) for r in run.results if r.scheme == scheme]
    if not results:
        raise UserError(f"{production_id}: {scheme} is not in the financing plan")
    with tempfile.TemporaryDirectory(prefix="cineledger-export-") as tmp:
        folder = Path(tmp)
        with connect(db, read_only=True) as con:
            con.execute(f"SET temp_directory = {_sql_text(str(folder / 'spill'))}").fetchall()
            con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'").fetchall()
            relation, params = relation_at(con, production_id, at)
            lines_sql = EXPENSES_SQL.format(relation=relation)
            lines_params = {**params, "scheme": scheme}
            try:
                files, hash_files, counts = _write_parts(con, lines_sql, lines_params, folder)
            except duckdb.OutOfMemoryException:
                # a ledger too large for the cap (what does not spill): DuckDB's default limit
                con.execute("RESET memory_limit").fetchall()
                files, hash_files, counts = _write_parts(con, lines_sql, lines_params, folder)
            title = con.execute(
                "SELECT title FROM productions WHERE id = ?", [production_id]
            ).fetchall()[0][0]
            batches = read_frame(
                con,
                "SELECT id, kind, file_name, file_sha256, rows_imported, imported_at, imported_by "
                "FROM import_batches WHERE production_id IN ($pid, '*') ORDER BY id",
                {"pid": production_id},
            )
            audit = trail(con, production_id)
        yield ExportData(
            production_id,
            title,
            scheme,
            at,
            run.rulebook,
            run.run_id,
            results,
            files,
            hash_files,
            counts,
            batches,
            audit,
        )
