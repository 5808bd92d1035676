"""Exchange rates: the European Central Bank's reference-rate CSV, the file people have.

Both ECB files load: the history (`eurofxref-hist.csv`: `Date,USD,JPY,...` one row per day,
`N/A` where a currency was not quoted) and the daily one (`eurofxref.csv`, dates like
`22 November 2024`). Rates are units of currency per EUR; loading is idempotent (a
(currency, date) pair is replaced, never duplicated).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from finance.domain.errors import UserError
from finance.domain.money import RATE
from finance.domain.parsing import parse_date, parse_rate
from finance.importers.tabular import file_sha256
from finance.store.audit import current_actor, record
from finance.store.db import connect, fetch_one, fetch_value, transaction

GLOBAL = "*"  # import batches of reference data belong to no production


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


def read_ecb(path: Path) -> pl.DataFrame:
    """The rates as (currency, rate_date, per_eur); a UserError when the file is not ECB's."""
    try:
        wide = pl.read_csv(path, infer_schema=False, truncate_ragged_lines=True)
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path.name}: not a readable CSV ({exc})") from None
    wide = wide.rename({c: c.strip() for c in wide.columns})
    if not wide.columns or wide.columns[0] != "Date":
        raise UserError(
            f"{path.name}: not an ECB reference-rate file (first column must be 'Date')"
        )
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
        raise UserError(f"{path.name}: {bad.height} unreadable rates, e.g. {sample}")
    return rates.select("currency", "rate_date", "per_eur")


def import_rates(db: Path | None, path: Path) -> RatesOutcome:
    """Load an ECB rates file into the rates table (shared by every production)."""
    if not path.is_file():
        raise UserError(f"{path}: file not found")
    sha = file_sha256(path)
    rates = read_ecb(path)
    first = str(rates["rate_date"].min()) if rates.height else None
    last = str(rates["rate_date"].max()) if rates.height else None
    summary = (path.name, rates.height, rates["currency"].n_unique(), first, last)
    with connect(db) as con, transaction(con):
        if fetch_one(
            con, "SELECT 1 FROM import_batches WHERE kind = 'fx_rates' AND file_sha256 = ?", [sha]
        ):
            return RatesOutcome(*summary, unchanged=True)
        batch_id = fetch_value(con, "SELECT nextval('import_batch_seq')")
        con.register("new_rates", rates)
        con.execute(
            "DELETE FROM fx_rates USING new_rates n "
            "WHERE fx_rates.currency = n.currency AND fx_rates.rate_date = n.rate_date"
        )
        con.execute(
            "INSERT INTO fx_rates (currency, rate_date, per_eur, batch_id) "
            "SELECT currency, rate_date, per_eur, ? FROM new_rates",
            [batch_id],
        )
        con.unregister("new_rates")
        con.execute(
            "INSERT INTO import_batches (id, production_id, kind, file_name, file_sha256, format, sheet, "
            "version_label, rows_read, rows_imported, rows_duplicate, rows_rejected, imported_at, "
            "imported_by) "
            "VALUES (?, ?, 'fx_rates', ?, ?, 'ecb_csv', NULL, NULL, ?, ?, 0, 0, ?, ?)",
            [
                batch_id,
                GLOBAL,
                path.name,
                sha,
                rates.height,
                rates.height,
                datetime.now(UTC).replace(tzinfo=None),
                current_actor(),
            ],
        )
        record(
            con,
            "import.rates",
            None,
            path.name,
            {"rates": rates.height, "file_sha256": sha, "from": first, "to": last},
        )
    return RatesOutcome(*summary)
