"""Reference tables the SQL needs, loaded from the data files (the data files are the truth)."""

from __future__ import annotations

from functools import cache

import duckdb
import yaml

from finance import DATA_DIR


@cache
def category_defaults() -> dict[str, str]:
    """category -> default Tax Shelter class, from data/taxonomy/categories.yaml."""
    data = yaml.safe_load((DATA_DIR / "taxonomy" / "categories.yaml").read_text(encoding="utf-8"))
    return {name: spec["ts_class"] for name, spec in data["categories"].items()}


def sync_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Make the `categories` table match the taxonomy file (cheap: a few dozen rows)."""
    rows = sorted(category_defaults().items())
    current = con.execute("SELECT category, ts_class FROM categories ORDER BY 1").fetchall()
    if current == rows:
        return
    con.execute("DELETE FROM categories")
    con.executemany("INSERT INTO categories (category, ts_class) VALUES (?, ?)", rows)
