"""The database side of an import: fingerprints, duplicates, conflicts, the insert, the quarantine.

Each step hands DuckDB only the columns it reads, as Arrow with plain (not view) strings: DuckDB
copies a registered frame column by column on every scan, and reads plain strings about a third
faster than polars' string views. The wide frame of a million expenses is scanned once, by the
insert itself; fingerprints, duplicates and conflicts work on narrow frames.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from finance.store.db import read_frame

if TYPE_CHECKING:  # polars loads pyarrow itself when it converts; commands that never do skip it
    import pyarrow as pa

#: What makes two rows the same expense. Payment date, description and document are left out
#: on purpose: a later export that adds a payment date must not double-count the invoice.
IDENTITY = (
    "production_id",
    "date",
    "supplier_key",
    "budget_code",
    "amount",
    "currency",
    "invoice_ref",
    "status",
    "country",
    "postcode",
)

EXPENSE_COLUMNS = """id, production_id, batch_id, doc_date, supplier, supplier_key, country, postcode,
    budget_code, amount_orig, currency, fx_rate, fx_source, amount, vat_amount, supplier_vat,
    supplier_vat_kind, supplier_vat_valid, supplier_vat_reason, invoice_ref, description, paid_on,
    status, payee_type, av_company, be_taxable, be_taxable_reason, category_override,
    ts_class_override, nights, document, territory, territory_country, fr_department, fr_region,
    territory_reason, fingerprint, source_file, source_sheet, source_row, source_format"""

EXPENSE_SELECT = """$first_id + s._key, s.production_id, s._batch_id, s.date, s.supplier,
    s.supplier_key, s.country, s.postcode, s.budget_code, s.amount, s.currency, s.fx_rate,
    s.fx_source, round(s.amount * s.fx_rate, 2), s.vat_amount,
    coalesce(s.supplier_vat_normalized, s.supplier_vat), s.supplier_vat_kind,
    s.supplier_vat_valid, s.supplier_vat_reason, s.invoice_ref, s.description, s.paid_on,
    s.status, s.payee_type, s.av_company, s.be_taxable, s.be_taxable_reason, s.category,
    s.ts_class, s.nights, s.document, s.territory, s.territory_country, s.fr_department,
    s.fr_region, s.territory_reason, s.fingerprint, s._file, s._sheet, s._row, s._format"""

#: the frame columns the insert reads: EXPENSE_SELECT's `s.` names, in order
INSERT_INPUT = tuple(dict.fromkeys(re.findall(r"\bs\.(\w+)", EXPENSE_SELECT)))


#: rows per insert statement (a multiple of DuckDB's row group of 122,880 rows)
INSERT_SLICE = 245_760


def as_arrow(frame: pl.DataFrame) -> pa.Table:
    """Arrow with plain strings, the form DuckDB scans fastest."""
    return frame.to_arrow(compat_level=pl.CompatLevel.oldest())


@contextmanager
def _registered(
    con: duckdb.DuckDBPyConnection, name: str, rows: pl.DataFrame
) -> Iterator[Iterator[None]]:
    """Yields an iterator that registers `rows` as `name` a slice at a time (at least once, so
    that an empty frame still has its columns): the Arrow copy of one slice is all that is held
    besides the frame."""

    def slices() -> Iterator[None]:
        for start in range(0, max(rows.height, 1), INSERT_SLICE):
            con.register(name, as_arrow(rows.slice(start, INSERT_SLICE)))
            yield

    try:
        yield slices()
    finally:
        con.unregister(name)


def _hashes(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame, select: str) -> pl.DataFrame:
    """`select` over `rows` registered as `hashed_rows`, a slice at a time."""
    with _registered(con, "hashed_rows", rows) as slices:
        return pl.concat([read_frame(con, f"SELECT {select} FROM hashed_rows") for _ in slices])


def fingerprints(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> pl.DataFrame:
    """`_key`, `fp0` (the identity's hash) and `fingerprint` (hash + occurrence), in `_key` order.

    Two identical rows are two expenses: the n-th occurrence of an identity, in file and row
    order, is `#n`. Almost every row is the first of its kind (`#1`): the hashes are computed
    with that occurrence, then recomputed for the few rows whose identity repeats. The hashes are
    DuckDB's md5, as stored."""
    identity = ", ".join(f"coalesce(CAST({c} AS VARCHAR), '')" for c in IDENTITY)
    prints = _hashes(
        con,
        frame.select("_key", *IDENTITY),
        f"_key, md5(concat_ws('|', {identity})) AS fp0, md5(fp0 || '#1') AS fingerprint",
    )
    # candidates by a 64-bit hash of fp0 (five times cheaper than comparing the text); a
    # collision only adds a row that the numbering by fp0 itself leaves at #1
    repeated = (
        prints.select("_key", "fp0")
        .filter(pl.col("fp0").hash().is_duplicated())
        .join(frame.select("_key", "_sha256", "_row"), on="_key")
        .sort("fp0", "_sha256", "_row")
        .with_columns((pl.int_range(pl.len()).over("fp0") + 1).alias("occ"))
    )
    if repeated.height == 0:
        return prints
    renumbered = _hashes(con, repeated, "_key, md5(fp0 || '#' || occ) AS fingerprint").rename(
        {"fingerprint": "renumbered"}
    )
    return (
        prints.join(renumbered, on="_key", how="left", maintain_order="left")
        .with_columns(pl.coalesce("renumbered", "fingerprint").alias("fingerprint"))
        .drop("renumbered")
    )


def already_in_ledger(
    con: duckdb.DuckDBPyConnection, production_id: str, prints: pl.DataFrame
) -> pl.DataFrame:
    """`_key` of the rows whose fingerprint the production's ledger holds already."""
    con.register("new_prints", as_arrow(prints.select("_key", "fingerprint")))
    try:
        return read_frame(
            con,
            "SELECT _key FROM new_prints WHERE fingerprint IN "
            "(SELECT fingerprint FROM expenses WHERE production_id = $pid)",
            {"pid": production_id},
        )
    finally:
        con.unregister("new_prints")


def conflicts(
    con: duckdb.DuckDBPyConnection, production_id: str, numbered: pl.DataFrame
) -> pl.DataFrame:
    """Rows whose supplier and invoice number name another document with other content: in the
    ledger, or in this import (another file or document). `numbered` holds the new rows with an
    invoice number: `_key, _file, _row, supplier_key, invoice_ref, _doc, fp0, fingerprint`.

    A clash inside the import needs a (supplier, invoice) with two documents and two contents:
    those few groups are found first (among the numbers that repeat at all), so the self-join
    never pairs a million rows."""
    con.register("numbered", as_arrow(numbered))
    try:
        found = read_frame(
            con,
            """
            WITH repeated AS (
                SELECT supplier_key, invoice_ref FROM numbered GROUP BY ALL HAVING count(*) > 1
            ),
            clashing AS (
                SELECT supplier_key, invoice_ref
                FROM numbered SEMI JOIN repeated USING (supplier_key, invoice_ref)
                GROUP BY ALL HAVING count(DISTINCT fp0) > 1 AND count(DISTINCT _doc) > 1
            ),
            suspects AS MATERIALIZED (
                SELECT * FROM numbered SEMI JOIN clashing USING (supplier_key, invoice_ref)
            )
            SELECT s._file, s._row, 'invoice_ref' AS column, s.invoice_ref AS value,
                   'same supplier and invoice number as expense #' || e.id || ' (' ||
                   e.source_file || ' row ' || e.source_row || ') but different content' AS reason
            FROM numbered s JOIN expenses e
              ON e.production_id = $pid AND e.supplier_key = s.supplier_key
             AND e.invoice_ref = s.invoice_ref
            WHERE s.fingerprint <> e.fingerprint
            QUALIFY row_number() OVER (PARTITION BY s._key ORDER BY e.id) = 1
            UNION ALL
            SELECT s._file, s._row, 'invoice_ref', s.invoice_ref,
                   'same supplier and invoice number as ' || t._file || ' row ' || t._row ||
                   ' but different content'
            FROM suspects s JOIN suspects t
              ON s.supplier_key = t.supplier_key AND s.invoice_ref = t.invoice_ref
             AND s._doc <> t._doc AND s.fp0 <> t.fp0
            QUALIFY row_number() OVER (PARTITION BY s._key ORDER BY t._doc, t._row) = 1
            """,
            {"pid": production_id},
        )
    finally:
        con.unregister("numbered")
    return found.with_columns(pl.col("_row").cast(pl.Int64))


def insert_expenses(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> None:
    """Insert the rows flagged `_keep`; ids continue the ledger's, in `_key` order.

    The rows go in slices: each is copied to Arrow only while DuckDB reads it, so the copy
    never holds the whole import at once."""
    first_id = int(con.execute("SELECT coalesce(max(id), 0) + 1 FROM expenses").fetchall()[0][0])
    rows = frame.select(*INSERT_INPUT, "_keep")
    with _registered(con, "new_expenses", rows) as slices:
        for _ in slices:
            con.execute(
                f"INSERT INTO expenses ({EXPENSE_COLUMNS}) SELECT {EXPENSE_SELECT} "
                "FROM new_expenses s WHERE s._keep",
                {"first_id": first_id},
            )


def quarantine(
    con: duckdb.DuckDBPyConnection,
    production_id: str,
    files: list[str],
    rejected: pl.DataFrame,
    problems: pl.DataFrame,
) -> None:
    """Replace the quarantine of these files by the rows rejected now, each with every reason.

    `rejected`: `_batch_id, _file, _sheet, _row, raw_json`; `problems`: `_file, _row, column,
    reason, kind`."""
    con.execute(
        "DELETE FROM quarantine WHERE production_id = $pid AND source_file IN (SELECT unnest($f))",
        {"pid": production_id, "f": files},
    )
    if not rejected.height:
        return
    con.register("rejected_rows", as_arrow(rejected))
    con.register("row_problems", as_arrow(problems))
    try:
        con.execute(
            """
            INSERT INTO quarantine
            SELECT $pid, r._batch_id, r._file, r._sheet, r._row,
                   string_agg(p.column || ': ' || p.reason, '; ' ORDER BY p.column),
                   any_value(r.raw_json),
                   CASE WHEN bool_or(p.kind = 'invalid') THEN 'invalid' ELSE 'to_code' END
            FROM rejected_rows r JOIN row_problems p ON p._file = r._file AND p._row = r._row
            GROUP BY ALL
            """,
            {"pid": production_id},
        )
    finally:
        con.unregister("rejected_rows")
        con.unregister("row_problems")
