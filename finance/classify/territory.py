"""Territory of each payee from country and postcode, set-wise, with the reason it was chosen.

Tables are data (data/territories/): Belgian postcode ranges, French departments and regions,
postcodes served across a department border, EEA membership. A postcode is a first pass: the
funds test the seat, domicile or tax status, so a user can correct a territory (overrides).
"""

from __future__ import annotations

from functools import cache
from typing import TypeVar

import polars as pl
from babel import Locale

from finance import DATA_DIR

TERRITORIES = DATA_DIR / "territories"
Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)
OUTPUT = ("territory", "territory_country", "fr_department", "fr_region", "territory_reason")


@cache
def be_ranges() -> pl.DataFrame:
    return pl.read_csv(TERRITORIES / "be_postcodes.csv", infer_schema=False).with_columns(
        pl.col("from").cast(pl.Int32), pl.col("to").cast(pl.Int32)
    )


@cache
def fr_departments() -> pl.DataFrame:
    return pl.read_csv(TERRITORIES / "fr_departments.csv", infer_schema=False)


@cache
def fr_exceptions() -> pl.DataFrame:
    return pl.read_csv(TERRITORIES / "fr_postcode_exceptions.csv", infer_schema=False)


@cache
def eea_countries() -> frozenset[str]:
    return frozenset(pl.read_csv(TERRITORIES / "eea.csv", infer_schema=False)["country"].to_list())


@cache
def iso_countries() -> frozenset[str]:
    """ISO 3166 alpha-2 codes (from babel's territory names)."""
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(c for c in codes if len(c) == 2 and c.isalpha())


def clean_postcode(expr: pl.Expr) -> pl.Expr:
    """`B-1000`, `BE 1050`, `F-75011`, ` 75 011 ` -> digits and letters only, no country prefix."""
    text = expr.cast(pl.String).str.strip_chars().str.to_uppercase()
    text = text.str.replace(r"^(BE|FR|B|F|L|D|NL)[- ]+(\d)", "$2")
    return text.str.replace_all(r"[\s.\-]", "")


def _be_territory(pc: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(territory, reason) for a 4-digit Belgian postcode, from the range table."""
    number = pc.cast(pl.Int32, strict=False)
    territory: pl.Expr = pl.lit(None, pl.String)
    reason: pl.Expr = pl.lit(None, pl.String)
    for r in be_ranges().iter_rows(named=True):
        hit = number.is_between(r["from"], r["to"])
        territory = pl.when(hit).then(pl.lit(r["territory"])).otherwise(territory)
        text = f"BE postcode {{}} is in {r['from']}-{r['to']}: {r['area']}"
        if r["note"]:
            text += f" ({r['note']})"
        reason = pl.when(hit).then(pl.format(text, pc)).otherwise(reason)
    return territory, reason


def _fr_department(pc: pl.Expr) -> pl.Expr:
    """Department of a 5-digit French postcode: 2A/2B for Corsica, three digits overseas."""
    corsica = (
        pl.when(pc.cast(pl.Int32, strict=False) < 20200).then(pl.lit("2A")).otherwise(pl.lit("2B"))
    )
    return (
        pl.when(pc.str.starts_with("97"))
        .then(pc.str.slice(0, 3))
        .when(pc.str.starts_with("20"))
        .then(corsica)
        .otherwise(pc.str.slice(0, 2))
    )


def _with_fr(frame: Frame, pc: str) -> Frame:
    """Add _fr_dept, _fr_region and _fr_exception for French rows (null elsewhere)."""
    exceptions = fr_exceptions().select(
        pl.col("postcode").alias(pc), pl.col("department").alias("_fr_exc")
    )
    regions = fr_departments().rename({"department": "_fr_dept", "region": "_fr_region"})
    if isinstance(frame, pl.LazyFrame):
        exceptions_l, regions_l = exceptions.lazy(), regions.lazy()
        out = frame.join(exceptions_l, on=pc, how="left")
        out = out.with_columns(pl.coalesce("_fr_exc", _fr_department(pl.col(pc))).alias("_fr_dept"))
        return out.join(regions_l, on="_fr_dept", how="left")
    out = frame.join(exceptions, on=pc, how="left")
    out = out.with_columns(pl.coalesce("_fr_exc", _fr_department(pl.col(pc))).alias("_fr_dept"))
    return out.join(regions, on="_fr_dept", how="left")


def _territory_columns(country: pl.Expr, pc: pl.Expr) -> list[pl.Expr]:
    be_ok = pc.str.contains(r"^\d{4}$")
    fr_ok = pc.str.contains(r"^\d{5}$") & pl.col("_fr_region").is_not_null()
    be_territory, be_reason = _be_territory(pc)
    eea = country.is_in(sorted(eea_countries()))
    known = country.is_in(sorted(iso_countries()))
    fr_reason = (
        pl.when(pl.col("_fr_exc").is_not_null())
        .then(
            pl.format(
                "FR postcode {} is used in department {} (exception table), {}",
                pc,
                pl.col("_fr_dept"),
                pl.col("_fr_region"),
            )
        )
        .otherwise(
            pl.format(
                "FR postcode {}: department {}, {}", pc, pl.col("_fr_dept"), pl.col("_fr_region")
            )
        )
    )
    is_be, is_fr = country == "BE", country == "FR"
    territory = (
        pl.when(is_be & be_ok)
        .then(be_territory)
        .when(is_fr & fr_ok)
        .then(pl.concat_str([pl.lit("FR-"), pl.col("_fr_dept")]))
        .when(is_be | is_fr | ~known)
        .then(pl.lit(None, pl.String))
        .when(eea)
        .then(pl.lit("EEA"))
        .otherwise(pl.lit("OTHER"))
    )
    reason = (
        pl.when(is_be & be_ok)
        .then(be_reason)
        .when(is_be)
        .then(pl.format("BE postcode {} is not 4 digits", pc.fill_null("(empty)")))
        .when(is_fr & fr_ok)
        .then(fr_reason)
        .when(is_fr)
        .then(
            pl.format(
                "FR postcode {} is not a known 5-digit French postcode", pc.fill_null("(empty)")
            )
        )
        .when(~known)
        .then(pl.format("{} is not an ISO 3166 country code", country))
        .when(eea)
        .then(pl.format("{} is in the EEA", country))
        .otherwise(pl.format("{} is outside the EEA", country))
    )
    return [
        territory.alias("territory"),
        country.alias("territory_country"),
        pl.when(is_fr & fr_ok).then(pl.col("_fr_dept")).alias("fr_department"),
        pl.when(is_fr & fr_ok).then(pl.col("_fr_region")).alias("fr_region"),
        reason.alias("territory_reason"),
    ]


def classify_territory(frame: Frame, country: str = "country", postcode: str = "postcode") -> Frame:
    """Add territory, territory_country, fr_department, fr_region and territory_reason.

    Territory is BE-BRU, BE-WAL, BE-VLG, FR-<dept>, EEA (any other EEA country) or OTHER; null
    when country or postcode cannot be classified (the reason says why).
    """
    tmp = "_pc"
    out = frame.with_columns(clean_postcode(pl.col(postcode)).alias(tmp))
    out = _with_fr(out, tmp)
    country_expr = pl.col(country).cast(pl.String).str.strip_chars().str.to_uppercase()
    out = out.with_columns(_territory_columns(country_expr, pl.col(tmp)))
    return out.drop(tmp, "_fr_exc", "_fr_dept", "_fr_region")
