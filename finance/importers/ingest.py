"""Load expenses into the ledger: atomic, idempotent, every rejected row named with its reason.

One command is one transaction, whatever the number of files: either every file goes in (minus
the rows `--skip-invalid` sends to quarantine) or nothing does. Re-importing a file or a row adds
nothing and says so; the same supplier and invoice number with other content is a conflict.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import polars as pl

from finance.classify.enrich import LedgerContext, enrich
from finance.domain import i18n
from finance.domain.errors import Problem, UserError
from finance.domain.validate import PROBLEM_SCHEMA
from finance.importers import canonical, fec, peppol
from finance.importers.base import Extracted, SignCheck
from finance.importers.profile import detect, extract_with, load_profile, sign_warning
from finance.importers.tabular import file_sha256
from finance.store import ledger as ledger_write
from finance.store.audit import record
from finance.store.batches import Batch, new_batch
from finance.store.db import connect, read_frame, transaction
from finance.store.productions import get_manifest

Extractor = Callable[[Path, str], Extracted]
#: DuckDB's memory during an import; past it DuckDB spills to disk rather than growing
IMPORT_MEMORY = "1GB"


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file."""

    file: str
    sha256: str
    batch_id: int | None = None
    rows_read: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0  # invalid rows (quarantined by --skip-invalid)
    previous_batch: int | None = None  # set when the very same file was imported before
    waiting: int = 0  # documents waiting for a budget line (the to-code list), not rejected


@dataclass(frozen=True)
class ImportOutcome:
    """What an import command did, for the CLI and the dashboard to report."""

    production_id: str
    files: list[FileOutcome]
    problems: list[Problem] = field(default_factory=list)
    invalid_ids: int = 0
    quarantined: int = 0
    to_code: int = 0


def _context(con: duckdb.DuckDBPyConnection, production_id: str) -> LedgerContext:
    manifest = get_manifest(con, production_id)
    codes = con.execute(
        "SELECT code FROM current_budget WHERE production_id = ?", [production_id]
    ).fetchall()
    if not codes:
        raise i18n.error("error.budget.none_yet", production=production_id)
    rates = read_frame(con, "SELECT currency, rate_date, per_eur FROM fx_rates")
    mappings = read_frame(
        con,
        "SELECT supplier_key, budget_code AS mapped_code FROM supplier_mappings "
        "WHERE production_id = $p",
        {"p": production_id},
    )
    codings = read_frame(
        con,
        "SELECT supplier_key, invoice_ref, doc_date AS date, amount_orig AS amount, "
        "budget_code AS coded_code FROM document_codes WHERE production_id = $p",
        {"p": production_id},
    )
    return LedgerContext(
        production_id,
        manifest.currency,
        frozenset(r[0] for r in codes),
        rates,
        mappings,
        codings,
    )


def _previous_batches(
    con: duckdb.DuckDBPyConnection, production_id: str, shas: list[str]
) -> dict[str, int]:
    rows = con.execute(
        "SELECT file_sha256, min(id) FROM import_batches WHERE production_id = ? AND kind = 'expenses' "
        "AND rows_rejected = 0 AND rows_read > 0 AND file_sha256 IN (SELECT unnest(?)) GROUP BY 1",
        [production_id, shas],
    ).fetchall()
    return dict(rows)


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
        c = by_sha.get(
            ex.sha256, {"read": 0, "imported": 0, "duplicates": 0, "rejected": 0, "waiting": 0}
        )
        if not c["read"]:  # never recorded as imported: it would block the file once fixed
            raise i18n.error("error.import.no_rows", name=ex.file)
        batch = Batch(
            production_id,
            "expenses",
            ex.file,
            ex.sha256,
            ex.format,
            c["read"],
            c["imported"],
            c["duplicates"],
            c["rejected"],
            sheet=ex.sheet,
        )
        batch_id = new_batch(con, batch)
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
                c["rejected"] - c["waiting"],
                waiting=c["waiting"],
            )
        )
    return outcomes


