"""Load expenses into the ledger: atomic, idempotent, every rejected row named with its reason.

One command is one transaction, whatever the number of files: either every file goes in (minus
the rows `--skip-invalid` sends to quarantine) or nothing does. Re-importing a file or a row adds
nothing and says so; the same supplier and invoice number with other content is a conflict.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from finance.audit import current_actor, record
from finance.enrich import LedgerContext, enrich
from finance.errors import Problem, UserError
from finance.importers.base import Extracted
from finance.productions import get_manifest
from finance.store.db import connect, fetch_value, read_frame, transaction
from finance.validate import PROBLEM_SCHEMA

Extractor = Callable[[Path, str], Extracted]
#: DuckDB's memory during an import; past it DuckDB spills to disk rather than growing
IMPORT_MEMORY = "1GB"

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


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file."""

    file: str
    sha256: str
    batch_id: int | None = None
    rows_read: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    previous_batch: int | None = None  # set when the very same file was imported before


@dataclass(frozen=True)
class ImportOutcome:
    """What an import command did, for the CLI and the dashboard to report."""

    production_id: str
    files: list[FileOutcome]
    problems: list[Problem] = field(default_factory=list)
    invalid_ids: int = 0
    quarantined: int = 0
    to_code: int = 0


def file_sha256(path: Path) -> str:
    """Hash of the file bytes: the identity of an import."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _context(con: duckdb.DuckDBPyConnection, production_id: str) -> LedgerContext:
    manifest = get_manifest(con, production_id)
    codes = con.execute(
        "SELECT code FROM current_budget WHERE production_id = ?", [production_id]
    ).fetchall()
    if not codes:
        raise UserError(
            f"{production_id}: no devis loaded yet; run `cineledger import budget {production_id} FILE` first"
        )
    rates = read_frame(con, "SELECT currency, rate_date, per_eur FROM fx_rates")
    mappings = read_frame(
        con,
        "SELECT supplier_key, budget_code AS mapped_code FROM supplier_mappings "
        "WHERE production_id = $p",
        {"p": production_id},
    )
    return LedgerContext(
        production_id, manifest.currency, frozenset(r[0] for r in codes), rates, mappings
    )


def _previous_batches(
    con: duckdb.DuckDBPyConnection, production_id: str, shas: list[str]
) -> dict[str, int]:
    rows = con.execute(
        "SELECT file_sha256, min(id) FROM import_batches WHERE production_id = ? AND kind = 'expenses' "
        "AND rows_rejected = 0 AND file_sha256 IN (SELECT unnest(?)) GROUP BY 1",
        [production_id, shas],
    ).fetchall()
    return dict(rows)


def _stage(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> None:
    """Register the enriched rows (read in place, not copied) and a narrow temp table of their
    fingerprints: content hash + occurrence, so two identical rows are two expenses.

    Occurrences are numbered only among rows whose content repeats (a grouped pass finds them):
    a window over every row cost a sort of the whole batch to number almost only ones."""
    con.register("enriched", frame)
    identity = ", ".join(f"coalesce(CAST({c} AS VARCHAR), '')" for c in IDENTITY)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE staged AS
        WITH f AS (SELECT _key, md5(concat_ws('|', {identity})) AS fp0 FROM enriched),
        repeated AS (SELECT fp0 FROM f GROUP BY fp0 HAVING count(*) > 1),
        numbered AS (
            SELECT f._key, row_number() OVER (PARTITION BY f.fp0 ORDER BY e._sha256, e._row) AS occ
            FROM f JOIN repeated USING (fp0) JOIN enriched e ON e._key = f._key
        )
        SELECT f._key, f.fp0, md5(f.fp0 || '#' || coalesce(n.occ, 1)) AS fingerprint
        FROM f LEFT JOIN numbered n ON n._key = f._key
    """)


