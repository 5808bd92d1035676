"""Column-mapping profiles: a small YAML file maps another tool's export (CSV or XLSX) to the
canonical expense layout; the rows then go through the same typing and checks as any file.
Shipped profiles live in data/profiles/; a user can write their own and pass it with --profile.

Beyond renaming columns, a profile can read a bank export (data/profiles/README.md):
- `columns` may give a list of source headers: the first non-empty cell wins (the payee from
  the counterparty's name, else the communication);
- `skip` leaves out rows by a column's value (a transaction type, an internal transfer);
- `amount_sign: flip` turns the export's signs round (a bank shows a payment as a negative
  amount: the expense is its absolute value, and a refund becomes a credit note, negative);
- `keep: debits` (or `credits`) keeps only the expenses (or only the credit notes) of the
  result;
- `coded: false` says the export carries no budget line a person chose: its rows wait to be
  coded (like e-invoices) unless a supplier mapping gives their line.
Every profile's result is counted (`SignCheck`): more credits than debits stops the import
unless the user confirms (a likely sign error)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, ValidationError

from finance import DATA_DIR
from finance.classify.enrich import UNCODED
from finance.domain import i18n
from finance.domain.manifest import load_yaml, validation_problems
from finance.domain.parsing import normalize_header
from finance.importers.base import EXPENSE_SCHEMA, Extracted, SignCheck
from finance.importers.canonical import type_and_check
from finance.importers.tabular import read_header, read_table

PROFILES = DATA_DIR / "profiles"
#: the checks an uncoded export cannot pass and need not: its rows wait for a person, who gives
#: the budget line and the payee's seat (a bank export has neither)
WAITING_FOR_A_PERSON = {
    ("budget_code", "required, but empty"),
    ("country", "required, but empty"),
    ("postcode", "required for Belgian and French payees"),
}


class SkipRule(BaseModel):
    """Rows whose `column` is one of `values`, starts with one of `starts_with` (case and
    surrounding spaces ignored) or, with `non_empty`, has any text, are left out."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    column: str
    values: list[str] = []
    starts_with: list[str] = []
    non_empty: bool = False


class Profile(BaseModel):
    """Which source header feeds which canonical column, and constants for the others."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title: str
    detect: list[str] = []
    columns: dict[str, str | list[str]]
    constants: dict[str, str] = {}
    coded: bool = True
    amount_sign: Literal["as_is", "flip"] = "as_is"
    keep: Literal["all", "debits", "credits"] = "all"
    skip: list[SkipRule] = []

    def sources(self, column: str) -> list[str]:
        """The source headers of a canonical column, in order of preference."""
        value = self.columns[column]
        return [value] if isinstance(value, str) else value

    @property
    def format(self) -> str:
        """The format recorded on each row and batch (`profile_<id>`, marked when uncoded)."""
        return f"profile_{self.id}" + ("" if self.coded else UNCODED)


def load_profile(path: Path) -> Profile:
    """A profile file, validated; unknown canonical columns are errors."""
    try:
        profile = Profile.model_validate(load_yaml(path))
    except ValidationError as exc:
        raise i18n.error(
            "error.profile.invalid", validation_problems(exc, path.name), name=path.name
        ) from None
    unknown = sorted(set(profile.columns) | set(profile.constants) - set(EXPENSE_SCHEMA))
    unknown = [c for c in unknown if c not in EXPENSE_SCHEMA]
    if unknown:
        raise i18n.error(
            "error.profile.unknown_columns", name=path.name, columns=", ".join(unknown)
        )
    empty = [c for c in profile.columns if not profile.sources(c)]
    if empty:
        raise i18n.error("error.profile.no_source", name=path.name, columns=", ".join(empty))
    return profile


@cache
def shipped() -> tuple[Profile, ...]:
    return tuple(load_profile(p) for p in sorted(PROFILES.glob("*.yaml")))


def detect(path: Path) -> Profile | None:
    """The shipped profile whose `detect` headers are all in the file's header row."""
    if path.suffix.lower() not in (".csv", ".txt", ".tsv", ".xlsx", ".xlsm") or not path.is_file():
        return None
    headers = {normalize_header(c) for c in read_header(path)}
    return next(
        (p for p in shipped() if p.detect and {normalize_header(h) for h in p.detect} <= headers),
        None,
    )


def _skipped(profile: Profile, by_header: dict[str, str]) -> pl.Expr:
    """True on the rows a `skip` rule leaves out."""
    out = pl.lit(False)
    for rule in profile.skip:
        cell = pl.col(by_header[normalize_header(rule.column)]).str.strip_chars().str.to_lowercase()
        if rule.values:
            out = out | cell.is_in([v.strip().lower() for v in rule.values]).fill_null(False)
        for prefix in rule.starts_with:
            out = out | cell.str.starts_with(prefix.strip().lower()).fill_null(False)
        if rule.non_empty:
            out = out | cell.is_not_null()
    return out


