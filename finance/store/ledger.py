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

#: An FEC line (an accounting export) is identified by its place in the books instead: the
#: `_line_key` its importer gives (journal, entry number, position in the entry). Its stored
#: fingerprint is that key's (`line_print_sql`); its content (IDENTITY) tells a line already in
#: from a line the books changed (a conflict), column by column against the stored row.
#: identity column -> the stored column that holds it
STORED = {"date": "doc_date", "amount": "amount_orig"}

#: identity columns that tell almost every row apart: two rows with the same identity have the
#: same values here (NULL and '' alike, as in the identity's text), so the rows whose values
#: repeat here hold every repeated identity
REPEAT_HINT = ("date", "supplier_key", "amount", "invoice_ref")

#: the stored row (migration 006): what was read and what identifies it; the derived details are
#: in the lookup tables the ids point to, in `import_batches` and in the `v_expenses` view
EXPENSE_COLUMNS = """id, production_id, batch_id, source_row, source_part, doc_date, supplier,
    supplier_key, country, postcode, budget_code, amount_orig, currency, fx_rate, amount,
    vat_amount, supplier_vat, invoice_ref, description, paid_on, status, payee_type, av_company,
    be_taxable_stated, category_override, ts_class_override, nights, document, fingerprint,
    territory_id, vat_check_id, fx_source_id, be_tax_regime_stated, fee_slip"""

EXPENSE_SELECT = """$first_id + s._key, s.production_id, s._batch_id, s._row, s._part, s.date,
    s.supplier, s.supplier_key, s.country, s.postcode, s.budget_code, s.amount, s.currency,
    s.fx_rate, round(s.amount::DECIMAL(38,2) * s.fx_rate, 2), s.vat_amount,
    coalesce(s.supplier_vat_normalized, s.supplier_vat), s.invoice_ref, s.description, s.paid_on,
    s.status, s.payee_type, s.av_company, s.be_taxable_stated, s.category, s.ts_class, s.nights,
    s.document, {stored_print}, s._territory_id, s._vat_check_id, s._fx_source_id,
    s.be_tax_regime, s.fee_slip"""


def _identity(prefix: str = "") -> str:
    """SQL: the identity's text, the columns of IDENTITY joined by `|` (NULL as empty)."""
    return ", ".join(f"coalesce(CAST({prefix}{c} AS VARCHAR), '')" for c in IDENTITY)


def _as_number(hex_hash: str) -> str:
    """SQL: the 128-bit number a 32-digit hex hash spells."""
    return f"('0x' || {hex_hash})::UHUGEINT"


def fingerprint_sql(prefix: str = "", occurrence: str = "_occ") -> str:
    """SQL: the stored fingerprint (a UHUGEINT) of a row: the md5 of the identity's md5 (hex)
    and `#` and the row's occurrence of that identity (see `fingerprints`)."""
    identity = f"md5(concat_ws('|', {_identity(prefix)}))"
    return _as_number(f"md5({identity} || '#' || {prefix}{occurrence})")


def line_print_sql(prefix: str = "") -> str:
    """SQL: the stored fingerprint of an FEC line: the md5 of the md5 of its production and line
    key (`production|fec|journal|entry|line`) and `#1` (a line key is unique in the ledger)."""
    key = f"md5(concat_ws('|', {prefix}production_id, 'fec', {prefix}_line_key))"
    return _as_number(f"md5({key} || '#1')")


def stored_print_sql(prefix: str = "", occurrence: str = "_occ") -> str:
    """SQL: the fingerprint the ledger stores: an FEC line's key's, any other row's content's."""
    return (
        f"CASE WHEN {prefix}_line_key IS NULL THEN {fingerprint_sql(prefix, occurrence)} "
        f"ELSE {line_print_sql(prefix)} END"
    )


#: the insert computes each row's fingerprint where it writes it: its hash is not carried
#: through the import (the duplicates of an empty ledger need none)
EXPENSE_SELECT = EXPENSE_SELECT.replace("{stored_print}", stored_print_sql("s."))

#: the frame columns the insert reads: EXPENSE_SELECT's `s.` names, in order
INSERT_INPUT = tuple(dict.fromkeys(re.findall(r"\bs\.(\w+)", EXPENSE_SELECT)))

#: lookup table -> (the frame's key column, its id column, the derived columns the table holds):
#: enrich() gives each distinct combination of the derived columns its own integer key, so the
#: rows are grouped by an integer, never by their text
LOOKUPS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "territories": (
        "_territory_key",
        "_territory_id",
        ("territory", "territory_country", "fr_department", "fr_region", "territory_reason"),
    ),
    "vat_checks": (
        "_vat_key",
        "_vat_check_id",
        ("supplier_vat_kind", "supplier_vat_valid", "supplier_vat_reason"),
    ),
    "fx_sources": ("_fx_key", "_fx_source_id", ("fx_source",)),
}


