"""The canonical expense layout (interfaces.md section 3) from CSV or XLSX, any BE/FR format.

Reading keeps every cell as text; typing is one polars expression per column; validation is the
list of checks below, run set-wise. Nothing here touches the database: checks that need it
(budget line exists, exchange rate known, conflicts) run in finance.importers.ingest.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from finance.domain import i18n
from finance.domain.codes import normalize_code
from finance.domain.parsing import (
    EXPENSE_HEADER_ALIASES,
    detect_decimal_mark,
    map_headers,
    parse_amount,
    parse_date,
    parse_payee_type,
    parse_rate,
    parse_status,
    parse_tax_regime,
    parse_yes_no,
)
from finance.domain.uniques import select_by_distinct
from finance.domain.validate import Check, run_checks
from finance.importers.base import EXPENSE_SCHEMA, Extracted
from finance.importers.tabular import RawTable, read_table
from finance.store.reference import category_defaults

REQUIRED = ("date", "supplier", "country", "budget_code", "amount")
AMOUNT_COLUMNS = ("amount", "vat_amount")
TS_CLASSES = ("direct", "indirect", "producer_fee", "excluded")
TEXT_COLUMNS = (
    "supplier",
    "postcode",
    "supplier_vat",
    "invoice_ref",
    "description",
    "document",
    "fee_slip",
)


def identify(path: Path) -> bool:
    """The canonical importer takes any spreadsheet-like file; specific formats claim first."""
    return path.suffix.lower() in {".csv", ".txt", ".tsv", ".xlsx", ".xlsm"}


def _raw_frame(table: RawTable) -> tuple[pl.DataFrame, dict[str, str]]:
    """Columns renamed to canonical names, absent optional ones added, all text; and the file's
    header of each canonical column it gives."""
    mapping, problems = map_headers(
        [c for c in table.frame.columns if c != "_row"],
        EXPENSE_HEADER_ALIASES,
        REQUIRED,
        table.file,
    )
    if problems:
        raise i18n.error("error.expenses.headers", problems, name=table.file)
    frame = table.frame.select("_row", *(pl.col(src).alias(dst) for src, dst in mapping.items()))
    missing = [pl.lit(None, pl.String).alias(c) for c in EXPENSE_SCHEMA if c not in frame.columns]
    headers = {dst: src for src, dst in mapping.items()}
    return frame.with_columns(missing).select("_row", *EXPENSE_SCHEMA), headers


def _typed(raw: pl.DataFrame, currency: str) -> list[pl.Expr]:
    """One expression per canonical column, from its raw text."""
    marks = {c: detect_decimal_mark(raw[c]) for c in AMOUNT_COLUMNS}
    col = pl.col
    return [
        parse_date(col("date")).alias("date"),
        parse_date(col("paid_on")).alias("paid_on"),
        *(col(c).str.strip_chars().str.replace_all(r"\s+", " ").alias(c) for c in TEXT_COLUMNS),
        col("country").str.strip_chars().str.to_uppercase().alias("country"),
        normalize_code(col("budget_code")).alias("budget_code"),
        *(parse_amount(col(c), marks[c]).alias(c) for c in AMOUNT_COLUMNS),
        col("currency").str.strip_chars().str.to_uppercase().fill_null(currency).alias("currency"),
        parse_rate(col("fx_rate")).alias("fx_rate"),
        parse_status(col("status"))
        .fill_null(pl.when(col("status").is_null()).then(pl.lit("actual")))
        .alias("status"),
        parse_payee_type(col("payee_type"))
        .fill_null(pl.when(col("payee_type").is_null()).then(pl.lit("company")))
        .alias("payee_type"),
        parse_yes_no(col("av_company")).alias("av_company"),
        parse_yes_no(col("be_taxable")).alias("be_taxable"),
        parse_tax_regime(col("be_tax_regime")).alias("be_tax_regime"),
        col("category").str.strip_chars().str.to_lowercase().alias("category"),
        col("ts_class").str.strip_chars().str.to_lowercase().alias("ts_class"),
        col("nights").str.strip_chars().cast(pl.Int32, strict=False).alias("nights"),
    ]


def _unparsed(column: str, reason: str) -> Check:
    """The raw cell has text but the typed value is null: it did not parse."""
    return Check(column, pl.col(f"raw_{column}").is_not_null() & pl.col(column).is_null(), reason)


def _required(column: str) -> Check:
    return Check(column, pl.col(f"raw_{column}").is_null(), "required, but empty")


def expense_checks() -> list[Check]:
    """Every row-level rule of the canonical layout, as data."""
    col = pl.col
    categories = sorted(category_defaults())
    return [
        *(_required(c) for c in REQUIRED),
        _unparsed("date", "not a date (expected dd/mm/yyyy, dd.mm.yyyy, dd-mm-yyyy or yyyy-mm-dd)"),
        _unparsed(
            "paid_on", "not a date (expected dd/mm/yyyy, dd.mm.yyyy, dd-mm-yyyy or yyyy-mm-dd)"
        ),
        _unparsed("amount", "not an amount with at most 2 decimals"),
        _unparsed("vat_amount", "not an amount with at most 2 decimals"),
        _unparsed("fx_rate", "not an exchange rate (a positive number, at most 8 decimals)"),
        Check("fx_rate", col("fx_rate") <= 0, "an exchange rate must be positive"),
        _unparsed("status", "unknown status (actual/committed, réel/engagé, werkelijk/vastgelegd)"),
        _unparsed(
            "payee_type", "unknown payee type (company/person, société/personne, bedrijf/persoon)"
        ),
        _unparsed(
            "av_company", "not a yes/no value (yes, no, oui, non, ja, nee, true, false, 1, 0)"
        ),
        _unparsed(
            "be_taxable", "not a yes/no value (yes, no, oui, non, ja, nee, true, false, 1, 0)"
        ),
        _unparsed(
            "be_tax_regime",
            "not a Belgian tax regime (ordinary/flat_withholding, ordinaire/libératoire, "
            "gewoon/bevrijdend)",
        ),
        _unparsed("nights", "not a whole number of nights"),
        Check("nights", col("nights") < 0, "a number of nights cannot be negative"),
        Check(
            "country",
            col("raw_country").is_not_null() & ~col("country").str.contains(r"^[A-Z]{2}$"),
            "not an ISO 3166 alpha-2 country code (BE, FR, DE...)",
        ),
        Check(
            "currency",
            ~col("currency").str.contains(r"^[A-Z]{3}$"),
            "not an ISO 4217 currency code (EUR, USD, GBP...)",
        ),
        Check(
            "category",
            col("category").is_not_null() & ~col("category").is_in(categories),
            f"unknown category (one of: {', '.join(categories)})",
        ),
        Check(
            "ts_class",
            col("ts_class").is_not_null() & ~col("ts_class").is_in(TS_CLASSES),
            f"unknown Tax Shelter class (one of: {', '.join(TS_CLASSES)})",
        ),
        Check(
            "postcode",
            col("country").is_in(["BE", "FR"]) & col("postcode").is_null(),
            "required for Belgian and French payees",
        ),
    ]


def type_and_check(raw: pl.DataFrame, currency: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed rows (with `raw_*` text kept alongside) and the problems frame."""
    renamed = raw.rename({c: f"raw_{c}" for c in EXPENSE_SCHEMA})
    typed = pl.concat([renamed, select_by_distinct(raw, _typed(raw, currency))], how="horizontal")
    return typed, run_checks(typed, expense_checks())


def extract(path: Path, currency: str) -> Extracted:
    """Read, type and check one canonical expense file."""
    table = read_table(path)
    raw, headers = _raw_frame(table)
    typed, problems = type_and_check(raw, currency)
    fmt = "canonical_xlsx" if path.suffix.lower() in {".xlsx", ".xlsm"} else "canonical_csv"
    raw_cells = typed.select(pl.col(f"raw_{c}") for c in EXPENSE_SCHEMA)
    rows = pl.concat([typed.select("_row", *EXPENSE_SCHEMA), raw_cells], how="horizontal")
    rows = rows.with_columns(
        pl.lit(table.file).alias("_file"),
        pl.lit(table.sheet, pl.String).alias("_sheet"),
        pl.lit(table.sha256).alias("_sha256"),
        pl.lit(fmt).alias("_format"),
    )
    return Extracted(
        rows,
        problems.with_columns(pl.lit(table.file).alias("_file")),
        table.file,
        table.sha256,
        fmt,
        table.sheet,
        headers=headers,
    )
