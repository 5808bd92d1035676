"""The Expenses page's query: every filter is a bound parameter of one named query (off when
empty); only a page of rows is read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from dashboards.ui import data
from finance.classify.overrides import FIELDS, override, parse_ids
from finance.domain.errors import UserError
from finance.store.queries.dashboard import OPTION_COLUMNS
from rules.engine import active_packs

__all__ = ["FIELDS", "apply_override", "filtered_expenses", "options"]


def options(production: str) -> dict[str, list[str]]:
    """Values offered by the filters."""
    v = data.version()
    out = {}
    for column in OPTION_COLUMNS:
        frame = data.named(
            v, "dashboard.expense_options", (("pid", production),), (("column", column),)
        )
        out[column] = [str(x) for x in frame["v"].to_list()]
    out["scheme"] = territorial_schemes(production)
    return out


def filtered_expenses(
    production: str,
    territories: list[str],
    chapters: list[str],
    statuses: list[str],
    schemes: list[str],
    search: str,
    dates: tuple[Any, ...],
    at: date,
    limit: int = 1000,
    offset: int = 0,
) -> tuple[pl.DataFrame, int, Decimal]:
    """A page of `limit` matching expenses from row `offset`, how many match in all and their
    total."""
    params: dict[str, Any] = {
        "pid": production,
        "at": at,
        "territories": tuple(territories),
        "chapters": tuple(chapters),
        "statuses": tuple(statuses),
        "q": f"%{search.strip()}%" if search.strip() else None,
        "d0": dates[0] if len(dates) == 2 else None,
        "d1": dates[1] if len(dates) == 2 else None,
    }
    count_name, page_name = "dashboard.expenses_count", "dashboard.expenses_page"
    parts: data.Pairs = ()
    if schemes:
        relation = data.eligibility_at(data.version(), production, at)
        count_name += "_in_schemes"
        page_name += "_in_schemes"
        params["schemes"] = tuple(schemes)
        parts = (("relation", relation),)
    key = tuple(sorted(params.items()))
    count = data.named(data.version(), count_name, key, parts)
    page = (*key, ("limit", int(limit)), ("offset", int(offset)))
    rows = data.named(data.version(), page_name, page, parts)
    return rows, int(count["n"][0]), Decimal(count["total"][0])


def expense_count(production: str, at: date) -> int:
    """How many expenses the production has as at `at` (no filter)."""
    return filtered_expenses(production, [], [], [], [], "", (), at, limit=0)[1]


def apply_override(
    production: str, ids: str, field: str, value: str, reason: str
) -> tuple[str, bool]:
    """Correct a classification from the form; the message to show and whether it worked."""
    try:
        outcome = override(data.db_path(), production, parse_ids(ids), field, value, reason)
    except UserError as exc:
        return str(exc), False
    data.clear()
    return f"{outcome.changed.height} → {outcome.field} = {outcome.value}", True


def territorial_schemes(production: str) -> list[str]:
    """The plan's schemes that test expenses (those the scheme filter can use)."""
    manifest = data.manifest(data.version(), production)
    return sorted(s for s, p in active_packs(manifest).items() if p.eligibility is not None)