#: the frame columns insert_expenses() needs: the insert's, the lookups' and `_keep`
INSERT_NEEDS = tuple(
    dict.fromkeys(
        [
            *(c for c in INSERT_INPUT if c not in {v[1] for v in LOOKUPS.values()}),
            *(c for key, _, columns in LOOKUPS.values() for c in (key, *columns)),
            "_keep",
        ]
    )
)

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


def _hashes(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame, query: str) -> pl.DataFrame:
    """`query` over `rows` registered as `hashed_rows`, a slice at a time."""
    with _registered(con, "hashed_rows", rows) as slices:
        return pl.concat([read_frame(con, query) for _ in slices])


def number(hi: str, lo: str) -> str:
    """SQL: the 128-bit number of a hash held as two 64-bit halves (as the ledger stores it)."""
    return f"({hi}::UHUGEINT << 64 | {lo})"


def _halves(column: str, name: str) -> str:
    """SQL: a 128-bit number (a column, not an expression: it is read twice) as the two
    UBIGINT columns `<name>_hi`, `<name>_lo`."""
    return f"({column} >> 64)::UBIGINT AS {name}_hi, ({column} & {2**64 - 1})::UBIGINT AS {name}_lo"


def occurrences(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> pl.DataFrame:
    """`_key, _occ` for every row of `frame` (`_key`, `_sha256`, `_row` and IDENTITY): the
    row's occurrence of its identity, in file and row order (1 for the first).

    Almost every row is the first of its kind: the rows whose identity may repeat are those
    whose REPEAT_HINT values repeat (found by a 64-bit hash: a collision only adds a
    candidate), and only those are hashed exactly (md5) and numbered."""
    values = [
        pl.col(c).fill_null("") if frame.schema[c] == pl.String else pl.col(c) for c in REPEAT_HINT
    ]
    candidate = frame.select(pl.struct(values).hash().is_duplicated()).to_series()
    positions = candidate.arg_true().alias("_pos")
    occ = pl.repeat(1, frame.height, dtype=pl.Int64, eager=True).alias("_occ")
    if positions.len() == 0:
        return frame.select("_key").with_columns(occ)
    rows = frame[positions].select("_sha256", "_row", *IDENTITY).with_columns(positions)
    identity = _as_number(f"md5(concat_ws('|', {_identity()}))")
    exact = _hashes(
        con,
        rows,
        f"SELECT _pos, _sha256, _row, {_halves('h', 'fp0')} "
        f"FROM (SELECT *, {identity} AS h FROM hashed_rows)",
    )
    fp0 = ["fp0_hi", "fp0_lo"]
    numbered = exact.sort(*fp0, "_sha256", "_row").select(
        "_pos", (pl.int_range(pl.len(), dtype=pl.Int64).over(fp0) + 1).alias("_occ")
    )
    return frame.select("_key").with_columns(occ.scatter(numbered["_pos"], numbered["_occ"]))


def prints_of(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> pl.DataFrame:
    """`_key`, `fp0_hi/_lo` (the identity's hash) and `fp_hi/_lo` (the fingerprint) of `rows`
    (`_key`, `_occ` and IDENTITY), in their order: the numbers `fingerprint_sql` stores."""
    first = f"md5(concat_ws('|', {_identity()}))"
    nth = _as_number("md5(f || '#' || _occ)")
    return _hashes(
        con,
        rows.select("_key", "_occ", *IDENTITY),
        f"SELECT _key, {_halves('h0', 'fp0')}, {_halves('h', 'fp')} "
        f"FROM (SELECT _key, {_as_number('f')} AS h0, {nth} AS h "
        f"FROM (SELECT _key, _occ, {first} AS f FROM hashed_rows))",
    )


def fingerprints(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> pl.DataFrame:
    """`_key`, `fp0_hi/_lo` (the identity's hash) and `fp_hi/_lo` (the fingerprint: hash +
    occurrence), in `_key` order. Each hash is DuckDB's md5, held as two 64-bit halves (16 bytes
    a row, not 32 characters); the ledger stores the fingerprint as their 128-bit number.

    Two identical rows are two expenses: the n-th occurrence of an identity, in file and row
    order, is `#n` (see `occurrences`)."""
    keyed = frame.select("_key", *IDENTITY).with_columns(
        occurrences(con, frame.select("_key", "_sha256", "_row", *IDENTITY))["_occ"]
    )
    return prints_of(con, keyed.sort("_key"))


def already_in_ledger(
    con: duckdb.DuckDBPyConnection, production_id: str, prints: pl.DataFrame
) -> pl.DataFrame:
    """`_key` of the rows whose fingerprint the production's ledger holds already."""
    con.register("new_prints", as_arrow(prints.select("_key", "fp_hi", "fp_lo")))
    try:
        return read_frame(
            con,
            f"SELECT _key FROM new_prints WHERE {number('fp_hi', 'fp_lo')} IN "
            "(SELECT fingerprint FROM expenses WHERE production_id = $pid)",
            {"pid": production_id},
        )
    finally:
        con.unregister("new_prints")


def ledger_lines(
    con: duckdb.DuckDBPyConnection, production_id: str, lines: pl.DataFrame
) -> pl.DataFrame:
    """The FEC lines of `lines` (`_key, production_id, _line_key` and IDENTITY) whose line key
    the production's ledger holds: `_key`, `same` (the stored row has the same content: the
    line is already in) and `found` (the stored expense, for a conflict's reason)."""
    same = " AND ".join(
        f"e.{STORED.get(c, c)} IS NOT DISTINCT FROM s.{c}" for c in IDENTITY if c != "production_id"
    )
    con.register("fec_lines", as_arrow(lines))
    try:
        return read_frame(
            con,
            f"""
            SELECT s._key, {same} AS same,
                   'expense #' || e.id || ' (' || coalesce(e.source_part, b.file_name) ||
                   ' row ' || e.source_row || ')' AS found
            FROM fec_lines s JOIN expenses e
              ON e.production_id = $pid AND e.fingerprint = {line_print_sql("s.")}
            LEFT JOIN import_batches b ON b.id = e.batch_id
            """,
            {"pid": production_id},
        )
    finally:
        con.unregister("fec_lines")


def ledger_has_rows(con: duckdb.DuckDBPyConnection, production_id: str) -> bool:
    """Whether the production's ledger holds any expense (else nothing can be a duplicate)."""
    found = con.execute(
        "SELECT EXISTS (SELECT 1 FROM expenses WHERE production_id = $pid)", {"pid": production_id}
    ).fetchall()
    return bool(found[0][0])


def ledger_invoices(con: duckdb.DuckDBPyConnection, production_id: str) -> pl.DataFrame:
    """The (supplier_key, invoice_ref) pairs of the production's ledger."""
    return read_frame(
        con,
        "SELECT DISTINCT supplier_key, invoice_ref FROM expenses "
        "WHERE production_id = $pid AND invoice_ref IS NOT NULL",
        {"pid": production_id},
    )


def conflicts(
    con: duckdb.DuckDBPyConnection, production_id: str, numbered: pl.DataFrame
) -> pl.DataFrame:
    """Rows whose supplier and invoice number name another document with other content: in the
    ledger, or in this import (another file or document). `numbered` holds the new rows with an
    invoice number (at least those whose number repeats in the import or is in the ledger):
    `_key, _file, _row, supplier_key, invoice_ref, _doc, _fec, fp0_hi, fp0_lo, fp_hi, fp_lo`.
    Two FEC lines never clash by supplier and invoice number (software writes the same piece
    reference on many entries): their identity is their line key (`ledger_lines`).

    A clash inside the import needs a (supplier, invoice) with two documents and two contents:
    those few groups are found first (among the numbers that repeat at all), so the self-join
    never pairs a million rows."""
    con.register("numbered", as_arrow(numbered))
    try:
        found = read_frame(
            con,
            f"""
            WITH repeated AS (
                SELECT supplier_key, invoice_ref FROM numbered GROUP BY ALL HAVING count(*) > 1
            ),
            clashing AS (
                SELECT supplier_key, invoice_ref
                FROM numbered SEMI JOIN repeated USING (supplier_key, invoice_ref)
                GROUP BY ALL
                HAVING count(DISTINCT {number("fp0_hi", "fp0_lo")}) > 1
                   AND count(DISTINCT _doc) > 1
            ),
            suspects AS MATERIALIZED (
                SELECT * FROM numbered SEMI JOIN clashing USING (supplier_key, invoice_ref)
            )
            SELECT s._file, s._row, 'invoice_ref' AS column, s.invoice_ref AS value,
                   'same supplier and invoice number as expense #' || e.id || ' (' ||
                   coalesce(e.source_part, b.file_name) || ' row ' || e.source_row ||
                   ') but different content' AS reason
            FROM numbered s JOIN expenses e
              ON e.production_id = $pid AND e.supplier_key = s.supplier_key
             AND e.invoice_ref = s.invoice_ref
            LEFT JOIN import_batches b ON b.id = e.batch_id
            WHERE {number("s.fp_hi", "s.fp_lo")} <> e.fingerprint
              AND NOT (s._fec AND b.format IS NOT DISTINCT FROM 'fec')
            QUALIFY row_number() OVER (PARTITION BY s._key ORDER BY e.id) = 1
            UNION ALL
            SELECT s._file, s._row, 'invoice_ref', s.invoice_ref,
                   'same supplier and invoice number as ' || t._file || ' row ' || t._row ||
                   ' but different content'
            FROM suspects s JOIN suspects t
              ON s.supplier_key = t.supplier_key AND s.invoice_ref = t.invoice_ref
             AND s._doc <> t._doc AND (s.fp0_hi <> t.fp0_hi OR s.fp0_lo <> t.fp0_lo)
             AND NOT (s._fec AND t._fec)
            QUALIFY row_number() OVER (PARTITION BY s._key ORDER BY t._doc, t._row) = 1
            """,
            {"pid": production_id},
        )
    finally:
        con.unregister("numbered")
    return found.with_columns(pl.col("_row").cast(pl.Int64))


def lookup_ids(con: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame) -> pl.DataFrame:
    """`key -> id` in a lookup table for the kept rows' derived details, adding those it lacks.

    `rows` holds the frame's key column and the table's columns (LOOKUPS): one row per key is
    enough, since a key stands for one combination of the derived values."""
    key, _, columns = LOOKUPS[table]
    distinct = rows.group_by(key).agg(pl.col(c).first() for c in columns)
    same = " AND ".join(f"t.{c} IS NOT DISTINCT FROM d.{c}" for c in columns)
    names = ", ".join(columns)
    con.register("derived", as_arrow(distinct))
    try:
        con.execute(
            f"INSERT INTO {table} ({names}) SELECT DISTINCT {names} FROM derived d "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {same}) ORDER BY ALL"
        )
        return read_frame(con, f"SELECT d.{key}, t.id FROM derived d JOIN {table} t ON {same}")
    finally:
        con.unregister("derived")


def with_lookup_ids(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> pl.DataFrame:
    """The insert's frame (INSERT_INPUT and `_keep`) from one with INSERT_NEEDS: the derived
    details go to the lookup tables, the rows keep `_territory_id`, `_vat_check_id` and
    `_fx_source_id` (NULL on the rows that are not kept)."""
    needed = [c for key, _, columns in LOOKUPS.values() for c in (key, *columns)]
    kept = frame.select("_keep", *needed).filter(pl.col("_keep"))
    ids = []
    for table, (key, target, _) in LOOKUPS.items():
        found = lookup_ids(con, table, kept)
        mapping = dict(zip(found[key].to_list(), found["id"].to_list(), strict=True))
        ids.append(
            pl.col(key).replace_strict(mapping, default=None, return_dtype=pl.Int32).alias(target)
        )
    return frame.select(*(c for c in INSERT_INPUT if c in frame.columns), *ids, "_keep")


def insert_expenses(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> None:
    """Insert the rows flagged `_keep` (the frame `with_lookup_ids` gives); ids come from the
    ledger's sequence, in `_key` order (a block reserved for the whole frame).

    The rows go in slices: each is copied to Arrow only while DuckDB reads it, so the copy
    never holds the whole import at once."""
    if not frame.height:
        return
    last = int(
        con.execute(
            "SELECT max(nextval('expense_seq')) FROM range($n)", {"n": frame.height}
        ).fetchall()[0][0]
    )
    rows = frame.select(*INSERT_INPUT, "_keep")
    with _registered(con, "new_expenses", rows) as slices:
        for _ in slices:
            con.execute(
                f"INSERT INTO expenses ({EXPENSE_COLUMNS}) SELECT {EXPENSE_SELECT} "
                "FROM new_expenses s WHERE s._keep",
                {"first_id": last - frame.height + 1},
            )


def quarantine(
    con: duckdb.DuckDBPyConnection,
    production_id: str,
    files: list[str],
    rejected: pl.DataFrame,
    problems: pl.DataFrame,
    only: list[tuple[str, int]] | None = None,
) -> None:
    """Replace the quarantine of these files by the rows rejected now, each with every reason;
    with `only`, of those (file, row) rows alone (documents coded one by one).

    `rejected`: `_batch_id, _file, _sheet, _row, raw_json`; `problems`: `_file, _row, column,
    reason, kind`."""
    if only is None:
        con.execute(
            "DELETE FROM quarantine WHERE production_id = $pid "
            "AND source_file IN (SELECT unnest($f))",
            {"pid": production_id, "f": files},
        )
    else:
        con.execute(
            "DELETE FROM quarantine WHERE production_id = $pid AND EXISTS (SELECT 1 FROM "
            "(SELECT unnest($f) AS f, unnest($r) AS r) x "
            "WHERE x.f = source_file AND x.r = source_row)",
            {"pid": production_id, "f": [f for f, _ in only], "r": [r for _, r in only]},
        )
    if not rejected.height:
        return
    con.register("rejected_rows", as_arrow(rejected))
    con.register("row_problems", as_arrow(problems))
    try:
        con.execute(
            """
            INSERT INTO quarantine
                (production_id, batch_id, source_file, source_sheet, source_row, reasons,
                 raw_json, kind)
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