def _counts(frame: pl.DataFrame) -> pl.DataFrame:
    """Per file: rows read, imported, duplicate, rejected (invalid or waiting to be coded, from
    the `_dup` and `_bad` flags) and of those, waiting (`_to_code` but valid)."""
    return frame.group_by("_sha256").agg(
        pl.len().cast(pl.Int64).alias("read"),
        (~pl.col("_bad") & ~pl.col("_dup")).sum().cast(pl.Int64).alias("imported"),
        (pl.col("_dup") & ~pl.col("_bad")).sum().cast(pl.Int64).alias("duplicates"),
        pl.col("_bad").sum().cast(pl.Int64).alias("rejected"),
        (pl.col("_to_code") & ~pl.col("_invalid")).sum().cast(pl.Int64).alias("waiting"),
    )


#: the key of a quarantined row's JSON that keeps the file's own headers (`amount` ->
#: `Montant HT`), beside the cells as read (keyed by canonical column)
HEADERS_KEY = "_headers"


def _rejected_rows(
    frame: pl.DataFrame, headers: dict[str, dict[str, str]] | None = None
) -> pl.DataFrame:
    """The rejected rows as read (their `raw_*` cells, as JSON text) for the quarantine, with
    the headers of the file each came from (`headers`: by file hash) under HEADERS_KEY."""
    bad = frame.filter(pl.col("_bad"))
    raw = [c for c in frame.columns if c.startswith("raw_")]
    cells = (
        bad.select(pl.struct(pl.col(raw).name.map(lambda c: c[4:])).struct.json_encode())
        if raw
        else pl.repeat("{}", bad.height, eager=True).to_frame()
    ).to_series()
    named = {sha: json.dumps({HEADERS_KEY: h}) for sha, h in (headers or {}).items() if h}
    if named:
        head = bad["_sha256"].replace_strict(named, default=None, return_dtype=pl.String)
        # `{"_headers": {...}}` and `{"date": ...}` joined into one object
        cells = (
            pl.select(
                pl.when(head.is_null())
                .then(cells)
                .when(cells == "{}")
                .then(head)
                .otherwise(head.str.strip_suffix("}") + pl.lit(", ") + cells.str.strip_prefix("{"))
            )
            .to_series()
            .alias(cells.name)
        )
    return bad.select("_batch_id", "_file", "_sheet", "_row").with_columns(cells.alias("raw_json"))


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
    table: dict[str, Extractor] = {
        "canonical": canonical.extract,
        "peppol": peppol.extract,
        "fec": fec.extract,
    }
    if fmt.endswith((".yaml", ".yml")):
        profile = load_profile(Path(fmt))
        return lambda p, c: extract_with(profile, p, c)
    if fmt != "auto":
        if fmt not in table:
            raise i18n.error("error.import.format", format=repr(fmt), known=", ".join(table))
        return table[fmt]
    if peppol.identify(path):
        return peppol.extract
    found = detect(path)
    if found is not None:
        return lambda p, c: extract_with(found, p, c)
    return fec.extract if fec.identify(path) else canonical.extract


def _extract_all(
    paths: Sequence[Path],
    shas: dict[Path, str],
    known: dict[str, int],
    currency: str,
    extractor: Extractor | None,
    fmt: str,
) -> tuple[list[Extracted], list[FileOutcome]]:
    names = [p.name for p in paths]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise i18n.error("error.import.same_name", names=", ".join(clashes))
    extracted, skipped, seen = [], [], set()
    for path in paths:
        if not path.exists():
            raise i18n.error("error.file.not_found", name=str(path))
        sha = shas.get(path)
        if sha is not None and sha in known:
            skipped.append(FileOutcome(path.name, sha, previous_batch=known[sha]))
        elif sha is None or sha not in seen:
            seen.add(sha)
            extracted.append((extractor or choose_extractor(path, fmt))(path, currency))
    return extracted, skipped


@dataclass(frozen=True)
class Prepared:
    """Documents read already (from the quarantine, by `cineledger code`), with the codings to
    apply and store in the import's transaction, and the quarantine rows they replace."""

    extracted: list[Extracted]
    codings: pl.DataFrame  # LedgerContext.codings' columns
    write: Callable[[duckdb.DuckDBPyConnection], None]  # stores the codings, in the transaction
    rows: list[tuple[str, int]]  # (source_file, source_row) leaving the quarantine


