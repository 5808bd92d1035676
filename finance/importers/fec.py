"""The French general-ledger export (FEC, 18 columns, art. A47 A-1 LPF) of a coproducer's books.

Expense lines are class 6 accounts (net = debit - credit); the payee is the supplier line (401,
404, 408) of the same entry; lettering gives the payment date. An FEC has no addresses: payees are
French (the books are a French company's) with the department unknown unless a mapping says more,
which no territorial test counts (conservative). The budget line comes from the account mapping.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from finance.domain.errors import UserError
from finance.domain.validate import PROBLEM_SCHEMA
from finance.importers.base import EXPENSE_SCHEMA, Extracted
from finance.importers.canonical import type_and_check
from finance.importers.tabular import read_table

COLUMNS = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
]
SUPPLIER_ACCOUNTS = r"^40[148]"


def identify(path: Path) -> bool:
    """A text file whose header is the FEC's 18 columns."""
    if path.suffix.lower() not in (".txt", ".csv", ".tsv", ".fec") or not path.is_file():
        return False
    with path.open("rb") as fh:  # the header only: a million-line CSV is not read to say no
        head = fh.read(512).decode("latin-1", errors="replace")
    return "JournalCode" in head and "EcritureNum" in head and "CompteNum" in head


def _entries(frame: pl.DataFrame) -> pl.DataFrame:
    """Class 6 lines joined to their entry's supplier line (payee, lettering)."""
    col = pl.col
    entry = [col("JournalCode"), col("EcritureNum")]
    suppliers = (
        frame.filter(col("CompteNum").str.contains(SUPPLIER_ACCOUNTS))
        .group_by(entry)
        .agg(
            col("CompAuxNum").first().alias("aux"),
            col("CompAuxLib").first().alias("payee"),
            col("EcritureLet").drop_nulls().first().alias("letter"),
            col("DateLet").drop_nulls().first().alias("date_let"),
        )
    )
    # the payment: another entry lettering the same supplier account with the same letter
    payments = (
        frame.filter(
            col("CompteNum").str.contains(SUPPLIER_ACCOUNTS)
            & col("EcritureLet").is_not_null()
            & col("Debit").str.contains(r"[1-9]")  # a debit: the payment side
        )
        .group_by(col("CompAuxNum").alias("aux"), col("EcritureLet").alias("letter"))
        .agg(col("EcritureDate").max().alias("paid_date"))
    )
    expenses = frame.filter(col("CompteNum").str.starts_with("6"))
    return expenses.join(suppliers, on=["JournalCode", "EcritureNum"], how="left").join(
        payments, on=["aux", "letter"], how="left"
    )


def _canonical(rows: pl.DataFrame) -> pl.DataFrame:
    """FEC cells -> canonical expense cells (text), debit minus credit as the amount."""
    col = pl.col

    def iso(c: pl.Expr) -> pl.Expr:
        return (
            pl.when(c.str.contains(r"^\d{8}$"))
            .then(
                pl.concat_str(
                    [
                        c.str.slice(0, 4),
                        pl.lit("-"),
                        c.str.slice(4, 2),
                        pl.lit("-"),
                        c.str.slice(6, 2),
                    ]
                )
            )
            .otherwise(c)
        )

    num = {
        c: col(c)
        .str.replace_all(r"[\s.]", "")
        .str.replace(",", ".")
        .cast(pl.Decimal(18, 2), strict=False)
        .fill_null(0)
        for c in ("Debit", "Credit")
    }
    return rows.select(
        col("_row"),
        iso(pl.coalesce(col("PieceDate"), col("EcritureDate"))).alias("date"),
        pl.coalesce(col("payee"), col("CompteLib")).alias("supplier"),
        pl.lit("FR").alias("country"),
        pl.lit(None, pl.String).alias("postcode"),
        pl.concat_str([pl.lit("account:"), col("CompteNum")]).alias("budget_code"),
        (num["Debit"] - num["Credit"]).cast(pl.String).alias("amount"),
        pl.coalesce(col("Idevise").replace("", None), pl.lit("EUR")).alias("currency"),
        col("PieceRef").alias("invoice_ref"),
        col("EcritureLib").alias("description"),
        iso(pl.coalesce(col("date_let"), col("paid_date"))).alias("paid_on"),
    ).sort("_row")


def extract(path: Path, currency: str) -> Extracted:
    """Expense lines of an FEC file as canonical rows (typed and checked like any other file)."""
    table = read_table(path)
    missing = [c for c in COLUMNS[:13] if c not in table.frame.columns]
    if missing:
        raise UserError(f"{table.file}: not an FEC export (missing columns {', '.join(missing)})")
    frame = table.frame.with_columns(  # lettering and currency columns are optional in practice
        pl.lit(None, pl.String).alias(c) for c in COLUMNS[13:] if c not in table.frame.columns
    )
    rows = _canonical(_entries(frame))
    if rows.height == 0:
        raise UserError(f"{table.file}: no class 6 (expense) lines in this FEC")
    raw = rows.with_columns(
        pl.lit(None, pl.String).alias(c) for c in EXPENSE_SCHEMA if c not in rows.columns
    )
    raw = raw.with_columns(pl.col(c).cast(pl.String) for c in EXPENSE_SCHEMA).select(
        "_row", *EXPENSE_SCHEMA
    )
    typed, problems = type_and_check(raw, currency)
    problems = problems.filter(~pl.col("column").is_in(["budget_code", "postcode"]))
    out = pl.concat(
        [
            typed.select("_row", *EXPENSE_SCHEMA),
            typed.select(pl.col(f"raw_{c}") for c in EXPENSE_SCHEMA),
        ],
        how="horizontal",
    ).with_columns(
        pl.lit(table.file).alias("_file"),
        pl.lit(None, pl.String).alias("_sheet"),
        pl.lit(table.sha256).alias("_sha256"),
        pl.lit("fec").alias("_format"),
    )
    return Extracted(
        out,
        problems.with_columns(pl.lit(table.file).alias("_file")).select("_file", *PROBLEM_SCHEMA),
        table.file,
        table.sha256,
        "fec",
        None,
    )
