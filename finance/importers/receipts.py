"""Receipts: money in, recorded against a tranche of the financing plan.

From a CSV or XLSX (`date`, `tranche`, `amount`, optional `reference` and `payer`, in French,
Dutch or English headers and Belgian or French number formats) or from the dashboard's form (a
table of one row, `form` as its source). Like an expense, each receipt keeps its provenance (the
batch, the file, the row) and a fingerprint: importing the same file again adds nothing.

Strict, as a devis: one bad row refuses the whole file, nothing is written, and every bad row is
named (a tranche the plan does not have, more than the tranche is worth with what is already
received, a date before the production's first date or in the future).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from finance.domain import i18n
from finance.domain.financing_plan import production_start, tranche_totals
from finance.domain.models import Manifest
from finance.domain.money import ABOVE_MAX, MAX_MONEY, MONEY
from finance.domain.parsing import detect_decimal_mark, parse_amount, parse_date
from finance.domain.validate import Check, run_checks, to_problems
from finance.importers.profile import Profile, extract_with
from finance.importers.tabular import raw_columns, read_table
from finance.store import queries
from finance.store.audit import record
from finance.store.batches import Batch, new_batch
from finance.store.db import connect, transaction
from finance.store.productions import get_manifest

REQUIRED = ("date", "tranche", "amount")
OPTIONAL = ("reference", "payer")
ALIASES = {
    "date": ("date de réception", "reçu le", "ontvangen op", "datum", "received on"),
    "tranche": ("schijf", "tranche id"),
    "amount": ("montant", "bedrag"),
    "reference": ("référence", "referentie", "communication", "mededeling"),
    "payer": ("payeur", "betaler", "donneur d'ordre", "opdrachtgever"),
}


@dataclass(frozen=True)
class ReceiptOutcome:
    """What an import of receipts did."""

    production_id: str
    file: str
    rows_read: int
    imported: int
    duplicates: int
    total: str
    #: money in from a bank export that no tranche could be matched to: (row, date, amount,
    #: communication), left out and listed
    unmatched: tuple[tuple[int, str, str, str], ...] = ()


def _typed(raw: pl.DataFrame) -> pl.DataFrame:
    col = pl.col
    mark = detect_decimal_mark(raw["raw_amount"]) if raw.height else ","
    return raw.with_columns(
        parse_date(col("raw_date")).alias("received_on"),
        col("raw_tranche").str.strip_chars().alias("tranche_id"),
        parse_amount(col("raw_amount"), mark).alias("amount"),
        col("raw_reference").str.strip_chars().alias("reference"),
        col("raw_payer").str.strip_chars().alias("payer"),
    )


def _with_prints(frame: pl.DataFrame) -> pl.DataFrame:
    """A fingerprint per receipt: its content, and its rank among identical rows of the file,
    as readable text (a hash function of a library may change between its versions)."""
    content = pl.concat_str(
        pl.col("tranche_id"),
        pl.col("received_on").cast(pl.String),
        pl.col("amount").cast(pl.String),
        pl.col("reference").fill_null(""),
        separator="|",
    )
    rank = pl.int_range(pl.len()).over(content)
    return frame.with_columns(
        pl.concat_str(content, rank.cast(pl.String), separator="#").alias("fingerprint")
    )


def _checks(manifest: Manifest, today: date) -> list[Check]:
    col = pl.col
    start = production_start(manifest)
    known = list(tranche_totals(manifest))
    checks = [
        *(Check(c, col(f"raw_{c}").is_null(), "required, but empty") for c in REQUIRED),
        Check(
            "date",
            col("raw_date").is_not_null() & col("received_on").is_null(),
            "not a date (expected dd/mm/yyyy, dd.mm.yyyy, dd-mm-yyyy or yyyy-mm-dd)",
        ),
        Check(
            "amount",
            col("raw_amount").is_not_null() & col("amount").is_null(),
            "not an amount with at most 2 decimals",
        ),
        Check("amount", col("amount") <= 0, "a receipt is a positive amount"),
        Check("amount", col("amount") > MAX_MONEY, ABOVE_MAX),
        Check(
            "tranche",
            col("tranche_id").is_not_null() & ~col("tranche_id").is_in(known),
            f"no such tranche in the financing plan (one of: {', '.join(known)})",
        ),
        Check("date", col("received_on") > today, "a receipt cannot be dated in the future"),
        Check(
            "amount",
            col("above").fill_null(False),
            "more than the tranche is worth with what is already received",
            pl.format(
                "more than the tranche is worth with what is already received "
                "(tranche {}: {} in all, {} received before this row)",
                col("tranche_id"),
                col("worth"),
                col("before"),
            ),
        ),
    ]
    if start is not None:
        checks.append(
            Check(
                "date",
                col("received_on") < start,
                f"before the production's first date ({start.isoformat()})",
            )
        )
    return checks


def _over_due(frame: pl.DataFrame, manifest: Manifest, received: pl.DataFrame) -> pl.DataFrame:
    """Flag the rows that take a tranche above its worth: what was already received, then the
    file's rows in order, summed per tranche."""
    totals = tranche_totals(manifest)
    worth = pl.DataFrame(
        {"tranche_id": list(totals), "worth": list(totals.values())},
        schema={"tranche_id": pl.String, "worth": MONEY},
    )
    counted = pl.when(pl.col("duplicate")).then(0).otherwise(pl.col("amount")).fill_null(0)
    running = counted.cum_sum().over("tranche_id", order_by="_row")
    return (
        frame.join(worth, on="tranche_id", how="left")
        .join(received, on="tranche_id", how="left")
        .with_columns(pl.col("received").fill_null(0).cast(MONEY))
        .with_columns((pl.col("received") + running - counted).alias("before"))
        .with_columns((pl.col("before") + counted > pl.col("worth")).alias("above"))
    )