def import_expenses(
    db: Path | None,
    production_id: str,
    paths: Sequence[Path],
    *,
    skip_invalid: bool = False,
    extractor: Extractor | None = None,
    fmt: str = "auto",
    prepared: Prepared | None = None,
    accept_credits: bool = False,
) -> ImportOutcome:
    """Import expense files into a production in one transaction (see module docstring).

    A profile whose result has more credits than debits stops the import before anything is
    written, unless `accept_credits` (the user confirmed the signs)."""
    with connect(db) as con:
        ctx = _context(con, production_id)
        shas = {p: file_sha256(p) for p in paths if p.is_file()}
        known = _previous_batches(con, production_id, list(shas.values()))
    if prepared is not None:
        ctx = replace(
            ctx, codings=pl.concat([ctx.codings, prepared.codings], how="vertical_relaxed")
        )
        skipped: list[FileOutcome] = []
        extracted = prepared.extracted
    else:
        extracted, skipped = _extract_all(paths, shas, known, ctx.currency, extractor, fmt)
    if not extracted:
        return ImportOutcome(production_id, skipped)
    suspicious = sign_warnings(extracted)
    if suspicious and not accept_credits:
        raise UserError(
            "nothing imported: "
            + " ".join(sign_warning(f, c, currency=ctx.currency) for f, c in suspicious)
        )
    rows = _with_optional(pl.concat([e.rows for e in extracted], how="diagonal_relaxed"))
    read_problems = pl.concat([e.problems for e in extracted], how="diagonal_relaxed")
    # from here on the enriched frame holds the rows: the extracted copies are let go
    extracted = [replace(e, rows=e.rows.clear()) for e in extracted]
    frame, ledger_problems = enrich(rows, ctx)
    del rows
    # a row without the payee's country (an uncoded export: a bank line) cannot be stored,
    # whatever its budget line: it waits for a person to complete it
    frame = frame.with_columns(
        (pl.col("country").is_null() & ~pl.col("_to_code")).alias("_no_seat")
    ).with_columns(pl.col("_to_code") | pl.col("_no_seat"))
    staged = _stage_attachments(db, extracted)  # written first: a failure writes nothing
    with connect(db) as con, _discard_on_failure(staged):
        con.execute(f"SET memory_limit = '{IMPORT_MEMORY}'")  # spills past it: a big import fits
        with transaction(con):
            frame, problems = _flag_duplicates_and_conflicts(con, production_id, frame)
            problems = pl.concat([read_problems, ledger_problems, problems], how="diagonal_relaxed")
            problems = problems.select("_file", *PROBLEM_SCHEMA).unique(keep="first")
            if problems.height and not skip_invalid:
                n_rows = problems.select("_file", "_row").n_unique()
                raise i18n.error(
                    "error.import.invalid_rows", _problem_records(problems), count=str(n_rows)
                )
            frame, problems, waiting = _flag_rejected(frame, problems)
            outcomes = _write_batches(con, production_id, extracted, _counts(frame))
            batch_of = {o.sha256: o.batch_id for o in outcomes}
            file_of = {o.sha256: o.file for o in outcomes}
            frame = frame.with_columns(
                pl.col("_sha256")
                .replace_strict(batch_of, return_dtype=pl.Int64)
                .alias("_batch_id"),
                (~pl.col("_dup") & ~pl.col("_bad")).alias("_keep"),
                # the document inside a batch of several (a folder of e-invoices), else NULL
                pl.when(
                    pl.col("_file")
                    != pl.col("_sha256").replace_strict(file_of, return_dtype=pl.String)
                )
                .then(pl.col("_file"))
                .alias("_part"),
            )
            rejected = _rejected_rows(frame, {e.sha256: e.headers for e in extracted})
            parts = frame["_file"].unique().drop_nulls().to_list()
            invalid_ids = int((frame["supplier_vat_valid"] == False).sum())  # noqa: E712
            quarantined = int(frame["_bad"].sum())
            # only what the insert reads stays held while it runs
            frame = ledger_write.with_lookup_ids(con, frame.select(ledger_write.INSERT_NEEDS))
            ledger_write.insert_expenses(con, frame)
            del frame
            # every file read now replaces its quarantine rows: the batch's and, for a folder or
            # zip, each document's (a second import of the same folder lists nothing twice);
            # documents coded one by one replace their own rows only
            files = sorted({e.file for e in extracted} | set(parts))
            if prepared is not None:
                prepared.write(con)
            only = prepared.rows if prepared is not None else None
            ledger_write.quarantine(con, production_id, files, rejected, problems, only)
    _publish(staged)  # the commit is done: the documents take their names
    return ImportOutcome(
        production_id,
        [*outcomes, *skipped],
        _problem_records(problems.filter(pl.col("kind") == "invalid")),
        invalid_ids,
        quarantined,
        waiting,
    )


