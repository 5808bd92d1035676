"""Supplier facts the funds ask for: each payee's registered office and seat of operations, with
the source of each (a KBO/BCE extract, the invoice...), from a CSV or XLSX file.

A supplier is named by its VAT number (normalised as python-stdnum writes it) or by its name,
and stored under the key its expenses carry (`supplier_key`: the VAT number, else the folded
name). Each address is a country and a postcode; its territory comes from the same classifier
as an invoice's (Belgian postcode ranges, French departments). The import is atomic: one wrong
row refuses the file, every wrong row named with its reason; the same file twice changes
nothing; a newer file replaces a supplier's record, and the audit trail names the replaced ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from finance.classify.enrich import folded_name
from finance.classify.territory import classify_territory, clean_postcode, iso_countries
from finance.domain import i18n
from finance.domain.identifiers import id_key, validate_identifier
from finance.domain.parsing import map_headers
from finance.domain.validate import Check, run_checks, to_problems
from finance.importers.tabular import read_table
from finance.store import queries
from finance.store.audit import record
from finance.store.batches import Batch, new_batch
from finance.store.db import connect, transaction
from finance.store.productions import get_manifest

#: the two addresses a supplier record keeps, by the prefix of their columns
ADDRESSES = ("office", "seat")
_OFFICE = ("siège social", "maatschappelijke zetel", "registered office")
_SEAT = ("siège d'exploitation", "exploitatiezetel", "seat of operations")
_PARTS = {  # (French, Dutch, English)
    "country": ("pays", "land", "country"),
    "postcode": ("code postal", "postcode", "postcode"),
    "source": ("source", "bron", "source"),
}


def _address_aliases(prefix: str, names: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """`office_country`: `siège social pays`, `pays siège social`, `pays du siège social`... in
    French, Dutch and English, the address first or the part first."""
    out = {}
    for part, words in _PARTS.items():
        found = []
        for name, word in zip(names, words, strict=True):
            found += [f"{name} {word}", f"{word} {name}", f"{name} - {word}", f"{name} ({word})"]
        found += [f"{words[0]} du {names[0]}", f"{words[2]} of {names[2]}"]
        out[f"{prefix}_{part}"] = tuple(found)
    return out


ALIASES: dict[str, tuple[str, ...]] = {
    "supplier": ("fournisseur", "leverancier", "supplier", "nom", "naam", "name"),
    "supplier_vat": (
        "tva",
        "btw",
        "vat",
        "n° tva",
        "numéro tva",
        "btw-nummer",
        "ondernemingsnummer",
        "vat number",
    ),
    **_address_aliases("office", _OFFICE),
    **_address_aliases("seat", _SEAT),
}
COLUMNS = tuple(ALIASES)

#: the checks' reasons (finance/domain/reasons.py says them in the reader's language)
WHY_COUNTRY = "not an ISO 3166 alpha-2 country code (BE, FR, DE...)"
WHY_POSTCODE = "required for Belgian and French payees"
WHY_FIT = "the postcode does not fit the country"
WHY_NO_COUNTRY = "a postcode or a source without the address's country"
WHY_NO_SOURCE = "an address without a source is refused"
WHY_TWICE = "the same supplier is on two rows of the file"
#: what a record holds besides its provenance: what tells a replacement from the same record
FACTS = (
    "supplier",
    "supplier_vat",
    "name_key",
    *(f"{a}_{p}" for a in ADDRESSES for p in ("country", "postcode", "territory", "source")),
)


@dataclass(frozen=True)
class SuppliersOutcome:
    """What `import suppliers` did: the records added, replaced and unchanged, and the suppliers
    of the file that have no expense in the production (a warning: a typo, or one to come)."""

    file: str
    added: list[str]
    replaced: list[str]
    unchanged: int
    no_expenses: list[str]
    batch_id: int | None


def _text(name: str) -> pl.Expr:
    """A cell as trimmed text, null when empty."""
    value = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(value == "").then(None).otherwise(value)


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    """The cells as read (`raw_*`, for the problems) and their clean forms."""
    present = [c for c in COLUMNS if c in frame.columns]
    out = frame.select(
        "_row",
        *(_text(c).alias(c) for c in present),
        *(pl.lit(None, pl.String).alias(c) for c in COLUMNS if c not in present),
    )
    out = out.with_columns(pl.col(c).alias(f"raw_{c}") for c in COLUMNS)
    return out.with_columns(
        *(pl.col(f"{a}_country").str.to_uppercase() for a in ADDRESSES),
        *(clean_postcode(pl.col(f"{a}_postcode")).alias(f"{a}_postcode") for a in ADDRESSES),
    )


def _vat_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """`supplier_vat` normalised (python-stdnum, in the light of the registered office's
    country): a few rows, checked one by one."""
    pairs = frame.select("raw_supplier_vat", "office_country").unique()
    pairs = pairs.filter(pl.col("raw_supplier_vat").is_not_null())
    found = [
        validate_identifier(v, c).normalized or v for v, c in pairs.iter_rows() if v is not None
    ]
    table = pairs.with_columns(pl.Series("_vat", found, pl.String))
    out = frame.join(table, on=["raw_supplier_vat", "office_country"], how="left", nulls_equal=True)
    return out.with_columns(id_key(pl.col("_vat")).alias("supplier_vat")).drop("_vat")


def _with_territories(frame: pl.DataFrame) -> pl.DataFrame:
    """Each address's territory (null where it cannot be told: the checks say why)."""
    for a in ADDRESSES:
        found = classify_territory(
            frame.select("_row", f"{a}_country", f"{a}_postcode"),
            f"{a}_country",
            f"{a}_postcode",
        )
        territory = pl.when(pl.col(f"{a}_country").is_not_null()).then(pl.col("territory"))
        frame = frame.join(found.select("_row", territory.alias(f"{a}_territory")), on="_row")
    return frame


