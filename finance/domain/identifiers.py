"""Enterprise and VAT numbers: Belgian (BCE/KBO, mod-97), French SIREN, SIRET and VAT, other EU
VAT numbers. An invalid number is flagged, never silently accepted nor rejected: the expense is
real even when its paperwork needs chasing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import polars as pl
from stdnum.be import vat as be_vat
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.fr import siren, siret
from stdnum.fr import tva as fr_tva


@dataclass(frozen=True)
class IdCheck:
    """What a number is and whether it is valid, with the reason."""

    normalized: str | None
    kind: str  # be_vat | fr_siren | fr_siret | fr_vat | eu_vat | unknown
    valid: bool
    reason: str


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-/]", "", value).upper()


def _check(module: object, value: str, kind: str, shown: str) -> IdCheck:
    try:
        number = module.validate(value)  # type: ignore[attr-defined]
    except ValidationError as exc:
        return IdCheck(value, kind, False, f"invalid {shown}: {exc}")
    return IdCheck(str(number), kind, True, f"valid {shown}")


def _belgian(code: str) -> IdCheck:
    digits = code[2:] if code.startswith("BE") else code
    if len(digits) == 9:
        digits = "0" + digits  # old 9-digit enterprise numbers
    result = _check(be_vat, digits, "be_vat", "Belgian enterprise number")
    return IdCheck(
        "BE" + digits if result.valid else code, result.kind, result.valid, result.reason
    )


def _french(code: str) -> IdCheck:
    if code.startswith("FR"):
        result = _check(fr_tva, code, "fr_vat", "French VAT number")
        return IdCheck(code, result.kind, result.valid, result.reason)
    if len(code) == 14:
        return _check(siret, code, "fr_siret", "SIRET")
    if len(code) == 9:
        return _check(siren, code, "fr_siren", "SIREN")
    return IdCheck(
        code, "unknown", False, "not a French SIREN (9 digits), SIRET (14) or VAT number"
    )


@lru_cache(maxsize=65536)
def validate_identifier(value: str, country: str | None) -> IdCheck:
    """Check one number in the light of the payee's country."""
    code = _compact(value)
    country = (country or "").upper()
    if code.startswith("BE") or (country == "BE" and code.isdigit()):
        return _belgian(code)
    if code.startswith("FR") or (country == "FR" and code.isdigit()):
        return _french(code)
    if re.match(r"^[A-Z]{2}", code):
        return _check(eu_vat, code, "eu_vat", "EU VAT number")
    return IdCheck(
        code,
        "unknown",
        False,
        f"cannot tell what kind of number this is for country {country or '?'}",
    )


def identifier_columns(
    frame: pl.DataFrame, column: str = "supplier_vat", country: str = "country"
) -> pl.DataFrame:
    """Add supplier_vat_normalized/_kind/_valid/_reason; only distinct pairs are checked in Python
    (a million expenses have a few hundred suppliers)."""
    pairs = frame.select(column, country).unique().filter(pl.col(column).is_not_null())
    checks = [validate_identifier(v, c) for v, c in pairs.iter_rows()]
    found = pairs.with_columns(
        pl.Series(f"{column}_normalized", [c.normalized for c in checks], pl.String),
        pl.Series(f"{column}_kind", [c.kind for c in checks], pl.String),
        pl.Series(f"{column}_valid", [c.valid for c in checks], pl.Boolean),
        pl.Series(f"{column}_reason", [c.reason for c in checks], pl.String),
    )
    return frame.join(found, on=[column, country], how="left", nulls_equal=False)


def id_key(value: pl.Expr) -> pl.Expr:
    """An enterprise or VAT number written one way, whatever its spelling: spaces, dots,
    dashes and slashes removed, upper case (python-stdnum's `compact`), the country prefix kept,
    a Belgian enterprise number given without it (10 digits, starting 0 or 1) prefixed BE, the
    Greek GR prefix written EL as VIES does. `nl 8538.48932.b01` and `NL853848932B01` are one
    key; so are `NO 123 456 789 MVA` and `NO123456789MVA`."""
    compact = value.str.replace_all(r"[\s.\-/,]", "").str.to_uppercase()
    return (
        pl.when(compact.str.contains(r"^[01][0-9]{9}$"))
        .then(pl.lit("BE") + compact)
        .when(compact.str.starts_with("GR"))
        .then(pl.lit("EL") + compact.str.slice(2))
        .otherwise(compact)
    )


def company_key(key: pl.Expr) -> pl.Expr:
    """The company behind a number (id_key's form), where a country writes it several ways: a
    French VAT number, SIREN and SIRET name one company by its SIREN (`FR:` and nine digits);
    other numbers are their own key."""
    return (
        pl.when(key.str.contains(r"^FR[0-9A-Z]{2}[0-9]{9}$"))
        .then(pl.lit("FR:") + key.str.slice(4, 9))
        .when(key.str.contains(r"^[0-9]{9}$|^[0-9]{14}$"))
        .then(pl.lit("FR:") + key.str.slice(0, 9))
        .otherwise(key)
    )


def looks_like_id(key: pl.Expr) -> pl.Expr:
    """Whether a key (id_key's form) is an enterprise or VAT number rather than a name: a country
    prefix and at least four digits among at most 14 letters and digits, or 9 to 14 digits."""
    prefixed = key.str.contains(r"^[A-Z]{2}[0-9A-Z]{2,14}$") & (
        key.str.count_matches(r"[0-9]") >= 4
    )
    return (prefixed | key.str.contains(r"^[0-9]{9,14}$")).fill_null(False)
