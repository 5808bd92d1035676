"""From extracted rows to ledger rows: territory, payee keys, tax residence, exchange rates.

Pure functions of frames (no database): the ingest step hands in what it read from the store
(the current devis codes, the rates table) and gets back enriched rows and their problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from finance.classify.territory import classify_territory
from finance.domain.identifiers import company_key, id_key, identifier_columns, looks_like_id
from finance.domain.money import ABOVE_MAX, MAX_MONEY, RATE
from finance.domain.uniques import with_distinct
from finance.domain.validate import Check, run_checks

FOLD = r"[^a-z0-9]+"


#: the documents a user coded by hand: (supplier_key, invoice_ref, date, amount) -> coded_code
CODINGS_SCHEMA: dict[str, pl.DataType] = {
    "supplier_key": pl.String(),
    "invoice_ref": pl.String(),
    "date": pl.Date(),
    "amount": pl.Decimal(18, 2),
    "coded_code": pl.String(),
}


@dataclass(frozen=True)
class LedgerContext:
    """What the enrichment needs to know about the production and its store."""

    production_id: str
    currency: str
    budget_codes: frozenset[str]
    fx_rates: pl.DataFrame  # currency, rate_date, per_eur (ECB convention: units per EUR)
    mappings: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(
            schema={"supplier_key": pl.String, "mapped_code": pl.String}
        )
    )  # supplier -> budget line
    #: documents a user coded (supplier_key, invoice_ref, date, amount -> coded_code)
    codings: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=CODINGS_SCHEMA))


def _ledger_territory(frame: pl.DataFrame) -> pl.DataFrame:
    """An FEC line has no address: a French payee whose department is unknown (counted by no
    territorial test that needs a department: conservative)."""
    if "_format" not in frame.columns:
        return frame
    unknown = (
        (pl.col("_format") == "fec") & pl.col("territory").is_null() & (pl.col("country") == "FR")
    )
    return frame.with_columns(
        pl.when(unknown).then(pl.lit("FR")).otherwise(pl.col("territory")).alias("territory"),
        pl.when(unknown)
        .then(pl.lit("French payee from the FEC: no address, department unknown"))
        .otherwise(pl.col("territory_reason"))
        .alias("territory_reason"),
        pl.when(unknown)
        .then(-1 - pl.col("_territory_key"))
        .otherwise(pl.col("_territory_key"))
        .alias("_territory_key"),
    )


def folded_name(supplier: pl.Expr) -> pl.Expr:
    """A supplier's name folded (accents, case, punctuation): `Éclair Films S.A.` and
    `ECLAIR FILMS SA` are one name."""
    return (
        supplier.str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all(FOLD, "")
    )


def mapping_key(supplier: pl.Expr) -> pl.Expr:
    """The key a mapping file's `supplier` cell is stored under: an enterprise or VAT number in
    id_key's form, else the folded name; `account:6226` as written (an FEC account)."""
    text = supplier.str.strip_chars()
    as_id = id_key(text)
    return (
        pl.when(text.str.starts_with("account:"))
        .then(text.str.replace_all(" ", ""))
        .when(looks_like_id(as_id))
        .then(as_id)
        .otherwise(folded_name(text))
    )


def supplier_key(supplier: pl.Expr, vat: pl.Expr) -> pl.Expr:
    """Who issued the document: the VAT number when given, else the folded name.

    Folding (accents, case, punctuation) makes `Éclair Films S.A.` and `ECLAIR FILMS SA` one key.
    """
    vat_key = vat.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
    return pl.when(vat_key.str.len_chars() > 0).then(vat_key).otherwise(folded_name(supplier))


def tax_residence(frame: pl.DataFrame) -> pl.DataFrame:
    """`be_taxable` defaults to 'the payee's country is BE' (funding-rules.md section 1); the
    value as stated is kept (`be_taxable_stated`): the ledger stores it, and `v_expenses`
    derives the default and its reason from it."""
    return frame.with_columns(
        pl.col("be_taxable").alias("be_taxable_stated"),
        pl.coalesce(pl.col("be_taxable"), pl.col("country") == "BE").alias("be_taxable"),
    )


def _rates_to_production(fx: pl.DataFrame, currency: str) -> pl.DataFrame:
    """Per (currency, date): the rate to the production currency, crossed through EUR."""
    dates = fx.select("rate_date").unique()
    eur = dates.with_columns(pl.lit("EUR").alias("currency"), pl.lit(1, RATE).alias("per_eur"))
    table = pl.concat(
        [
            fx.select("currency", "rate_date", pl.col("per_eur").cast(RATE)),
            eur.select("currency", "rate_date", "per_eur"),
        ]
    )
    prod = table.filter(pl.col("currency") == currency).select(
        "rate_date", pl.col("per_eur").alias("prod_per_eur")
    )
    return (
        table.join(prod, on="rate_date", how="inner")
        .select(
            "currency",
            "rate_date",
            (pl.col("prod_per_eur") / pl.col("per_eur")).cast(RATE).alias("table_rate"),
        )
        .sort("currency", "rate_date")
    )


