"""Double counting: expenses that count for two schemes of an exclusive pair (policy.yaml)."""

from __future__ import annotations

from datetime import date
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


def overlaps(
    con: duckdb.DuckDBPyConnection, relation: str, production_id: str, at: date
) -> pl.DataFrame:
    """One row per expense counted by an exclusive pair: id, amount, the pairs it breaks.

    One pass over the relation, grouped by expense with a flag per scheme (no self-join, which
    would compute the relation twice, and no per-expense lists, which cost more than the test)."""
    pairs = exclusive_pairs()
    schemes = sorted({s for pair in pairs for s in pair})
    if not pairs:
        return pl.DataFrame(
            schema={"expense_id": pl.Int64, "amount": pl.Decimal(18, 2), "schemes": pl.String}
        )
    flags = ", ".join(f"bool_or(scheme = '{s}') AS \"{s}\"" for s in schemes)
    broken = " OR ".join(f'("{a}" AND "{b}")' for a, b in pairs)
    names = ", ".join(f'CASE WHEN "{a}" AND "{b}" THEN \'{a}+{b}\' END' for a, b in pairs)
    frame: pl.DataFrame = con.sql(
        f"""
        SELECT expense_id, amount, concat_ws(', ', {names}) AS schemes
        FROM (SELECT expense_id, any_value(amount) AS amount, {flags}
              FROM {relation}
              WHERE production_id = $pid AND counts AND status = 'actual'
                AND scheme IN ({", ".join(f"'{s}'" for s in schemes)})
              GROUP BY expense_id HAVING count(*) >= 2)
        WHERE {broken}
        ORDER BY expense_id
        """,
        params={"pid": production_id, "at": at} if "$at" in relation else {"pid": production_id},
    ).pl()
    return frame


def overlap_total(frame: pl.DataFrame) -> Decimal:
    total = frame["amount"].sum() if frame.height else 0
    return Decimal(total or 0)