def _address_checks(a: str) -> list[Check]:
    country, postcode, source = (pl.col(f"{a}_{p}") for p in ("country", "postcode", "source"))
    given = country.is_not_null()
    be_fr = country.is_in(["BE", "FR"])
    known = country.is_in(sorted(iso_countries()))
    return [
        Check(f"{a}_country", given & ~known, WHY_COUNTRY),
        Check(
            f"{a}_country", ~given & (postcode.is_not_null() | source.is_not_null()), WHY_NO_COUNTRY
        ),
        Check(f"{a}_postcode", given & be_fr & postcode.is_null(), WHY_POSTCODE),
        Check(
            f"{a}_postcode",
            given & be_fr & postcode.is_not_null() & pl.col(f"{a}_territory").is_null(),
            WHY_FIT,
        ),
        Check(f"{a}_source", given & source.is_null(), WHY_NO_SOURCE),
    ]


def _checks() -> list[Check]:
    key = pl.col("supplier_key")
    return [
        Check(  # a supplier is named, by its name or by its VAT number
            "supplier",
            pl.col("supplier").is_null() & pl.col("supplier_vat").is_null(),
            "required, but empty",
        ),
        Check("supplier", key.is_not_null() & key.is_duplicated(), WHY_TWICE),
        *(c for a in ADDRESSES for c in _address_checks(a)),
    ]


def read_suppliers(path: Path) -> tuple[pl.DataFrame, str, str | None, str]:
    """The file's records (one row per supplier, keyed and classified), its name, sheet and
    hash; a UserError naming every wrong row with its reason."""
    table = read_table(path)
    mapping, problems = map_headers(
        [c for c in table.frame.columns if c != "_row"], ALIASES, ["supplier"], table.file
    )
    if problems:
        raise i18n.error("error.suppliers.headers", problems, name=table.file)
    frame = _with_territories(_vat_keys(_typed(table.frame.rename(mapping))))
    name_key = folded_name(pl.col("supplier"))
    frame = frame.with_columns(
        name_key.alias("name_key"),
        pl.coalesce(pl.col("supplier_vat"), name_key).alias("supplier_key"),
    )
    found = run_checks(frame, _checks())
    frame = frame.with_columns(pl.coalesce("supplier", "raw_supplier_vat").alias("supplier"))
    if found.height:  # each problem under the file's own header
        headers = {canon: written for written, canon in mapping.items()}
        found = found.with_columns(pl.col("column").replace(headers))
        raise i18n.error(
            "error.suppliers.invalid_rows",
            to_problems(found, table.file, table.sheet),
            name=table.file,
            count=str(found["_row"].n_unique()),
        )
    return frame, table.file, table.sheet, table.sha256


