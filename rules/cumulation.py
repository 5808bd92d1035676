"""Double counting: expenses that count for two schemes of an exclusive pair (policy.yaml)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from finance.manifest import load_yaml
from rules.loader import packs_root


def exclusive_pairs() -> tuple[tuple[str, str], ...]:
    """Sorted scheme pairs that may not share an expense (from the packs folder in use)."""
    return _pairs(packs_root() / "cumulation" / "policy.yaml")


@cache
def _pairs(policy: Path) -> tuple[tuple[str, str], ...]:
    data: Any = load_yaml(policy)
    return tuple(
        sorted(tuple(sorted(p["schemes"])) for p in data["pairs"] if p["policy"] == "exclusive")
    )


def overlaps(con: duckdb.DuckDBPyConnection, production_id: str) -> pl.DataFrame:
    """One row per expense counted by an exclusive pair: id, amount, the two schemes."""
    pairs = pl.DataFrame(list(exclusive_pairs()), schema=["first", "second"], orient="row")
    con.register("exclusive_pairs", pairs)
    try:
        frame: pl.DataFrame = con.sql(
            """
            SELECT a.expense_id, any_value(a.amount) AS amount,
                   string_agg(DISTINCT a.scheme || '+' || b.scheme, ', ') AS schemes
            FROM eligibility a JOIN eligibility b
              ON a.production_id = b.production_id AND a.expense_id = b.expense_id AND a.scheme < b.scheme
            JOIN exclusive_pairs p ON p.first = a.scheme AND p.second = b.scheme
            WHERE a.production_id = $pid AND a.counts AND b.counts AND a.status = 'actual'
            GROUP BY a.expense_id ORDER BY a.expense_id
        """,
            params={"pid": production_id},
        ).pl()
        return frame
    finally:
        con.unregister("exclusive_pairs")


def overlap_total(frame: pl.DataFrame) -> Decimal:
    total = frame["amount"].sum() if frame.height else 0
    return Decimal(total or 0)
