"""Reference tables loaded from the data files."""

from __future__ import annotations

from finance.store.queries.catalogue import define

define(
    "reference.categories",
    "Every category and its default Tax Shelter class, sorted by category.",
    "SELECT category, ts_class FROM categories ORDER BY category",
)
define("reference.clear_categories", "Empty the categories table.", "DELETE FROM categories")
define(
    "reference.insert_category",
    "Add a category (positional: category, ts_class).",
    "INSERT INTO categories (category, ts_class) VALUES (?, ?)",
)