def _with_optional(rows: pl.DataFrame) -> pl.DataFrame:
    """The columns only some importers give, NULL where none did: `_doc` (the document inside
    a batch) and `_line_key` (an FEC line's journal, entry and line)."""
    return rows.with_columns(
        pl.lit(None, pl.String).alias(c) for c in ("_doc", "_line_key") if c not in rows.columns
    )


def _same_lines(
    con: duckdb.DuckDBPyConnection, production_id: str, frame: pl.DataFrame
) -> tuple[pl.Series, pl.Series, pl.DataFrame]:
    """FEC lines matched by their line key, in an earlier file of this import or in the
    ledger: `_key` of those already in (same content), `_key` of every matched line, and the
    conflicts (same journal, entry and line, other content)."""
    none = pl.Series("_key", [], pl.Int64)
    lines = frame.filter(pl.col("_line_key").is_not_null()).select(
        "_key", "_file", "_row", "production_id", "_line_key", *ledger_write.IDENTITY[1:]
    )
    if not lines.height:
        return none, none, pl.DataFrame()
    # the same line in two files of one import: the first (in file order) is the one read
    repeated = lines.filter(pl.col("_line_key").is_duplicated()).sort("_key")
    content = pl.struct(*ledger_write.IDENTITY[1:])
    first = repeated.group_by("_line_key", maintain_order=True).agg(
        pl.col("_key").first().alias("_first"),
        content.first().alias("_content"),
        pl.format("{} row {}", pl.col("_file").first(), pl.col("_row").first()).alias("found"),
    )
    later = repeated.join(first, on="_line_key").filter(pl.col("_key") != pl.col("_first"))
    found = [later.select("_key", (content == pl.col("_content")).alias("same"), "found")]
    if ledger_write.ledger_has_rows(con, production_id):
        found.append(ledger_write.ledger_lines(con, production_id, lines))
    matched = (
        pl.concat(found, how="vertical_relaxed")
        .unique("_key", keep="first", maintain_order=True)
        .join(lines.select("_key", "_file", "_row", "_line_key"), on="_key")
    )
    conflicts = matched.filter(~pl.col("same")).select(
        "_file",
        "_row",
        pl.lit("line").alias("column"),
        pl.col("_line_key").alias("value"),
        pl.format("same journal, entry and line as {} but different content", "found").alias(
            "reason"
        ),
    )
    return matched.filter(pl.col("same"))["_key"], matched["_key"], conflicts


def _side_by_side(frame: pl.DataFrame, other: pl.DataFrame) -> pl.DataFrame:
    """`frame` with the columns of `other` (keyed by `_key`) besides its own."""
    if not other["_key"].equals(frame["_key"]):
        other = frame.select("_key").join(other, on="_key", how="left", maintain_order="left")
    return frame.with_columns(other.drop("_key").get_columns())


