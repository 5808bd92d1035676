"""Column-mapping profiles: a small YAML file maps another tool's export (CSV or XLSX) to the
canonical expense layout; the rows then go through the same typing and checks as any file.
Shipped profiles live in data/profiles/; a user can write their own and pass it with --profile."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl
from pydantic import BaseModel, ConfigDict, ValidationError

from finance import DATA_DIR
from finance.domain.errors import UserError
from finance.domain.manifest import load_yaml, validation_problems
from finance.domain.parsing import normalize_header
from finance.importers.base import EXPENSE_SCHEMA, Extracted
from finance.importers.canonical import type_and_check
from finance.importers.tabular import read_header, read_table

PROFILES = DATA_DIR / "profiles"


class Profile(BaseModel):
    """Which source header feeds which canonical column, and constants for the others."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title: str
    detect: list[str] = []
    columns: dict[str, str]
    constants: dict[str, str] = {}


def load_profile(path: Path) -> Profile:
    """A profile file, validated; unknown canonical columns are errors."""
    try:
        profile = Profile.model_validate(load_yaml(path))
    except ValidationError as exc:
        raise UserError(
            f"{path.name}: invalid profile", validation_problems(exc, path.name)
        ) from None
    unknown = sorted(set(profile.columns) | set(profile.constants) - set(EXPENSE_SCHEMA))
    unknown = [c for c in unknown if c not in EXPENSE_SCHEMA]
    if unknown:
        raise UserError(f"{path.name}: not canonical expense columns: {', '.join(unknown)}")
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


def extract_with(profile: Profile, path: Path, currency: str) -> Extracted:
    """Rename the source columns, add the constants, then type and check as the canonical layout."""
    table = read_table(path)
    by_header = {normalize_header(c): c for c in table.frame.columns if c != "_row"}
    missing = [h for h in profile.columns.values() if normalize_header(h) not in by_header]
    if missing:
        raise UserError(
            f"{table.file}: does not fit profile {profile.id} (missing columns: {', '.join(missing)})"
        )
    raw = table.frame.select(
        "_row",
        *(pl.col(by_header[normalize_header(h)]).alias(c) for c, h in profile.columns.items()),
    )
    raw = raw.with_columns(
        pl.lit(v).alias(c) for c, v in profile.constants.items() if c not in raw.columns
    )
    raw = raw.with_columns(
        pl.lit(None, pl.String).alias(c) for c in EXPENSE_SCHEMA if c not in raw.columns
    )
    typed, problems = type_and_check(raw.select("_row", *EXPENSE_SCHEMA), currency)
    fmt = f"profile_{profile.id}"
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
    )