def _duplicates_and_conflicts(
    con: duckdb.DuckDBPyConnection, production_id: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows already in the ledger, and rows that clash with another document of the same number."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE dup AS
        SELECT s._key FROM staged s
        WHERE s.fingerprint IN (SELECT fingerprint FROM expenses WHERE production_id = $pid)
        """,
        {"pid": production_id},
    )
    conflicts = read_frame(
        con,
        """
        WITH numbered AS MATERIALIZED (
            SELECT n._key, n._file, n._row, n.supplier_key, n.invoice_ref,
                   coalesce(n._doc, n._sha256) AS _doc, s.fp0, s.fingerprint
            FROM enriched n JOIN staged s ON s._key = n._key
            WHERE n.invoice_ref IS NOT NULL AND n._key NOT IN (SELECT _key FROM dup)
        )
        SELECT s._file, s._row, 'invoice_ref' AS column, s.invoice_ref AS value,
               'same supplier and invoice number as expense #' || e.id || ' (' || e.source_file ||
               ' row ' || e.source_row || ') but different content' AS reason
        FROM numbered s JOIN expenses e
          ON e.production_id = $pid AND e.supplier_key = s.supplier_key
         AND e.invoice_ref = s.invoice_ref
        WHERE s.fingerprint <> e.fingerprint
        QUALIFY row_number() OVER (PARTITION BY s._key ORDER BY e.id) = 1
        UNION ALL
        SELECT s._file, s._row, 'invoice_ref', s.invoice_ref,
               'same supplier and invoice number as ' || t._file || ' row ' || t._row ||
               ' but different content'
        FROM numbered s JOIN numbered t
          ON s.supplier_key = t.supplier_key AND s.invoice_ref = t.invoice_ref
         AND s._doc <> t._doc AND s.fp0 <> t.fp0
        QUALIFY row_number() OVER (PARTITION BY s._key ORDER BY t._doc, t._row) = 1
    """,
        {"pid": production_id},
    )
    duplicates = read_frame(con, "SELECT _key FROM dup")
    return duplicates, conflicts.with_columns(pl.col("_row").cast(pl.Int64))


EXPENSE_COLUMNS = """id, production_id, batch_id, doc_date, supplier, supplier_key, country, postcode,
    budget_code, amount_orig, currency, fx_rate, fx_source, amount, vat_amount, supplier_vat,
    supplier_vat_kind, supplier_vat_valid, supplier_vat_reason, invoice_ref, description, paid_on,
    status, payee_type, av_company, be_taxable, be_taxable_reason, category_override,
    ts_class_override, nights, document, territory, territory_country, fr_department, fr_region,
    territory_reason, fingerprint, source_file, source_sheet, source_row, source_format"""

EXPENSE_SELECT = """$first_id + s._key, s.production_id, b.batch_id, s.date, s.supplier,
    s.supplier_key, s.country, s.postcode, s.budget_code, s.amount, s.currency, s.fx_rate,
    s.fx_source, round(s.amount * s.fx_rate, 2), s.vat_amount,
    coalesce(s.supplier_vat_normalized, s.supplier_vat), s.supplier_vat_kind,
    s.supplier_vat_valid, s.supplier_vat_reason, s.invoice_ref, s.description, s.paid_on,
    s.status, s.payee_type, s.av_company, s.be_taxable, s.be_taxable_reason, s.category,
    s.ts_class, s.nights, s.document, s.territory, s.territory_country, s.fr_department,
    s.fr_region, s.territory_reason, f.fingerprint, s._file, s._sheet, s._row, s._format"""


def _write_batches(
    con: duckdb.DuckDBPyConnection,
    production_id: str,
    extracted: Sequence[Extracted],
    counts: pl.DataFrame,
) -> list[FileOutcome]:
    """One import_batches row per file, with its counts; returns the outcomes."""
    outcomes = []
    by_sha = {r["_sha256"]: r for r in counts.iter_rows(named=True)}
    for ex in extracted:
        c = by_sha.get(ex.sha256, {"read": 0, "imported": 0, "duplicates": 0, "rejected": 0})
        batch_id = fetch_value(con, "SELECT nextval('import_batch_seq')")
        con.execute(
            "INSERT INTO import_batches VALUES (?, ?, 'expenses', ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)",
            [
                batch_id,
                production_id,
                ex.file,
                ex.sha256,
                ex.format,
                ex.sheet,
                c["read"],
                c["imported"],
                c["duplicates"],
                c["rejected"],
                _now(),
                current_actor(),
            ],
        )
        record(
            con,
            "import.expenses",
            production_id,
            ex.file,
            {"batch_id": batch_id, "format": ex.format, "file_sha256": ex.sha256, **c},
        )
        outcomes.append(
            FileOutcome(
                ex.file,
                ex.sha256,
                batch_id,
                c["read"],
                c["imported"],
                c["duplicates"],
                c["rejected"],
            )
        )
    return outcomes


def _counts(frame: pl.DataFrame, bad: pl.DataFrame, dup: pl.DataFrame) -> pl.DataFrame:
    """Per file: rows read, imported, duplicate, rejected."""
    flagged = frame.select("_key", "_sha256").with_columns(
        pl.col("_key").is_in(bad["_key"].implode()).alias("bad"),
        pl.col("_key").is_in(dup["_key"].implode()).alias("dup"),
    )
    return flagged.group_by("_sha256").agg(
        pl.len().cast(pl.Int64).alias("read"),
        (~pl.col("bad") & ~pl.col("dup")).sum().cast(pl.Int64).alias("imported"),
        (pl.col("dup") & ~pl.col("bad")).sum().cast(pl.Int64).alias("duplicates"),
        pl.col("bad").sum().cast(pl.Int64).alias("rejected"),
    )


def _raw_json(frame: pl.DataFrame, bad: pl.DataFrame) -> pl.DataFrame:
    """The rejected rows as read (their `raw_*` cells), as JSON text for the quarantine."""
    raw = [c for c in frame.columns if c.startswith("raw_")]
    rows = frame.join(bad, on="_key").select("_key")
    if not raw:
        return rows.with_columns(pl.lit("{}").alias("raw_json"))
    cells = frame.join(bad, on="_key").select(pl.col(raw).name.map(lambda c: c[4:]))
    return rows.with_columns(
        cells.select(pl.struct(pl.all()).struct.json_encode().alias("raw_json"))
    )


def _insert(
    con: duckdb.DuckDBPyConnection,
    outcomes: list[FileOutcome],
    raw_rows: pl.DataFrame,
    bad: pl.DataFrame,
    problems: pl.DataFrame,
    production_id: str,
) -> int:
    """Insert the good rows; quarantine the bad ones with every reason. Returns quarantined."""
    batch_map = pl.DataFrame(
        {"sha": [o.sha256 for o in outcomes], "batch_id": [o.batch_id for o in outcomes]}
    )
    for name, table in (
        ("batch_map", batch_map),
        ("bad_keys", bad),
        ("problems", problems),
        ("raw_rows", raw_rows),
    ):
        con.register(name, table)
    first_id = int(fetch_value(con, "SELECT coalesce(max(id), 0) + 1 FROM expenses"))
    con.execute(
        f"""
        INSERT INTO expenses ({EXPENSE_COLUMNS})
        SELECT {EXPENSE_SELECT}
        FROM enriched s JOIN staged f ON f._key = s._key JOIN batch_map b ON b.sha = s._sha256
        WHERE s._key NOT IN (SELECT _key FROM dup) AND s._key NOT IN (SELECT _key FROM bad_keys)
    """,
        {"first_id": first_id},
    )
    con.execute(
        "DELETE FROM quarantine WHERE production_id = $pid AND source_file IN "
        "(SELECT DISTINCT _file FROM enriched)",
        {"pid": production_id},
    )
    con.execute(
        """
        INSERT INTO quarantine
        SELECT $pid, b.batch_id, s._file, s._sheet, s._row,
               string_agg(p.column || ': ' || p.reason, '; ' ORDER BY p.column), any_value(r.raw_json),
               CASE WHEN bool_or(p.kind = 'invalid') THEN 'invalid' ELSE 'to_code' END
        FROM enriched s JOIN raw_rows r ON r._key = s._key JOIN batch_map b ON b.sha = s._sha256
        JOIN problems p ON p._file = s._file AND p._row = s._row
        GROUP BY ALL
    """,
        {"pid": production_id},
    )
    for name in ("batch_map", "bad_keys", "problems", "raw_rows", "enriched"):
        con.unregister(name)
    return bad.height


def _problem_records(problems: pl.DataFrame) -> list[Problem]:
    ordered = problems.sort("_file", "_row", "column")
    return [
        Problem(
            reason=r["reason"], file=r["_file"], row=r["_row"], column=r["column"], value=r["value"]
        )
        for r in ordered.iter_rows(named=True)
    ]


def choose_extractor(path: Path, fmt: str = "auto") -> Extractor:
    """The importer for a path: the one named by `fmt`, or the first whose identify() says yes."""
    from finance.importers import canonical, fec, peppol

    table: dict[str, Extractor] = {
        "canonical": canonical.extract,
        "peppol": peppol.extract,
        "fec": fec.extract,
    }
    if fmt.endswith((".yaml", ".yml")):
        from finance.importers.profile import extract_with, load_profile

        profile = load_profile(Path(fmt))
        return lambda p, c: extract_with(profile, p, c)
    if fmt != "auto":
        if fmt not in table:
            raise UserError(f"unknown format {fmt!r} (one of: auto, {', '.join(table)})")
        return table[fmt]
    if peppol.identify(path):
        return peppol.extract
    from finance.importers.profile import detect, extract_with

    found = detect(path)
    if found is not None:
        return lambda p, c: extract_with(found, p, c)
    return fec.extract if fec.identify(path) else canonical.extract


def _extract_all(
    paths: Sequence[Path],
    known: dict[str, int],
    currency: str,
    extractor: Extractor | None,
    fmt: str,
) -> tuple[list[Extracted], list[FileOutcome]]:
    names = [p.name for p in paths]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise UserError(f"two files share the name {', '.join(clashes)}: import them separately")
    extracted, skipped, seen = [], [], set()
    for path in paths:
        if not path.exists():
            raise UserError(f"{path}: file not found")
        sha = file_sha256(path) if path.is_file() else None
        if sha is not None and sha in known:
            skipped.append(FileOutcome(path.name, sha, previous_batch=known[sha]))
        elif sha is None or sha not in seen:
            seen.add(sha)
            extracted.append((extractor or choose_extractor(path, fmt))(path, currency))
    return extracted, skipped


def import_expenses(
    db: Path | None,
    production_id: str,
    paths: Sequence[Path],
    *,
    skip_invalid: bool = False,
    extractor: Extractor | None = None,
    fmt: str = "auto",
) -> ImportOutcome:
    """Import expense files into a production in one transaction (see module docstring)."""
    with connect(db) as con:
        ctx = _context(con, production_id)
        known = _previous_batches(
            con, production_id, [file_sha256(p) for p in paths if p.is_file()]
        )
    extracted, skipped = _extract_all(paths, known, ctx.currency, extractor, fmt)
    if not extracted:
        return ImportOutcome(production_id, skipped)
    rows = pl.concat([e.rows for e in extracted], how="diagonal_relaxed")
    if "_doc" not in rows.columns:
        rows = rows.with_columns(pl.lit(None, pl.String).alias("_doc"))
    frame, ledger_problems = enrich(rows, ctx)
    read_problems = pl.concat([e.problems for e in extracted], how="diagonal_relaxed")
    with connect(db) as con:
        con.execute(f"SET memory_limit = '{IMPORT_MEMORY}'")  # spills past it: a big import fits
        with transaction(con):
            _stage(con, frame.select(pl.exclude("^raw_.*$")))  # the raw text stays in Python
            dup, conflicts = _duplicates_and_conflicts(con, production_id)
            problems = pl.concat(
                [read_problems, ledger_problems, conflicts], how="diagonal_relaxed"
            )
            problems = problems.select("_file", *PROBLEM_SCHEMA).unique(keep="first")
            if problems.height and not skip_invalid:
                n_rows = problems.select("_file", "_row").n_unique()
                raise UserError(
                    f"nothing imported: {n_rows} invalid rows (fix them, or use --skip-invalid "
                    f"to import the valid rows and quarantine the others)",
                    _problem_records(problems),
                )
            invalid = frame.join(
                problems.select("_file", "_row").unique(), on=["_file", "_row"]
            ).select("_key")
            waiting = frame.filter(pl.col("_to_code")).join(invalid, on="_key", how="anti")
            bad = pl.concat([invalid, waiting.select("_key")])
            problems = pl.concat(
                [
                    problems.with_columns(pl.lit("invalid").alias("kind")),
                    _to_code_problems(waiting),
                ],
                how="diagonal_relaxed",
            )
            outcomes = _write_batches(con, production_id, extracted, _counts(frame, bad, dup))
            quarantined = _insert(
                con, outcomes, _raw_json(frame, bad), bad, problems, production_id
            )
    _save_attachments(db, extracted)
    invalid_ids = int(frame.filter(pl.col("supplier_vat_valid") == False).height)  # noqa: E712
    return ImportOutcome(
        production_id,
        [*outcomes, *skipped],
        _problem_records(problems.filter(pl.col("kind") == "invalid")),
        invalid_ids,
        quarantined,
        waiting.height,
    )


def _to_code_problems(waiting: pl.DataFrame) -> pl.DataFrame:
    """Rows without a budget line yet, as quarantine entries of kind `to_code`."""
    return waiting.select(
        "_file",
        "_row",
        pl.lit("budget_code").alias("column"),
        pl.col("_reference").alias("value"),
        pl.format(
            "to code: no budget line (buyer reference {})", pl.col("_reference").fill_null("none")
        ).alias("reason"),
        pl.lit("to_code").alias("kind"),
    )


def _save_attachments(db: Path | None, extracted: Sequence[Extracted]) -> None:
    """Supporting documents embedded in e-invoices, kept next to the database."""
    files = {name: data for ex in extracted for name, data in ex.attachments.items()}
    if not files:
        return
    folder = (db or Path("cineledger.duckdb")).with_suffix(".documents")
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


@dataclass(frozen=True)
class Preview:
    """What an import would do, computed without writing anything."""

    rows_read: int
    valid: int
    problems: list[Problem]


def preview_expenses(
    db: Path | None, production_id: str, paths: Sequence[Path], extractor: Extractor | None = None
) -> Preview:
    """The validation report of an import, before anything is written (duplicates and conflicts
    with the ledger are found at import time and reported then)."""
    with connect(db, read_only=True) as con:
        ctx = _context(con, production_id)
    extracted = [(extractor or choose_extractor(p))(p, ctx.currency) for p in paths]
    if not extracted:
        return Preview(0, 0, [])
    rows = pl.concat([e.rows for e in extracted], how="diagonal_relaxed")
    if "_doc" not in rows.columns:
        rows = rows.with_columns(pl.lit(None, pl.String).alias("_doc"))
    _, ledger_problems = enrich(rows, ctx)
    read_problems = pl.concat([e.problems for e in extracted], how="diagonal_relaxed")
    problems = pl.concat([read_problems, ledger_problems], how="diagonal_relaxed")
    problems = problems.select("_file", *PROBLEM_SCHEMA).unique(keep="first")
    bad = problems.select("_file", "_row").n_unique() if problems.height else 0
    return Preview(rows.height, rows.height - bad, _problem_records(problems))
