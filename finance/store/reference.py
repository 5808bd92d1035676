"""Reference tables the SQL needs, loaded from the data files (the data files are the truth)."""

from __future__ import annotations

from functools import cache
from typing import Any

import duckdb
import yaml

from finance import DATA_DIR
from finance.store import queries


@cache
def _taxonomy() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (DATA_DIR / "taxonomy" / "categories.yaml").read_text(encoding="utf-8")
    )
    return data


def category_defaults() -> dict[str, str]:
    """category -> default Tax Shelter class, from data/taxonomy/categories.yaml."""
    return {name: spec["ts_class"] for name, spec in _taxonomy()["categories"].items()}


def category_names(lang: str) -> dict[str, str]:
    """category -> its name in `lang` (the taxonomy's label; the code where it has none)."""
    return {
        name: str(spec.get("label", {}).get(lang) or name)
        for name, spec in _taxonomy()["categories"].items()
    }


@cache
def class_mapping_confidence() -> str:
    """How sure the taxonomy's category -> direct/indirect mapping is (its `confidence`)."""
    return str(_taxonomy().get("confidence", "unverified"))


def sync_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Make the `categories` table match the taxonomy file (cheap: a few dozen rows)."""
    rows = sorted(category_defaults().items())
    if queries.rows(con, "reference.categories") == rows:
        return
    queries.execute(con, "reference.clear_categories")
    queries.execute_many(con, "reference.insert_category", rows)
