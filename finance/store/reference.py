"""Reference tables the SQL needs, loaded from the data files (the data files are the truth)."""

from __future__ import annotations

from functools import cache

import duckdb
import yaml

from finance import DATA_DIR
from finance.store import queries


@cache
def category_defaults() -> dict[str, str]:
    """category -> default Tax Shelter class, from data/taxonomy/categories.yaml."""
    data = yaml.safe_load((DATA_DIR / "taxonomy" / "categories.yaml").read_text(encoding="utf-8"))
    return {name: spec["ts_class"] for name, spec in data["categories"].items()}


@cache
def class_mapping_confidence() -> str:
    """How sure the taxonomy's category -> direct/indirect mapping is (its `confidence`)."""
    data = yaml.safe_load((DATA_DIR / "taxonomy" / "categories.yaml").read_text(encoding="utf-8"))
    return str(data.get("confidence", "unverified"))


def sync_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Make the `categories` table match the taxonomy file (cheap: a few dozen rows)."""
    rows = sorted(category_defaults().items())
    if queries.rows(con, "reference.categories") == rows:
        return
    queries.execute(con, "reference.clear_categories")
    queries.execute_many(con, "reference.insert_category", rows)