def _flipped(cell: pl.Expr) -> pl.Expr:
    """An amount's text with the other sign (`-1.815,00` -> `1.815,00`, `60,50` -> `-60,50`):
    flipped as text, so that the cells kept as read (quarantine, coding) are the profile's
    result and a waiting row is booked later with the same sign."""
    text = cell.str.strip_chars()
    return (
        pl.when(text.str.starts_with("-"))
        .then(text.str.slice(1).str.strip_chars_start())
        .otherwise(pl.lit("-") + text.str.strip_prefix("+").str.strip_chars_start())
    )


def _kept(profile: Profile, typed: pl.DataFrame) -> pl.DataFrame:
    """Only the rows the profile keeps (a row whose amount did not parse stays, for its
    problem to be reported)."""
    if profile.keep == "debits":
        typed = typed.filter(~(pl.col("amount") < 0).fill_null(False))
    elif profile.keep == "credits":
        typed = typed.filter(~(pl.col("amount") > 0).fill_null(False))
    return typed


def sign_check(profile: Profile, amounts: pl.Series) -> SignCheck:
    """The debits and credits of a profile's result (see SignCheck)."""
    zero = Decimal("0.00")
    positive, negative = amounts.filter(amounts > 0), amounts.filter(amounts < 0)
    return SignCheck(
        profile.id,
        positive.len(),
        negative.len(),
        Decimal(positive.sum() or zero),
        -Decimal(negative.sum() or zero),
    )


def sign_warning(
    file: str,
    check: SignCheck,
    lang: str = "en",
    currency: str = "EUR",
    key: str = "import.credits_warning",
) -> str:
    """What the user reads when a profile's result has more credits than debits (the
    message `key`: the command's, or a page's own words)."""
    return i18n.text(
        key,
        lang,
        currency,
        file=file,
        profile=check.profile,
        credits=check.credits,
        debits=check.debits,
        credit_total=check.credit_total,
        debit_total=check.debit_total,
    )


def extract_with(profile: Profile, path: Path, currency: str) -> Extracted:
    """Leave out the skipped rows, rename the source columns (the first non-empty of several),
    add the constants, type and check as the canonical layout, then apply the profile's sign
    and keep its debits or credits."""
    table = read_table(path)
    by_header = {normalize_header(c): c for c in table.frame.columns if c != "_row"}
    wanted = [h for c in profile.columns for h in profile.sources(c)]
    wanted += [rule.column for rule in profile.skip]
    missing = list(dict.fromkeys(h for h in wanted if normalize_header(h) not in by_header))
    if missing:
        raise i18n.error(
            "error.profile.missing_columns",
            name=table.file,
            profile=profile.id,
            columns=", ".join(missing),
        )
    frame = table.frame.filter(~_skipped(profile, by_header))
    raw = frame.select(
        "_row",
        *(
            pl.coalesce(pl.col(by_header[normalize_header(h)]) for h in profile.sources(c)).alias(c)
            for c in profile.columns
        ),
    )
    raw = raw.with_columns(
        pl.lit(v).alias(c) for c, v in profile.constants.items() if c not in raw.columns
    )
    raw = raw.with_columns(
        pl.lit(None, pl.String).alias(c) for c in EXPENSE_SCHEMA if c not in raw.columns
    )
    if profile.amount_sign == "flip":
        raw = raw.with_columns(_flipped(pl.col(c)).alias(c) for c in ("amount", "vat_amount"))
    typed, problems = type_and_check(raw.select("_row", *EXPENSE_SCHEMA), currency)
    typed = _kept(profile, typed)
    problems = problems.join(typed.select("_row"), on="_row", how="semi")
    if not profile.coded:
        waiting = pl.any_horizontal(
            (pl.col("column") == c) & (pl.col("reason") == r) for c, r in WAITING_FOR_A_PERSON
        )
        problems = problems.filter(~waiting)
    fmt = profile.format
    rows = pl.concat(
        [
            typed.select("_row", *EXPENSE_SCHEMA),
            typed.select(pl.col(f"raw_{c}") for c in EXPENSE_SCHEMA),
        ],
        how="horizontal",
    ).with_columns(
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
        sign_check=sign_check(profile, typed["amount"].drop_nulls()),
        headers={
            c: " / ".join(by_header[normalize_header(h)] for h in profile.sources(c))
            for c in profile.columns
        },
    )