def _stored(con: duckdb.DuckDBPyConnection, production_id: str) -> pl.DataFrame:
    return queries.frame(con, "receipts.received_by_tranche", {"pid": production_id}).cast(
        {"received": MONEY}
    )


def _mark_recorded(
    con: duckdb.DuckDBPyConnection, production_id: str, frame: pl.DataFrame
) -> pl.DataFrame:
    """`duplicate`: the receipt is already recorded (the same file or form entry again)."""
    params = {"pid": production_id, "prints": frame["fingerprint"].to_list()}
    seen = [r[0] for r in queries.rows(con, "receipts.fingerprints", params)]
    return frame.with_columns(pl.col("fingerprint").is_in(seen).alias("duplicate"))


def _write(
    con: duckdb.DuckDBPyConnection,
    production_id: str,
    rows: pl.DataFrame,
    source: tuple[str, str, str | None],
    counts: tuple[int, int],
) -> None:
    file, fmt, sha = source
    batch = Batch(
        production_id, "receipts", file, sha or "", fmt, counts[0], rows.height, counts[1]
    )
    batch_id = new_batch(con, batch)
    con.register(
        "new_receipts",
        rows.select(
            "tranche_id",
            "received_on",
            "amount",
            "payer",
            "reference",
            "fingerprint",
            pl.col("_row").alias("source_row"),
        ),
    )
    queries.execute(
        con,
        "receipts.insert",
        {"pid": production_id, "batch_id": batch_id, "file": file, "format": fmt},
    )
    con.unregister("new_receipts")
    total = rows["amount"].sum() if rows.height else 0
    record(
        con,
        "import.receipts",
        production_id,
        file,
        {"batch_id": batch_id, "receipts": rows.height, "total": f"{total:.2f}"},
    )


def store_receipts(
    db: Path | None,
    production_id: str,
    raw: pl.DataFrame,
    source: tuple[str, str, str | None],
    today: date | None = None,
) -> ReceiptOutcome:
    """Check the raw rows (`_row` and `raw_*` text columns) and record the new ones, in one
    transaction; a UserError names every bad row and nothing is written."""
    file = source[0]
    with connect(db) as con:
        manifest = get_manifest(con, production_id)
        with transaction(con):
            typed = _mark_recorded(con, production_id, _with_prints(_typed(raw)))
            typed = _over_due(typed, manifest, _stored(con, production_id))
            found = run_checks(typed, _checks(manifest, today or date.today()))
            if found.height:
                raise i18n.error(
                    "error.receipts.invalid_rows",
                    to_problems(found, file),
                    name=file,
                    count=str(found["_row"].n_unique()),
                )
            new = typed.filter(~pl.col("duplicate"))
            if new.height:
                _write(con, production_id, new, source, (typed.height, typed.height - new.height))
    total = new["amount"].sum() if new.height else 0
    return ReceiptOutcome(
        production_id, file, typed.height, new.height, typed.height - new.height, f"{total:.2f}"
    )


def import_receipts(
    db: Path | None, production_id: str, path: Path, today: date | None = None
) -> ReceiptOutcome:
    """Record the receipts of a CSV or XLSX file (see the module docstring)."""
    if not path.is_file():
        raise i18n.error("error.file.not_found", name=str(path))
    table = read_table(path)
    raw = raw_columns(table, ALIASES, REQUIRED, OPTIONAL, "error.receipts.headers")
    if raw.height == 0:
        raise i18n.error("error.receipts.empty", name=table.file)
    source = (table.file, "receipts_table", table.sha256)
    return store_receipts(db, production_id, raw, source, today)


