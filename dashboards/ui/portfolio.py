"""The financiers' portfolio table: budget, spend and the latest status of every rule."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboards.ui import data
from dashboards.ui.view import money_table


def portfolio_table(at: date) -> pl.DataFrame:
    """One row per production as at `at`: its budget (the production budget), actual spend,
    percent spent and latest rule statuses (money formatted for display)."""
    frame = data.named(data.version(), "figures.portfolio", (("at", at),))
    return money_table(frame) if frame.height else frame
