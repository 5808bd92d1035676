"""What a justification file contains, gathered once: the check, the expenses that count and
those that do not, the missing paperwork, and the provenance.

Where two schemes may count the same expense, the lines follow the allocation of the invoices
to the obligations stored with the check (rules/allocation_store.py): the file lists the
expenses allocated to its scheme, each at the amount the allocation counts for it (a split
invoice's part, with the reason); an eligible invoice the allocation gives to a scheme that
excludes this one is among the excluded lines, saying which. No euro then counts in two files
whose schemes exclude each other, and the eligible total is the allocation's.

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

from finance.checks import evaluate_check, run_check
from finance.domain import i18n
from finance.domain.fmt import jsonable
from finance.financing.run import FinancingView, financing_views
from finance.financing.states import RULE_SCHEMA
from finance.store import queries
from finance.store.audit import trail
from finance.store.db import connect
from finance.store.productions import get_manifest
from finance.store.queries.exports import (
    ADDRESS_COLUMN,
    AGREEMENT_COLUMN,
    COLUMNS,
    REGIME_COLUMNS,
    SIDES,
)

# MISSING_CHECKS is re-exported: the export tests read the order of the checks from here
from finance.store.queries.exports import MISSING_CHECKS as MISSING_CHECKS
from finance.store.sql import literal
from rules import RULEBOOK_VERSION
from rules.allocation import ClaimFigures
from rules.allocation_store import claim_figures, current_allocation, scheme_lines
from rules.allocation_verdict import needs_allocation
from rules.engine import RuleResult
from rules.loader import load_packs
from rules.relation import relation_at
from rules.runs import result_json

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
    #: the stored rule run the file rests on (None: the results were evaluated for the file
    #: and not stored)
    run_id: int | None
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
    #: the scheme's agreements stand on their own: each line says which one it counts for
    per_agreement: bool = False
    #: the scheme counts payees abroad by their Belgian tax regime: each line gives it, with the
    #: fee slip (281.50) as its evidence
    regime: bool = False
    #: the production's financing as at the same date, its conditions read from the same
    #: results (the cash-flow and financing plan sheets); not part of the content hash
    financing: FinancingView | None = None
    #: where two schemes may count the same expense, the allocation of the invoices the lines
    #: follow (rules/allocation_store.py): the figures of this scheme's obligations (allocated,
    #: required, margin, the check's count); None when the lines are the check's
    allocated: list[ClaimFigures] | None = None
    #: the scheme tests a supplier's recorded address (its pack's `payee_address`): each line
    #: says which address its territory was tested on
    address: bool = False

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


def _copy(
    con: duckdb.DuckDBPyConnection,
    query: str,
    path: Path,
    params: dict[str, Any] | None = None,
) -> int:
    """Write a query's rows, in its order, to a Parquet file; returns how many."""
    parts = {"query": query, "path": literal(path), "row_group": str(BATCH_ROWS)}
    return int(queries.value(con, "exports.copy_to_parquet", params, parts))


def _write_parts(
    con: duckdb.DuckDBPyConnection,
    lines_sql: str,
    params: dict[str, Any],
    folder: Path,
    per_agreement: bool = False,
    regime: bool = False,
    address: bool = False,
) -> tuple[dict[str, Path], dict[str, Path], dict[str, int]]:
    """Evaluate the lines once, then write each part in order; (files, hash files, counts).
    With `per_agreement`, the eligible and excluded lines say which agreement each counts for."""
    columns = f"{COLUMNS}, {AGREEMENT_COLUMN}" if per_agreement else COLUMNS
    columns += f", {REGIME_COLUMNS}" if regime else ""
    columns += f", {ADDRESS_COLUMN}" if address else ""
    files = {part: folder / f"{part}.parquet" for part in PARTS}
    hash_files, counts = {}, {}
    lines = folder / "lines.parquet"
    _copy(con, lines_sql, lines, params)
    queries.execute(con, "exports.open_lines", parts={"path": literal(lines)})
    for part, side in SIDES.items():
        in_line_order = queries.sql("exports.in_line_order", side=side, columns=columns)
        # the chapters come in one block each (always, unless a budget code is not in the
        # devis): the line order is the sheet's, one sort
        if queries.value(con, "exports.chapters_contiguous", parts={"side": side}):
            counts[part] = _copy(con, in_line_order, files[part])
        else:
            by_chapter = queries.sql("exports.by_chapter", side=side, columns=columns)
            counts[part] = _copy(con, by_chapter, files[part])
            hash_files[part] = folder / f"{part}.in-line-order.parquet"
            _copy(con, in_line_order, hash_files[part])
    counts["missing"] = _copy(con, queries.sql("exports.missing"), files["missing"])
    queries.execute(con, "exports.close_lines")
    lines.unlink()
    return files, hash_files, counts