def _flag_duplicates_and_conflicts(
    con: duckdb.DuckDBPyConnection, production_id: str, frame: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The frame with `_occ` (each row's occurrence of its identity: with the identity, its
    fingerprint) and `_dup` (already in the ledger), and the conflicts.

    Fingerprints are computed here only where they are compared: for every row when the
    production's ledger holds expenses already, else for the suspects of a conflict alone (the
    insert computes the stored ones as it writes them)."""
    identity = ["_key", *ledger_write.IDENTITY]
    frame = _side_by_side(
        frame,
        ledger_write.occurrences(con, frame.select(*identity, "_sha256", "_row")),
    )
    dup = pl.Series("_key", [], pl.Int64)
    if ledger_write.ledger_has_rows(con, production_id):
        prints = ledger_write.prints_of(con, frame.select(*identity, "_occ"))
        dup = ledger_write.already_in_ledger(con, production_id, prints)["_key"]
        del prints
    # an FEC line is already in when its line key is, with the same content (a line of a
    # previous release, stored by its content, is still found by its content)
    same, matched, line_conflicts = _same_lines(con, production_id, frame)
    frame = frame.with_columns(
        (
            pl.col("_key").is_in(same.implode())
            | (pl.col("_key").is_in(dup.implode()) & ~pl.col("_key").is_in(matched.implode()))
        ).alias("_dup")
    )
    # a conflict needs a supplier and invoice number that repeats in the import or is in the
    # ledger: those rows are found on the two key columns, and only they are copied
    numbered = frame.select(
        "supplier_key",
        "invoice_ref",
        (pl.col("invoice_ref").is_not_null() & ~pl.col("_dup")).alias("_numbered"),
    )
    # by a 64-bit hash of the pair: a collision only adds a suspect, which the exact SQL clears
    suspect = numbered.select(
        pl.col("_numbered")
        & pl.when(pl.col("_numbered"))
        .then(pl.struct("supplier_key", "invoice_ref").hash())
        .is_duplicated()
    ).to_series()
    known = ledger_write.ledger_invoices(con, production_id)
    if known.height:
        in_ledger = numbered.join(
            known.with_columns(pl.lit(True).alias("_known")),
            on=["supplier_key", "invoice_ref"],
            how="left",
            maintain_order="left",
        )
        suspect = suspect | (in_ledger["_known"].fill_null(False) & numbered["_numbered"])
    rows = frame.filter(suspect).select(
        *identity, "_occ", "_file", "_row", "_doc", "_sha256", "_line_key"
    )
    suspects = _side_by_side(
        rows.select(
            "_key",
            "_file",
            "_row",
            "supplier_key",
            "invoice_ref",
            pl.coalesce("_doc", "_sha256").alias("_doc"),
            pl.col("_line_key").is_not_null().alias("_fec"),
        ),
        ledger_write.prints_of(con, rows),
    )
    found = ledger_write.conflicts(con, production_id, suspects)
    return frame, pl.concat([found, line_conflicts], how="diagonal_relaxed")


def _flag_rejected(
    frame: pl.DataFrame, problems: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """`_bad` on rows with a problem or waiting for a budget line (`--skip-invalid`); the
    problems with their kind (`invalid`, `to_code`), and how many rows wait to be coded."""
    located = problems.select("_file", "_row").unique()
    keys = frame.select("_key", "_file", "_row").join(located, on=["_file", "_row"], how="semi")
    frame = frame.with_columns(pl.col("_key").is_in(keys["_key"].implode()).alias("_invalid"))
    waiting = frame.select(
        "_file", "_row", "_reference", "_to_code", "_invalid", "_no_seat"
    ).filter(pl.col("_to_code") & ~pl.col("_invalid"))
    problems = pl.concat(
        [problems.with_columns(pl.lit("invalid").alias("kind")), _to_code_problems(waiting)],
        how="diagonal_relaxed",
    )
    frame = frame.with_columns((pl.col("_invalid") | pl.col("_to_code")).alias("_bad"))
    return frame, problems, waiting.height


def _to_code_problems(waiting: pl.DataFrame) -> pl.DataFrame:
    """Rows without a budget line yet, as quarantine entries of kind `to_code`."""
    return waiting.select(
        "_file",
        "_row",
        pl.lit("budget_code").alias("column"),
        pl.col("_reference").alias("value"),
        pl.when(pl.col("_no_seat").fill_null(False))
        .then(pl.lit("to code: the file gives no payee country or postcode (budget line found)"))
        .otherwise(
            pl.format(
                "to code: no budget line (buyer reference {})",
                pl.col("_reference").fill_null("none"),
            )
        )
        .alias("reason"),
        pl.lit("to_code").alias("kind"),
    )


def _stage_attachments(db: Path | None, extracted: Sequence[Extracted]) -> list[tuple[Path, Path]]:
    """Supporting documents embedded in e-invoices, written next to the database under a
    temporary name before the import's transaction: a folder that cannot be written stops the
    import with nothing committed (the expense was committed and its PDF lost). Returns the
    (temporary, final) pairs that `_publish` renames after the commit."""
    files = {name: data for ex in extracted for name, data in ex.attachments.items()}
    if not files:
        return []
    folder = (db or Path("cineledger.duckdb")).with_suffix(".documents")
    staged: list[tuple[Path, Path]] = []
    try:
        folder.mkdir(exist_ok=True)
        for name, data in files.items():
            temporary = folder / f".{name}.{os.getpid()}.part"
            temporary.write_bytes(data)
            staged.append((temporary, folder / name))
    except OSError as exc:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise i18n.error(
            "error.import.documents", folder=str(folder), detail=exc.strerror or str(exc)
        ) from None
    return staged


@contextmanager
def _discard_on_failure(staged: list[tuple[Path, Path]]) -> Iterator[None]:
    """The staged documents removed when the import does not commit."""
    try:
        yield
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise


def _publish(staged: list[tuple[Path, Path]]) -> None:
    """Each staged document under its name (content-addressed: the same PDF, the same name)."""
    for temporary, final in staged:
        temporary.replace(final)


def sign_warnings(extracted: Sequence[Extracted]) -> list[tuple[str, SignCheck]]:
    """The files whose profile result has more credits than debits (see SignCheck)."""
    return [
        (e.file, e.sign_check)
        for e in extracted
        if e.sign_check is not None and e.sign_check.suspicious
    ]


@dataclass(frozen=True)
class Preview:
    """What an import would do, computed without writing anything; `sign_warnings`: the files
    that need `accept_credits` to be imported; `headers`: per file, the file's own header of
    each canonical column (`amount` -> `Montant HT`); `duplicates`: the rows already in the
    ledger (they would add nothing); `waiting`: the valid rows that would wait for a budget line
    (documents to code). Both frames: `_file`, `_row`, `date`, `supplier`, `invoice_ref`,
    `amount`, and for `waiting` the `reason`."""

    rows_read: int
    valid: int
    problems: list[Problem]
    sign_warnings: list[tuple[str, SignCheck]] = field(default_factory=list)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    duplicates: pl.DataFrame = field(default_factory=pl.DataFrame)
    waiting: pl.DataFrame = field(default_factory=pl.DataFrame)

    def header(self, file: str | None, column: str | None) -> str | None:
        """The file's own header of a canonical column (the column itself when unknown)."""
        return self.headers.get(file or "", {}).get(column or "", column)


