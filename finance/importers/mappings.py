"""Supplier-to-budget-line mappings a user keeps: an e-invoice from a mapped supplier without a
usable accounting reference is booked on the mapped line instead of waiting to be coded. A key
`account:6226` maps an FEC expense account to a budget line."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from finance.classify.enrich import supplier_key
from finance.domain.codes import normalize_code
from finance.domain.errors import UserError
from finance.domain.parsing import map_headers
from finance.importers.tabular import read_table
from finance.store.audit import record
from finance.store.db import connect, transaction

ALIASES = {
    "supplier": ("fournisseur", "leverancier", "supplier_vat", "n° tva", "btw-nummer"),
    "budget_code": ("poste", "post", "code", "budgetcode"),
}


def import_mappings(db: Path | None, production_id: str, path: Path) -> int:
    """Load (and replace, supplier by supplier) the mappings of a CSV or XLSX file."""
    if not path.exists():
        raise UserError(f"{path}: file not found")
    table = read_table(path)
    mapping, problems = map_headers(
        [c for c in table.frame.columns if c != "_row"],
        ALIASES,
        ["supplier", "budget_code"],
        table.file,
    )
    if problems:
        raise UserError(
            f"{table.file}: a mapping file has the columns supplier and budget_code", problems
        )
    frame = (
        table.frame.rename(mapping)
        .select(
            pl.when(pl.col("supplier").str.strip_chars().str.starts_with("account:"))
            .then(pl.col("supplier").str.replace_all(" ", ""))
            .otherwise(
                supplier_key(
                    pl.col("supplier"),
                    pl.when(pl.col("supplier").str.contains(r"^[A-Za-z]{2}[\d\s.]{6,}$")).then(
                        pl.col("supplier")
                    ),
                )
            )
            .alias("supplier_key"),
            normalize_code(pl.col("budget_code")).alias("budget_code"),
        )
        .unique("supplier_key", keep="last")
    )
    with connect(db) as con, transaction(con):
        con.register("new_mappings", frame)
        con.execute(
            "DELETE FROM supplier_mappings WHERE production_id = ? AND supplier_key IN "
            "(SELECT supplier_key FROM new_mappings)",
            [production_id],
        )
        con.execute(
            "INSERT INTO supplier_mappings (production_id, supplier_key, budget_code, source_file) "
            "SELECT ?, supplier_key, budget_code, ? FROM new_mappings",
            [production_id, table.file],
        )
        con.unregister("new_mappings")
        record(con, "import.mapping", production_id, table.file, {"mappings": frame.height})
    return frame.height