def statuses(production_id: str, checked: list[RuleResult]) -> pl.DataFrame:
    """The check's rule statuses as the financing's conditions read them."""
    rows = [
        {"production_id": production_id, "rule_id": r.rule_id, "status": r.status.value}
        for r in checked
    ]
    return pl.DataFrame(rows, schema=RULE_SCHEMA)


@contextmanager
def gather(
    db: Path | None, production_id: str, scheme: str, at: date, store: bool = True
) -> Iterator[ExportData]:
    """Run the check as at `at` and prepare what the file shows (its line files are removed on
    leaving the block). With `store` false the results are evaluated read-only and no rule run
    is stored (the dashboard prepares a file without adding a hidden run)."""
    if store:
        run = run_check(db, production_id, at)
        run_id, rulebook, checked = run.run_id, run.rulebook, run.results
    else:
        run_id, rulebook, checked = None, RULEBOOK_VERSION, evaluate_check(db, production_id, at)
    results = [result_json(r) for r in checked if r.scheme == scheme]
    if not results:
        raise i18n.error("error.export.not_in_plan", production=production_id, scheme=scheme)
    per_agreement = any(r.get("agreements") for r in results)
    eligibility = load_packs()[scheme].eligibility if scheme in load_packs() else None
    regime = bool(eligibility and eligibility.abroad_regime)
    address = bool(eligibility and eligibility.payee_address != "invoice")
    with tempfile.TemporaryDirectory(prefix="cineledger-export-") as tmp:
        folder = Path(tmp)
        with connect(db, read_only=True) as con:
            queries.execute(con, "exports.spill_to", parts={"path": literal(folder / "spill")})
            queries.execute(con, "exports.memory_limit", parts={"limit": literal(DUCKDB_MEMORY)})
            relation, params = relation_at(con, production_id, at)
            lines_sql = queries.sql("exports.lines", relation=relation)
            allocated = None
            if needs_allocation(checked):
                allocation, _ = current_allocation(con, production_id, at)
                allocated = claim_figures(allocation, scheme)
                con.register("export_allocation", scheme_lines(allocation, scheme).to_arrow())
                lines_sql = queries.sql("exports.lines_allocated", lines=lines_sql)
            lines_params = {**params, "scheme": scheme}
            try:
                files, hash_files, counts = _write_parts(
                    con, lines_sql, lines_params, folder, per_agreement, regime, address
                )
            except duckdb.OutOfMemoryException:
                # a ledger too large for the cap (what does not spill): DuckDB's default limit
                queries.execute(con, "exports.reset_memory_limit")
                files, hash_files, counts = _write_parts(
                    con, lines_sql, lines_params, folder, per_agreement, regime, address
                )
            title = queries.value(con, "productions.title", {"id": production_id})
            batches = queries.frame(con, "imports.batches_of", {"pid": production_id})
            audit = trail(con, production_id)
            manifest = get_manifest(con, production_id)
            rules = statuses(production_id, checked)
            financing = financing_views(con, [manifest], at, rules)[production_id]
        yield ExportData(
            production_id,
            title,
            scheme,
            at,
            rulebook,
            run_id,
            results,
            files,
            hash_files,
            counts,
            batches,
            audit,
            per_agreement,
            regime,
            financing,
            allocated,
            address,
        )
