"""Exchange rates: the European Central Bank's reference-rate CSV, the file people have.

Both ECB files load: the history (`eurofxref-hist.csv`: `Date,USD,JPY,...` one row per day,
`N/A` where a currency was not quoted) and the daily one (`eurofxref.csv`, dates like
`22 November 2024`), as CSV or as the zip the ECB distributes them in (`eurofxref-hist.zip`,
one CSV inside). Rates are units of currency per EUR; loading is idempotent (a
(currency, date) pair is replaced, never duplicated).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from finance.domain import i18n
from finance.domain.money import RATE
from finance.domain.parsing import parse_date, parse_rate
from finance.importers import cii
from finance.importers.tabular import file_sha256
from finance.store import queries
from finance.store.audit import record
from finance.store.batches import Batch, new_batch
from finance.store.db import connect, transaction

GLOBAL = "*"  # import batches of reference data belong to no production
MAX_CSV = 64 * 1024 * 1024  # uncompressed bytes of the CSV inside an ECB zip (the history: ~7 MB)


@dataclass(frozen=True)
class RatesOutcome:
    """What `import rates` did."""

    file: str
    rates: int
    currencies: int
    first: str | None
    last: str | None
    unchanged: bool = False


def _ecb_date(expr: pl.Expr) -> pl.Expr:
    """ISO dates of the history file, or `22 November 2024` of the daily file."""
    return pl.coalesce(parse_date(expr), expr.str.strptime(pl.Date, "%d %B %Y", strict=False))


def _source(path: Path) -> Path | bytes:
    """The CSV to read: the file itself, or the one CSV of the ECB's zip (size-checked)."""
    kind = cii.kind_of(path)
    if kind is not None:
        raise i18n.error(f"error.rates.einvoice.{kind}", name=path.name)
    if not zipfile.is_zipfile(path):
        return path
    try:
        with zipfile.ZipFile(path) as archive:
            members = [i for i in archive.infolist() if i.filename.lower().endswith(".csv")]
            if len(members) != 1:
                raise i18n.error("error.rates.zip_members", name=path.name, count=str(len(members)))
            member = members[0]
            if member.file_size > MAX_CSV or member.file_size > 200 * max(member.compress_size, 1):
                raise i18n.error("error.rates.zip_bomb", name=path.name)
            return archive.read(member)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, ValueError):
        raise i18n.error("error.rates.zip", name=path.name) from None


def read_ecb(path: Path) -> pl.DataFrame:
    """The rates as (currency, rate_date, per_eur); a UserError when the file is not ECB's."""
    source = _source(path)
    try:
        wide = pl.read_csv(
            io.BytesIO(source) if isinstance(source, bytes) else source,
            infer_schema=False,
            truncate_ragged_lines=True,
        )
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise i18n.error("error.rates.csv", name=path.name, detail=str(exc)) from None
    wide = wide.rename({c: c.strip() for c in wide.columns})
    if not wide.columns or wide.columns[0] != "Date":
        raise i18n.error("error.rates.not_ecb", name=path.name)
    currencies = [c for c in wide.columns[1:] if len(c) == 3 and c.isalpha()]
    long = wide.unpivot(index="Date", on=currencies, variable_name="currency", value_name="text")
    long = long.with_columns(pl.col(c).str.strip_chars() for c in ("Date", "text"))
    long = long.filter(
        pl.col("text").is_not_null() & (pl.col("text") != "N/A") & (pl.col("text") != "")
    )
    rates = long.select(
        pl.col("currency"),
        _ecb_date(pl.col("Date")).alias("rate_date"),
        parse_rate(pl.col("text")).cast(RATE).alias("per_eur"),
        pl.col("Date"),
        pl.col("text"),
    )
    bad = rates.filter(
        pl.col("rate_date").is_null() | pl.col("per_eur").is_null() | (pl.col("per_eur") <= 0)
    )
    if bad.height:
        sample = ", ".join(
            f"{r['Date']}/{r['currency']}={r['text']!r}" for r in bad.head(5).iter_rows(named=True)
        )
        raise i18n.error(
            "error.rates.unreadable", name=path.name, count=str(bad.height), sample=sample
        )
    return rates.select("currency", "rate_date", "per_eur")


def import_rates(db: Path | None, path: Path) -> RatesOutcome:
    """Load an ECB rates file into the rates table (shared by every production)."""
    if not path.is_file():
        raise i18n.error("error.file.not_found", name=str(path))
    sha = file_sha256(path)
    rates = read_ecb(path)
    first = str(rates["rate_date"].min()) if rates.height else None
    last = str(rates["rate_date"].max()) if rates.height else None
    summary = (path.name, rates.height, rates["currency"].n_unique(), first, last)
    with connect(db) as con, transaction(con):
        if queries.one(con, "rates.same_file", {"sha": sha}):
            return RatesOutcome(*summary, unchanged=True)
        batch = Batch(GLOBAL, "fx_rates", path.name, sha, "ecb_csv", rates.height, rates.height)
        batch_id = new_batch(con, batch)
        con.register("new_rates", rates)
        queries.execute(con, "rates.delete_replaced")
        queries.execute(con, "rates.insert", {"batch_id": batch_id})
        con.unregister("new_rates")
        record(
            con,
            "import.rates",
            None,
            path.name,
            {"rates": rates.height, "file_sha256": sha, "from": first, "to": last},
        )
    return RatesOutcome(*summary)