def record_receipt(
    db: Path | None,
    production_id: str,
    tranche_id: str,
    received_on: date,
    amount: str,
    reference: str | None = None,
    payer: str | None = None,
    today: date | None = None,
) -> ReceiptOutcome:
    """One receipt typed in the dashboard's form, checked and recorded like a file's row."""
    raw = pl.DataFrame(
        {
            "_row": [1],
            "raw_date": [received_on.isoformat()],
            "raw_tranche": [tranche_id],
            "raw_amount": [amount],
            "raw_reference": [reference or None],
            "raw_payer": [payer or None],
        },
        schema={
            "_row": pl.Int64,
            **{f"raw_{c}": pl.String for c in ("date", "tranche", "amount", "reference", "payer")},
        },
    )
    return store_receipts(db, production_id, raw, ("form", "form", None), today)


def _matched(credits: pl.DataFrame, manifest: Manifest, open_: pl.DataFrame) -> pl.DataFrame:
    """Each credit's tranche: the first tranche id its communication names (case ignored),
    else the one open tranche whose outstanding amount it equals exactly, else none."""
    text = pl.col("description").fill_null("").str.to_lowercase()
    named = pl.lit(None, pl.String)
    for tid in sorted(tranche_totals(manifest), key=len):
        named = (
            pl.when(text.str.contains(tid.lower(), literal=True)).then(pl.lit(tid)).otherwise(named)
        )
    unique = open_.filter(pl.col("outstanding").is_unique())
    return (
        credits.with_columns(named.alias("named"))
        .join(unique, left_on="amount", right_on="outstanding", how="left")
        .with_columns(pl.coalesce("named", "tranche_id").alias("tranche_id"))
    )


def _open_tranches(
    con: duckdb.DuckDBPyConnection, production_id: str, manifest: Manifest, sha: str
) -> pl.DataFrame:
    """Each tranche's amount still awaited, not counting this file's own receipts (read again,
    its credits match the same tranches)."""
    totals = tranche_totals(manifest)
    received = queries.frame(
        con, "receipts.received_elsewhere", {"pid": production_id, "sha": sha}
    ).cast({"received": MONEY})
    worth = pl.DataFrame(
        {"tranche_id": list(totals), "worth": list(totals.values())},
        schema={"tranche_id": pl.String, "worth": MONEY},
    )
    return (
        worth.join(received, on="tranche_id", how="left")
        .select(
            "tranche_id",
            (pl.col("worth") - pl.col("received").fill_null(0)).cast(MONEY).alias("outstanding"),
        )
        .filter(pl.col("outstanding") > 0)
    )


def import_bank_receipts(
    db: Path | None, production_id: str, path: Path, bank: Profile, today: date | None = None
) -> ReceiptOutcome:
    """Money in from a bank export read through a profile (data/profiles/): its credits, each
    matched to a tranche by the communication naming the tranche's id or by the amount still
    due on exactly one tranche; the others are listed, not recorded (a bank account receives
    other money than the plan's)."""
    with connect(db, read_only=True) as con:
        manifest = get_manifest(con, production_id)
    found = extract_with(bank, path, manifest.currency)
    with connect(db, read_only=True) as con:
        open_ = _open_tranches(con, production_id, manifest, found.sha256)
    incoming = -pl.col("amount") if bank.amount_sign == "flip" else pl.col("amount")
    credits = found.rows.filter(
        pl.col("amount") < 0 if bank.amount_sign == "flip" else pl.col("amount") > 0
    )
    credits = _matched(credits.with_columns(incoming.cast(MONEY).alias("amount")), manifest, open_)
    lost = credits.filter(pl.col("tranche_id").is_null())
    kept = credits.filter(pl.col("tranche_id").is_not_null())
    raw = kept.select(
        "_row",
        pl.col("date").cast(pl.String).alias("raw_date"),
        pl.col("tranche_id").alias("raw_tranche"),
        pl.col("amount").cast(pl.String).alias("raw_amount"),
        pl.col("description").alias("raw_reference"),
        pl.col("supplier").alias("raw_payer"),
    )
    unmatched = tuple(
        (int(r["_row"]), str(r["date"]), f"{r['amount']:.2f}", str(r["description"] or ""))
        for r in lost.select("_row", "date", "amount", "description").to_dicts()
    )
    if raw.height == 0:
        return ReceiptOutcome(production_id, found.file, credits.height, 0, 0, "0.00", unmatched)
    source = (found.file, f"profile_{bank.id}_receipts", found.sha256)
    out = store_receipts(db, production_id, raw, source, today)
    return ReceiptOutcome(
        production_id, out.file, credits.height, out.imported, out.duplicates, out.total, unmatched
    )