#: the columns of a preview's duplicates and documents waiting to be coded
PREVIEW_COLUMNS = ("_file", "_row", "date", "supplier", "invoice_ref", "amount")


def preview_expenses(
    db: Path | None, production_id: str, paths: Sequence[Path], extractor: Extractor | None = None
) -> Preview:
    """The validation report of an import, before anything is written: the invalid rows with
    their reasons (conflicts with the ledger included), the rows already in the ledger and the
    documents that would wait to be coded. Read-only."""
    with connect(db, read_only=True) as con:
        ctx = _context(con, production_id)
    extracted = [(extractor or choose_extractor(p))(p, ctx.currency) for p in paths]
    if not extracted:
        return Preview(0, 0, [])
    headers = {e.file: dict(e.headers) for e in extracted}
    rows = _with_optional(pl.concat([e.rows for e in extracted], how="diagonal_relaxed"))
    frame, ledger_problems = enrich(rows, ctx)
    frame = frame.with_columns(
        (pl.col("country").is_null() & ~pl.col("_to_code")).alias("_no_seat")
    ).with_columns(pl.col("_to_code") | pl.col("_no_seat"))
    with connect(db, read_only=True) as con:
        frame, conflicts = _flag_duplicates_and_conflicts(con, production_id, frame)
    read_problems = pl.concat([e.problems for e in extracted], how="diagonal_relaxed")
    problems = pl.concat([read_problems, ledger_problems, conflicts], how="diagonal_relaxed")
    problems = problems.select("_file", *PROBLEM_SCHEMA).unique(keep="first")
    bad = problems.select("_file", "_row").n_unique() if problems.height else 0
    flagged, _, _ = _flag_rejected(frame, problems)
    duplicates = flagged.filter(pl.col("_dup") & ~pl.col("_bad")).select(PREVIEW_COLUMNS)
    waiting = _to_code_problems(
        flagged.filter(pl.col("_to_code") & ~pl.col("_invalid")).select(
            "_file", "_row", "_reference", "_no_seat"
        )
    ).select("_file", "_row", "reason")
    waiting = flagged.select(PREVIEW_COLUMNS).join(waiting, on=["_file", "_row"], how="inner")
    return Preview(
        rows.height,
        rows.height - bad,
        _problem_records(problems),
        sign_warnings(extracted),
        headers,
        duplicates.sort("_file", "_row"),
        waiting.sort("_file", "_row"),
    )
