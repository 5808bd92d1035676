"""Category and Tax Shelter class of each devis line, each with the reason it was chosen.

The devis may say both; otherwise the category is the chapter's default in the production's
chapter layout (data/layouts/), and the Tax Shelter class the category's default in the taxonomy
(data/taxonomy/categories.yaml). An expense inherits its line's choice unless it, or a user
correction, says otherwise (the `v_expenses` view records which).
"""

from __future__ import annotations

import polars as pl

from finance.domain.layout import load_layout
from finance.store.reference import category_defaults


def _layout_frame(layout_id: str) -> pl.DataFrame:
    layout = load_layout(layout_id)
    return pl.DataFrame(
        {
            "chapter_code": [c.code for c in layout.chapters],
            "layout_label": [c.label["fr"] for c in layout.chapters],
            "layout_category": [c.category for c in layout.chapters],
        }
    )


def classify_budget_lines(lines: pl.DataFrame, layout_id: str) -> pl.DataFrame:
    """`lines` (with `chapter_code`, `raw_chapter`, `given_category`, `given_ts_class`) with
    `chapter_label`, `category`, `category_reason`, `ts_class` and `ts_class_reason` added."""
    col = pl.col
    typed = lines.join(_layout_frame(layout_id), on="chapter_code", how="left")
    category = pl.coalesce(col("given_category"), col("layout_category"), pl.lit("other"))
    return typed.with_columns(
        pl.coalesce(col("raw_chapter").str.strip_chars(), col("layout_label")).alias(
            "chapter_label"
        ),
        category.alias("category"),
        pl.when(col("given_category").is_not_null())
        .then(pl.lit("set on the budget line"))
        .when(col("layout_category").is_not_null())
        .then(pl.format("chapter {} default (layout {})", col("chapter_code"), pl.lit(layout_id)))
        .otherwise(
            pl.format("chapter {} not in layout {}: other", col("chapter_code"), pl.lit(layout_id))
        )
        .alias("category_reason"),
        pl.coalesce(
            col("given_ts_class"), category.replace_strict(category_defaults(), default="indirect")
        ).alias("ts_class"),
        pl.when(col("given_ts_class").is_not_null())
        .then(pl.lit("set on the budget line"))
        .otherwise(pl.format("default for category {}", category))
        .alias("ts_class_reason"),
    )