def resolve_fx(frame: pl.DataFrame, ctx: LedgerContext) -> pl.DataFrame:
    """Fill `fx_rate` and `fx_source`: same currency, the line's own rate, or the rates table.

    The table rate is the latest published on or before the document date (ECB reference rates
    are not published on weekends and holidays).
    """
    foreign = (pl.col("currency") != ctx.currency) & pl.col("fx_rate").is_null()
    need = frame.filter(foreign & pl.col("date").is_not_null()).select("_key", "currency", "date")
    if need.height and ctx.fx_rates.height:
        rates = _rates_to_production(ctx.fx_rates, ctx.currency)
        found = (
            need.sort("date")
            .join_asof(
                rates,
                left_on="date",
                right_on="rate_date",
                by="currency",
                strategy="backward",
                check_sortedness=False,
            )
            .select("_key", "table_rate", "rate_date")
        )
    else:
        found = pl.DataFrame(schema={"_key": pl.Int64, "table_rate": RATE, "rate_date": pl.Date})
    looked_up = frame.select("_key").join(found, on="_key", how="left", maintain_order="left")
    out = frame.with_columns(looked_up.select("table_rate", "rate_date").get_columns())
    return out.with_columns(
        pl.when(pl.col("currency") == ctx.currency)
        .then(pl.lit(1, RATE))
        .otherwise(pl.coalesce(pl.col("fx_rate"), pl.col("table_rate")))
        .alias("fx_rate"),
        pl.when(pl.col("currency") == ctx.currency)
        .then(pl.lit("same currency"))
        .when(pl.col("fx_rate").is_not_null())
        .then(pl.lit("rate on the expense line"))
        .when(pl.col("table_rate").is_not_null())
        .then(pl.format("rates table, {}", pl.col("rate_date")))
        .otherwise(pl.lit(None, pl.String))
        .alias("fx_source"),
        # one integer per distinct fx_source text, for the store's lookup table: the rate's date
        # (days from 1970), or two keys below any date
        pl.when(pl.col("currency") == ctx.currency)
        .then(pl.lit(-(2**40), pl.Int64))
        .when(pl.col("fx_rate").is_not_null())
        .then(pl.lit(1 - 2**40, pl.Int64))
        .otherwise(pl.col("rate_date").cast(pl.Int64))
        .alias("_fx_key"),
    ).drop("table_rate", "rate_date")


def ledger_checks(ctx: LedgerContext) -> list[Check]:
    """Row rules that need the production's context (devis, currency, rates)."""
    col = pl.col
    codes = sorted(ctx.budget_codes)
    return [
        Check(
            "budget_code",
            col("budget_code").is_not_null() & ~col("budget_code").is_in(codes) & ~col("_to_code"),
            "no such line in the current devis",
        ),
        Check(
            "fx_rate",
            col("fx_source").is_null() & col("currency").is_not_null(),
            f"a {ctx.currency} rate is needed: give fx_rate or load a rates table "
            f"(`cineledger import rates FILE`)",
        ),
        Check(
            "amount",
            (col("amount").cast(pl.Decimal(38, 10)) * col("fx_rate")).abs() > MAX_MONEY,
            ABOVE_MAX,
        ),
        Check(
            "postcode",
            col("territory").is_null() & col("country").str.contains(r"^[A-Z]{2}$"),
            "",
            reason_expr=col("territory_reason"),
        ),
    ]


def _keyed(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """`name`: the row's position, a key for the values derived on it."""
    return frame.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias(name))


