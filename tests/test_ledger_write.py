"""The stored fingerprint of an expense: the contract that makes imports idempotent across
versions (a database written by an older version must recognise the same rows)."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import duckdb
import polars as pl

from finance.store.ledger import IDENTITY, fingerprint_sql, fingerprints, number, occurrences


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def hex_digits(column: str) -> pl.Expr:
    return pl.col(column).map_elements(lambda v: f"{v:016x}", return_dtype=pl.String)


def _frame() -> pl.DataFrame:
    row = {
        "production_id": "dernier-tram",
        "date": date(2025, 4, 1),
        "supplier_key": "BE0123456749",
        "budget_code": "7.01",
        "amount": Decimal("1234.50"),
        "currency": "EUR",
        "invoice_ref": None,
        "status": "actual",
        "country": "BE",
        "postcode": "4000",
    }
    other = {**row, "amount": Decimal("-12.00")}
    return pl.DataFrame(
        [
            {**row, "_key": 0, "_sha256": "b", "_row": 2},
            {**other, "_key": 1, "_sha256": "a", "_row": 9},
            {**row, "_key": 2, "_sha256": "a", "_row": 5},  # same content, earlier file
            {**row, "_key": 3, "_sha256": "a", "_row": 3},
        ],
        schema_overrides={"amount": pl.Decimal(18, 2)},
    ).select("_key", "_sha256", "_row", *IDENTITY)


def test_fingerprints_hash_the_identity_and_number_repeats_in_file_and_row_order() -> None:
    frame = _frame()
    with duckdb.connect() as con:
        halves = fingerprints(con, frame).sort("_key")
    # each hash is held as two 64-bit halves: their hex digits, end to end, are the md5
    prints = halves.select(
        pl.format("{}{}", *(hex_digits(c) for c in ("fp0_hi", "fp0_lo"))).alias("fp0"),
        pl.format("{}{}", *(hex_digits(c) for c in ("fp_hi", "fp_lo"))).alias("fingerprint"),
    )
    identity = "dernier-tram|2025-04-01|BE0123456749|7.01|1234.50|EUR||actual|BE|4000"
    fp0 = md5(identity)
    assert prints["fp0"].to_list() == [fp0, md5(identity.replace("1234.50", "-12.00")), fp0, fp0]
    # occurrences among the repeated rows by (file hash, row): a/3, a/5, then b/2
    assert prints["fingerprint"].to_list() == [
        md5(fp0 + "#3"),
        md5(prints["fp0"][1] + "#1"),
        md5(fp0 + "#2"),
        md5(fp0 + "#1"),
    ]


def test_the_insert_stores_the_fingerprints_the_duplicates_are_found_by() -> None:
    """The insert computes each row's fingerprint from its identity and occurrence (`_occ`):
    the very numbers `fingerprints` gives, against which a re-import finds its duplicates."""
    frame = _frame()
    with duckdb.connect() as con:
        expected = fingerprints(con, frame).sort("_key")
        rows = frame.join(occurrences(con, frame), on="_key")
        con.register("s", rows.to_arrow())
        stored = con.execute(
            f"SELECT _key, {fingerprint_sql('s.')} = {number('e.fp_hi', 'e.fp_lo')} "
            "FROM s JOIN expected e USING (_key) ORDER BY _key"
        ).fetchall()
    assert rows.sort("_key")["_occ"].to_list() == [3, 1, 2, 1]
    assert stored == [(k, True) for k in expected["_key"].to_list()]
