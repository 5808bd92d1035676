"""Load a devis (budget) file as a new version of the production's budget.

A devis is small (a few hundred lines) and must be right: any invalid line rejects the whole
file. The newest loaded version is the current budget; loading the same file again does nothing;
loading new content under an existing version label replaces that version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from finance.classify.categories import classify_budget_lines
from finance.domain import i18n
from finance.domain.codes import PLANNED_TERRITORY, chapter_of, normalize_code
from finance.domain.money import ABOVE_MAX, MAX_MONEY
from finance.domain.parsing import (
    BUDGET_HEADER_ALIASES,
    detect_decimal_mark,
    parse_amount,
)
from finance.domain.validate import Check, run_checks, to_problems
from finance.importers.tabular import file_sha256, raw_columns, read_table
from finance.store import queries
from finance.store.audit import record
from finance.store.batches import Batch, new_batch
from finance.store.db import connect, transaction
from finance.store.productions import get_manifest
from finance.store.reference import category_defaults

REQUIRED = ("code", "label", "amount")
OPTIONAL = ("chapter", "category", "ts_class", "territory")
TS_CLASSES = ("direct", "indirect", "producer_fee", "excluded")


@dataclass(frozen=True)
class BudgetOutcome:
    """What `import budget` did."""

    production_id: str
    version: str
    action: str  # created | replaced | unchanged
    lines: int
    total: str
    batch_id: int | None = None


def _typed(raw: pl.DataFrame, layout_id: str) -> pl.DataFrame:
    """Typed lines with category and Tax Shelter class resolved, each with its reason."""
    col = pl.col
    typed = raw.with_columns(
        normalize_code(col("raw_code")).alias("code"),
        col("raw_label").str.strip_chars().alias("label"),
        parse_amount(col("raw_amount"), detect_decimal_mark(raw["raw_amount"])).alias("amount"),
        col("raw_category").str.strip_chars().str.to_lowercase().alias("given_category"),
        col("raw_ts_class").str.strip_chars().str.to_lowercase().alias("given_ts_class"),
        col("raw_territory").str.strip_chars().str.to_uppercase().alias("territory"),
    ).with_columns(chapter_of(col("code")).alias("chapter_code"))
    return classify_budget_lines(typed, layout_id)


def _checks() -> list[Check]:
    col = pl.col
    categories = sorted(category_defaults())
    return [
        *(Check(c, col(f"raw_{c}").is_null(), "required, but empty") for c in REQUIRED),
        Check(
            "amount",
            col("raw_amount").is_not_null() & col("amount").is_null(),
            "not an amount with at most 2 decimals",
        ),
        Check("amount", col("amount").abs() > MAX_MONEY, ABOVE_MAX),
        Check(
            "code",
            col("code").is_not_null() & col("code").is_duplicated(),
            "the same line code appears twice in the devis",
        ),
        Check(
            "category",
            col("given_category").is_not_null() & ~col("given_category").is_in(categories),
            f"unknown category (one of: {', '.join(categories)})",
        ),
        Check(
            "ts_class",
            col("given_ts_class").is_not_null() & ~col("given_ts_class").is_in(TS_CLASSES),
            f"unknown Tax Shelter class (one of: {', '.join(TS_CLASSES)})",
        ),
        Check(
            "territory",
            col("territory").is_not_null() & ~col("territory").str.contains(PLANNED_TERRITORY),
            "unknown territory (BE-BRU, BE-WAL, BE-VLG, FR, FR-<dept>, EEA, OTHER)",
        ),
    ]


def read_budget(path: Path, layout_id: str = "cnc") -> tuple[pl.DataFrame, str, str | None]:
    """Typed devis lines, the file name and sheet; a UserError lists every bad line."""
    table = read_table(path)
    raw = raw_columns(table, BUDGET_HEADER_ALIASES, REQUIRED, OPTIONAL, "error.budget.headers")
    lines = _typed(raw, layout_id)
    found = run_checks(lines, _checks())
    if found.height:
        raise i18n.error(
            "error.budget.invalid_lines",
            to_problems(found, table.file, table.sheet),
            name=table.file,
            count=str(found["_row"].n_unique()),
        )
    if lines.height == 0:
        raise i18n.error("error.budget.empty", name=table.file)
    return lines, table.file, table.sheet


def _next_label(con: duckdb.DuckDBPyConnection, production_id: str) -> str:
    n = queries.value(con, "budget.version_count", {"pid": production_id})
    return f"v{int(n) + 1}"


def _store(
    con: duckdb.DuckDBPyConnection,
    production_id: str,
    version: str,
    lines: pl.DataFrame,
    file: str,
    sheet: str | None,
    sha: str,
) -> int:
    now = datetime.now(UTC).replace(tzinfo=None)
    batch = Batch(
        production_id,
        "budget",
        file,
        sha,
        "canonical_budget",
        lines.height,
        lines.height,
        sheet=sheet,
        version_label=version,
    )
    batch_id = new_batch(con, batch)
    target = {"pid": production_id, "version": version}
    queries.execute(con, "budget.delete_lines", target)
    queries.execute(con, "budget.delete_version", target)
    queries.execute(
        con, "budget.insert_version", {**target, "batch_id": batch_id, "loaded_at": now}
    )
    con.register("lines", lines)
    queries.execute(
        con,
        "budget.insert_lines",
        {**target, "batch_id": batch_id, "file": file, "sheet": sheet},
    )
    con.unregister("lines")
    return batch_id


def import_budget(
    db: Path | None, production_id: str, path: Path, version: str | None = None
) -> BudgetOutcome:
    """Load a devis file as a budget version (see module docstring)."""
    if not path.is_file():
        raise i18n.error("error.file.not_found", name=str(path))
    sha = file_sha256(path)
    with connect(db) as con:
        manifest = get_manifest(con, production_id)
        same = queries.one(con, "budget.same_file", {"pid": production_id, "sha": sha})
    lines, file, sheet = read_budget(path, manifest.layout)
    total = f"{lines['amount'].sum():.2f}"
    if same and (version is None or version == same[0]):
        return BudgetOutcome(production_id, str(same[0]), "unchanged", lines.height, total)
    with connect(db) as con, transaction(con):
        label = version or _next_label(con, production_id)
        exists = queries.one(con, "budget.version_exists", {"pid": production_id, "version": label})
        batch_id = _store(con, production_id, label, lines, file, sheet, sha)
        record(
            con,
            "import.budget",
            production_id,
            file,
            {
                "version": label,
                "lines": lines.height,
                "total": total,
                "batch_id": batch_id,
                "file_sha256": sha,
                "replaced": bool(exists),
            },
        )
    return BudgetOutcome(
        production_id, label, "replaced" if exists else "created", lines.height, total, batch_id
    )