def enrich(rows: pl.DataFrame, ctx: LedgerContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Enriched rows (same order, `_key` added) and the problems found on the way."""
    frame = rows.with_row_index("_key").with_columns(pl.col("_key").cast(pl.Int64))
    # classifications depend on a few columns with few distinct values: computed once per value,
    # each value with an integer key (`_territory_key`, `_vat_key`) that the store's lookup
    # tables are filled by
    frame = with_distinct(
        frame,
        ["country", "postcode"],
        lambda d: _keyed(
            classify_territory(d, country="country", postcode="postcode"), "_territory_key"
        ),
    )
    frame = _ledger_territory(frame)
    frame = with_distinct(
        frame,
        ["supplier_vat", "country"],
        lambda d: _keyed(
            identifier_columns(d, column="supplier_vat", country="country"), "_vat_key"
        ),
    )
    frame = with_distinct(
        frame,
        ["supplier", "supplier_vat"],
        lambda d: d.with_columns(
            supplier_key(pl.col("supplier"), pl.col("supplier_vat")).alias("supplier_key")
        ),
    )
    frame = tax_residence(frame).with_columns(pl.lit(ctx.production_id).alias("production_id"))
    frame = resolve_fx(resolve_budget_lines(frame, ctx), ctx)
    return frame, run_checks(frame, ledger_checks(ctx))


#: spreadsheets a person keyed budget lines into: an unknown line there is an error, not "to code"
CODED_FORMATS = ("canonical_csv", "canonical_xlsx")


#: the end of an uncoded profile's format (`coded: false`, a bank export): its rows wait
UNCODED = ":uncoded"


def coded(fmt: pl.Expr) -> pl.Expr:
    """Rows from spreadsheets and column-mapped exports carry budget lines a person chose; a
    profile that says `coded: false` (a bank export) does not: its rows wait to be coded."""
    return fmt.is_in(CODED_FORMATS) | (
        fmt.str.starts_with("profile_") & ~fmt.str.ends_with(UNCODED)
    )


def _supplier_lookup(frame: pl.DataFrame, mappings: pl.DataFrame) -> pl.DataFrame:
    """`supplier_key, budget_code, mapped_code` of each row: the line its supplier is mapped to,
    found by the supplier's key as stored, else by its VAT or enterprise number written one way
    (id_key; a French VAT number, SIREN or SIRET by the SIREN), else by its folded name (a
    mapping by name finds a supplier that has a VAT number too)."""
    keys = frame.select(
        "supplier_key",
        "budget_code",
        company_key(id_key(pl.col("supplier_vat"))).alias("_id"),
        folded_name(pl.col("supplier")).alias("_name"),
    )
    stored = mappings.select(pl.col("supplier_key").alias("_k"), "mapped_code")
    as_id = id_key(pl.col("supplier_key"))
    by_id = (
        mappings.filter(looks_like_id(as_id))
        .select(company_key(as_id).alias("_id"), pl.col("mapped_code").alias("_by_id"))
        .unique("_id", keep="last")
    )
    by_name = mappings.select(
        pl.col("supplier_key").alias("_name"), pl.col("mapped_code").alias("_by_name")
    ).unique("_name", keep="last")
    found = (
        keys.join(stored, left_on="supplier_key", right_on="_k", how="left", maintain_order="left")
        .join(by_id, on="_id", how="left", maintain_order="left")
        .join(by_name, on="_name", how="left", maintain_order="left")
    )
    return found.select(
        "supplier_key",
        "budget_code",
        pl.coalesce("mapped_code", "_by_id", "_by_name").alias("mapped_code"),
    )


def _coded(frame: pl.DataFrame, codings: pl.DataFrame) -> pl.Series:
    """The line a user coded each row's document on (`cineledger code`), else null."""
    keys = frame.select(
        "supplier_key",
        pl.col("invoice_ref").fill_null(""),
        "date",
        pl.col("amount").cast(pl.Decimal(18, 2)),
    )
    on = ["supplier_key", "invoice_ref", "date", "amount"]
    return keys.join(codings, on=on, how="left", maintain_order="left")["coded_code"]


def account_codes(codes: pl.DataFrame, mappings: pl.DataFrame) -> pl.DataFrame:
    """`budget_code -> account_code` for the `account:<number>` codes of `codes`: the mapping
    of the longest account prefix, as accountants write one (`account:6226` covers 6226,
    62260000 and 6226100; a number padded with zeros, 62260000, covers 622600)."""
    accounts = (
        codes.filter(pl.col("budget_code").str.starts_with("account:"))
        .unique()
        .with_columns(pl.col("budget_code").str.strip_prefix("account:").alias("_account"))
    )
    prefixes = mappings.filter(pl.col("supplier_key").str.starts_with("account:")).select(
        pl.col("supplier_key").str.strip_prefix("account:").alias("_prefix"),
        pl.col("mapped_code").alias("account_code"),
    )
    padded = pl.col("_account").str.pad_end(pl.col("_prefix").str.len_chars().max(), "0")
    return (
        accounts.join(prefixes.filter(pl.col("_prefix") != ""), how="cross")
        .filter(padded.str.starts_with(pl.col("_prefix")))
        .sort(pl.col("_prefix").str.len_chars(), descending=True)
        .unique("budget_code", keep="first")
        .select("budget_code", "account_code")
    )


def resolve_budget_lines(frame: pl.DataFrame, ctx: LedgerContext) -> pl.DataFrame:
    """A row whose budget line is not in the devis takes its supplier's mapped line, or its
    account's (`account:6226`, FEC); an e-invoice or ledger row still without one waits
    `_to_code` (a spreadsheet row is an error instead)."""
    codes = sorted(ctx.budget_codes)
    known = pl.col("budget_code").is_in(codes).fill_null(False)
    by_account = account_codes(frame.select("budget_code"), ctx.mappings)
    # the lookups join the key columns only, not the whole frame
    looked_up = _supplier_lookup(frame, ctx.mappings).join(
        by_account, on="budget_code", how="left", maintain_order="left"
    )
    out = (
        frame.with_columns(
            *looked_up.select("mapped_code", "account_code").get_columns(),
            _coded(frame, ctx.codings).alias("coded_code"),
        )
        .with_columns(
            pl.when(known)
            .then(pl.col("budget_code"))
            .otherwise(pl.coalesce("coded_code", "mapped_code", "account_code", "budget_code"))
            .alias("budget_code"),
            pl.when(known).then(None).otherwise(pl.col("budget_code")).alias("_reference"),
        )
        .drop("mapped_code", "account_code", "coded_code")
    )
    unresolved = ~pl.col("budget_code").is_in(codes).fill_null(False)
    return out.with_columns((unresolved & ~coded(pl.col("_format"))).alias("_to_code"))
