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
#: the largest amount of money the tool accepts anywhere (a devis line, an expense once in the
#: production's currency, a manifest's amount, a receipt): one below a billion. Refused above it
#: at the door; every sum and product of the figures then fits the exact types (a million lines
#: at the bound stay within DECIMAL(18,2), and products are computed in DECIMAL(38,10)).
MAX_MONEY = Decimal("999999999.99")
#: the reason a row above it is refused with
ABOVE_MAX = "above the largest amount accepted (999,999,999.99)"


def to_money(value: Decimal | int | str) -> Decimal:
    """Round to the cent, half away from zero (ROUND_HALF_UP is away from zero in Decimal)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money_str(value: Decimal | int | str | None) -> str | None:
    """The JSON form of money: a string with exactly two decimals, never a float."""
    if value is None:
        return None
    return f"{to_money(value):.2f}"
