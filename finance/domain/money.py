"""Exact money: Decimal in Python, DECIMAL(18,2) in DuckDB, pl.Decimal(18, 2) in polars.

Rounding happens once, half away from zero, at the figure a user or funder sees.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import polars as pl

#: The one money type of the frames.
MONEY = pl.Decimal(18, 2)
#: Exchange rates keep more precision than money.
RATE = pl.Decimal(18, 8)
#: SQL spelling of the same types.
SQL_MONEY = "DECIMAL(18,2)"
SQL_RATE = "DECIMAL(18,8)"

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value: Decimal | int | str) -> Decimal:
    """Round to the cent, half away from zero (ROUND_HALF_UP is away from zero in Decimal)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money_str(value: Decimal | int | str | None) -> str | None:
    """The JSON form of money: a string with exactly two decimals, never a float."""
    if value is None:
        return None
    return f"{to_money(value):.2f}"
