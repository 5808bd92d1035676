"""What a justification file contains, gathered once: the check, the expenses that count and
those that do not, the missing paperwork, and the provenance."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from finance.audit import trail
from finance.errors import UserError
from finance.fmt import jsonable
from finance.store.db import connect, read_frame

EXPENSES_SQL = """
SELECT e.supplier, e.supplier_vat, e.supplier_vat_valid, e.country, e.postcode, e.territory,
       e.invoice_ref, e.doc_date, e.paid_on, e.budget_code, e.chapter_code, e.chapter_label,
       e.budget_label, e.amount, e.currency, e.fx_rate, e.amount_orig, l.eligible_amount, l.counts,
       l.reasons, e.document, e.payee_type, e.source_file, e.source_row, e.id AS expense_id
FROM {relation} l JOIN v_expenses e ON e.id = l.expense_id
WHERE l.production_id = $pid AND l.scheme = $scheme AND l.status = 'actual'
"""


@dataclass(frozen=True)
class ExportData:
    """Everything a justification file shows."""

    production_id: str
    title: str
    scheme: str
    at: date
    rulebook: str
    run_id: int
    results: list[dict[str, Any]]
    eligible: pl.DataFrame
    excluded: pl.DataFrame
    missing: pl.DataFrame
    batches: pl.DataFrame
    #: the production's audit trail (who imported, overrode, checked), newest first; not part of
    #: the content hash, since producing this very file adds to it
    audit: pl.DataFrame = field(default_factory=pl.DataFrame)

    def content_hash(self) -> str:
        """Hash of the content (not of the file, nor of the time it was made): the same data
        exported twice gives the same hash."""
        digest = hashlib.sha256()
        digest.update(
            json.dumps(
                jsonable([self.production_id, self.scheme, self.at, self.rulebook]), sort_keys=True
            ).encode()
        )
        for r in self.results:
            digest.update(
                json.dumps({k: v for k, v in r.items() if k != "run_id"}, sort_keys=True).encode()
            )
        for frame in (
            self.eligible,
            self.excluded,
            self.missing,
            self.batches.drop("imported_at", "imported_by"),
        ):
            flat = frame.with_columns(pl.col(pl.List(pl.String)).list.join("|"))
            digest.update(flat.write_csv().encode())
        return digest.hexdigest()


def _chapter_sort(frame: pl.DataFrame) -> pl.DataFrame:
    parts = pl.col("budget_code").str.split(".")
    return frame.sort(
        parts.list.get(0, null_on_oob=True).cast(pl.Int64, strict=False),
        parts.list.get(1, null_on_oob=True).cast(pl.Int64, strict=False),
        "budget_code",
        "doc_date",
        "expense_id",
    )


def missing_items(frame: pl.DataFrame) -> pl.DataFrame:
    """Paperwork to chase: no invoice number or VAT number (companies), no document, invalid number."""
    col = pl.col
    company = col("payee_type") == "company"
    checks = [
        (company & col("invoice_ref").is_null(), "no invoice number"),
        (company & col("supplier_vat").is_null(), "no VAT or enterprise number"),
        (col("document").is_null(), "no supporting document"),
        (col("supplier_vat_valid") == False, "invalid VAT or enterprise number"),  # noqa: E712
    ]
    parts = [
        frame.filter(test.fill_null(False)).with_columns(pl.lit(what).alias("missing"))
        for test, what in checks
    ]
    return _chapter_sort(pl.concat(parts)) if parts else frame.head(0)


def gather(db: Path | None, production_id: str, scheme: str, at: date) -> ExportData:
    """Run the check as at `at` and read what the file shows."""
    from rules.relation import relation_at
    from rules.runs import result_json, run_check

    run = run_check(db, production_id, at)
    results = [result_json(r) for r in run.results if r.scheme == scheme]
    if not results:
        raise UserError(f"{production_id}: {scheme} is not in the financing plan")
    with connect(db, read_only=True) as con:
        relation, params = relation_at(con, production_id, at)
        rows = read_frame(con, EXPENSES_SQL.format(relation=relation), {**params, "scheme": scheme})
        title = con.execute(
            "SELECT title FROM productions WHERE id = ?", [production_id]
        ).fetchall()[0][0]
        batches = read_frame(
            con,
            "SELECT id, kind, file_name, file_sha256, rows_imported, imported_at, imported_by FROM "
            "import_batches WHERE production_id IN ($pid, '*') ORDER BY id",
            {"pid": production_id},
        )
        audit = trail(con, production_id)
    eligible = _chapter_sort(rows.filter(pl.col("counts")))
    excluded = _chapter_sort(rows.filter(~pl.col("counts")))
    return ExportData(
        production_id,
        title,
        scheme,
        at,
        run.rulebook,
        run.run_id,
        results,
        eligible,
        excluded,
        missing_items(rows),
        batches,
        audit,
    )