def _resolved(frame: pl.DataFrame, seen: pl.DataFrame) -> pl.DataFrame:
    """A supplier given by name only takes the key its expenses carry when they all carry one
    (their VAT number), so that its record meets them; `has_expenses` says whether any does."""
    names = seen.group_by("name_key").agg(
        pl.col("supplier_key").unique().alias("_keys"), pl.len().alias("_n")
    )
    out = frame.join(names, on="name_key", how="left")
    single = pl.col("_keys").list.len() == 1
    named_only = pl.col("supplier_vat").is_null()
    out = out.with_columns(
        pl.when(named_only & single)
        .then(pl.col("_keys").list.first())
        .otherwise(pl.col("supplier_key"))
        .alias("supplier_key")
    )
    keys = seen["supplier_key"].implode()
    out = out.with_columns(
        (pl.col("supplier_key").is_in(keys) | pl.col("_n").is_not_null()).alias("has_expenses")
    ).drop("_keys", "_n")
    # a row by name that turned out to be a row by VAT number of the same file: the latter
    return out.sort(pl.col("supplier_vat").is_null(), "_row").unique(
        "supplier_key", keep="first", maintain_order=True
    )


def _facts() -> pl.Expr:
    """A record's facts as one text (null facts marked), to tell a replacement from the same."""
    return pl.concat_str(
        [pl.col(c).cast(pl.String).fill_null("\x00") for c in FACTS], separator="\x1f"
    )


def _compare(frame: pl.DataFrame, stored: pl.DataFrame) -> pl.DataFrame:
    """`change`: added (a new supplier), replaced (a record that differs) or same."""
    old = stored.select("supplier_key", _facts().alias("_old"))
    out = frame.with_columns(_facts().alias("_new")).join(old, on="supplier_key", how="left")
    return out.with_columns(
        pl.when(pl.col("_old").is_null())
        .then(pl.lit("added"))
        .when(pl.col("_old") != pl.col("_new"))
        .then(pl.lit("replaced"))
        .otherwise(pl.lit("same"))
        .alias("change")
    ).drop("_old", "_new")


def _write(
    con: Any, production_id: str, changed: pl.DataFrame, batch: Batch, stats: dict[str, Any]
) -> int:
    """Store the changed records under a new batch, with the audit entry; the batch id."""
    batch_id = new_batch(con, batch)
    con.register("new_suppliers", changed.select("supplier_key", *FACTS, "_row"))
    params = {"pid": production_id, "batch_id": batch_id, "file": batch.file_name}
    queries.execute(con, "suppliers.delete_replaced", {"pid": production_id})
    queries.execute(con, "suppliers.insert", params)
    con.unregister("new_suppliers")
    record(con, "import.suppliers", production_id, batch.file_name, stats)
    return batch_id


def import_suppliers(db: Path | None, production_id: str, path: Path) -> SuppliersOutcome:
    """Load (and replace, supplier by supplier) the supplier records of a CSV or XLSX file."""
    frame, file, sheet, sha = read_suppliers(path)
    with connect(db) as con, transaction(con):
        get_manifest(con, production_id)  # an unknown production is named, not written to
        seen = queries.frame(con, "suppliers.keys_seen", {"pid": production_id})
        seen = seen.with_columns(folded_name(pl.col("supplier")).alias("name_key"))
        frame = _resolved(frame, seen)
        stored = queries.frame(con, "suppliers.of", {"pid": production_id})
        frame = _compare(frame, stored.select("supplier_key", *FACTS))
        changed = frame.filter(pl.col("change") != "same")
        added = sorted(frame.filter(pl.col("change") == "added")["supplier"].to_list())
        replaced = sorted(frame.filter(pl.col("change") == "replaced")["supplier"].to_list())
        no_expenses = sorted(frame.filter(~pl.col("has_expenses"))["supplier"].to_list())
        batch_id = None
        if changed.height:
            batch = Batch(
                production_id,
                "suppliers",
                file,
                sha,
                "suppliers_" + path.suffix.lower().lstrip("."),
                frame.height,
                changed.height,
                frame.height - changed.height,
                sheet=sheet,
            )
            stats = {"added": added, "replaced": replaced, "file_sha256": sha}
            batch_id = _write(con, production_id, changed, batch, stats)
    return SuppliersOutcome(
        file, added, replaced, frame.height - changed.height, no_expenses, batch_id
    )
