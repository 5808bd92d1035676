"""Supplier-to-budget-line mappings a user keeps: an e-invoice from a mapped supplier without a
usable accounting reference is booked on the mapped line instead of waiting to be coded. A key
`account:6226` maps an FEC expense account to a budget line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from finance.classify.enrich import folded_name, mapping_key
from finance.domain import i18n
from finance.domain.codes import normalize_code
from finance.domain.identifiers import company_key, id_key, looks_like_id
from finance.domain.parsing import map_headers
from finance.domain.validate import Check, run_checks, to_problems
from finance.importers.tabular import read_table
from finance.store import queries
from finance.store.audit import record
from finance.store.db import connect, transaction
from finance.store.productions import get_manifest

ALIASES = {
    "supplier": ("fournisseur", "leverancier", "supplier_vat", "n° tva", "btw-nummer"),
    "budget_code": ("poste", "post", "code", "budgetcode"),
}


@dataclass(frozen=True)
class MappingOutcome:
    """How many mappings a file loaded, and those that match no supplier (or FEC account) the
    production has seen so far, as written in the file."""

    loaded: int
    unmatched: list[str]


def _unmatched(seen: pl.DataFrame, frame: pl.DataFrame) -> list[str]:
    """The mappings (as written) whose key matches no supplier seen (by VAT or enterprise
    number, the company behind it, or the folded name) and no account of a waiting ledger row
    (an account mapping covers its sub-accounts)."""
    ids = seen.select(company_key(id_key(pl.col("supplier_vat"))).alias("k"))
    names = seen.select(folded_name(pl.col("supplier")).alias("k"))
    known = pl.concat([ids, names]).drop_nulls()["k"].implode()
    key = pl.col("supplier_key")
    is_account = key.str.starts_with("account:")
    as_company = pl.when(looks_like_id(key)).then(company_key(key)).otherwise(key)
    suppliers = frame.filter(~is_account & ~as_company.is_in(known))
    accounts = frame.filter(is_account).with_columns(
        key.str.strip_prefix("account:").alias("digits")
    )
    references = seen.select(pl.col("reference").cast(pl.String).alias("ref")).drop_nulls()
    covered = (
        accounts.join(references.unique(), how="cross")
        .filter(pl.col("ref").str.starts_with(pl.col("digits")))["written"]
        .implode()
    )
    stray = accounts.filter(~pl.col("written").is_in(covered))
    return sorted([*suppliers["written"].to_list(), *stray["written"].to_list()])


def _checks(lines: list[str]) -> list[Check]:
    """Each row names a supplier (or an account) and a line of the current devis."""
    col = pl.col
    return [
        Check(
            "supplier",
            col("supplier_key").is_null() | (col("supplier_key") == ""),
            "required, but empty",
        ),
        Check("budget_code", col("budget_code").is_null(), "required, but empty"),
        Check(
            "budget_code",
            col("budget_code").is_not_null() & ~col("budget_code").is_in(lines),
            "no such line in the current devis",
        ),
    ]


def import_mappings(db: Path | None, production_id: str, path: Path) -> MappingOutcome:
    """Load (and replace, supplier by supplier) the mappings of a CSV or XLSX file; say which
    match nothing the production has seen so far (a typo, or a supplier yet to come)."""
    if not path.exists():
        raise i18n.error("error.file.not_found", name=str(path))
    table = read_table(path)
    mapping, problems = map_headers(
        [c for c in table.frame.columns if c != "_row"],
        ALIASES,
        ["supplier", "budget_code"],
        table.file,
    )
    if problems:
        raise i18n.error("error.mappings.headers", problems, name=table.file)
    typed = table.frame.rename(mapping).select(
        "_row",
        pl.col("supplier").alias("raw_supplier"),
        pl.col("budget_code").alias("raw_budget_code"),
        mapping_key(pl.col("supplier")).alias("supplier_key"),
        pl.col("supplier").str.strip_chars().alias("written"),
        normalize_code(pl.col("budget_code")).alias("budget_code"),
    )
    with connect(db, read_only=True) as con:
        get_manifest(con, production_id)  # an unknown production is named, not mapped
        lines = [r[0] for r in queries.rows(con, "imports.budget_lines", {"pid": production_id})]
    found = run_checks(typed, _checks(lines))
    if found.height:
        raise i18n.error(
            "error.mappings.invalid_rows",
            to_problems(found, table.file, table.sheet),
            name=table.file,
            count=str(found["_row"].n_unique()),
        )
    frame = typed.select("supplier_key", "written", "budget_code").unique(
        "supplier_key", keep="last"
    )
    with connect(db) as con, transaction(con):
        con.register("new_mappings", frame)
        queries.execute(con, "mappings.delete_replaced", {"pid": production_id})
        queries.execute(con, "mappings.insert", {"pid": production_id, "file": table.file})
        con.unregister("new_mappings")
        seen = queries.frame(con, "mappings.suppliers_seen", {"pid": production_id})
        unmatched = _unmatched(seen, frame)
        record(
            con,
            "import.mapping",
            production_id,
            table.file,
            {"mappings": frame.height, "unmatched": unmatched},
        )
    return MappingOutcome(frame.height, unmatched)
