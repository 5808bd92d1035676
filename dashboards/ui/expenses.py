"""The Expenses page's query: every filter is a SQL condition; only a page of rows is read."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from dashboards.ui import data
from finance.classify.overrides import FIELDS

__all__ = ["FIELDS", "apply_override", "filtered_expenses", "options"]

COLUMNS = (
    "id, doc_date, supplier, supplier_vat, country, postcode, territory, budget_code, chapter_code, "
    "category, status, amount, currency, invoice_ref, source_file, source_row"
)


def options(production: str) -> dict[str, list[str]]:
    """Values offered by the filters."""
    v = data.version()
    out = {}
    for column in ("territory", "chapter_code"):
        frame = data.query(
            v,
            f"SELECT DISTINCT {column} AS v FROM v_expenses WHERE production_id = $p "
            f"AND {column} IS NOT NULL ORDER BY 1",
            (("p", production),),
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
) -> tuple[pl.DataFrame, int]:
    """The first `limit` matching expenses and how many match in all."""
    where = ["production_id = $p", "doc_date <= $at"]
    params: dict[str, Any] = {"p": production, "at": at}
    for column, values in (
        ("territory", territories),
        ("chapter_code", chapters),
        ("status", statuses),
    ):
        if values:
            where.append(f"{column} IN (SELECT unnest(${column}))")
            params[column] = values
    if schemes:
        relation = data.eligibility_at(data.version(), production, at)
        where.append(
            f"id IN (SELECT expense_id FROM {relation} WHERE production_id = $pid AND counts "
            "AND scheme IN (SELECT unnest($schemes)))"
        )
        params.update(schemes=schemes, pid=production)
    if search.strip():
        where.append(
            "(supplier ILIKE $q OR invoice_ref ILIKE $q OR supplier_vat ILIKE $q OR description ILIKE $q)"
        )
        params["q"] = f"%{search.strip()}%"
    if len(dates) == 2:
        where.append("doc_date BETWEEN $d0 AND $d1")
        params["d0"], params["d1"] = dates
    sql_where = " AND ".join(where)
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    count = data.query(
        data.version(), f"SELECT count(*) AS n FROM v_expenses WHERE {sql_where}", key
    )
    rows = data.query(
        data.version(),
        f"SELECT {COLUMNS} FROM v_expenses WHERE {sql_where} "
        f"ORDER BY doc_date, id LIMIT {int(limit)}",
        key,
    )
    return rows, int(count["n"][0])


def apply_override(
    production: str, ids: str, field: str, value: str, reason: str
) -> tuple[str, bool]:
    """Correct a classification from the form; the message to show and whether it worked."""
    from finance.classify.overrides import override, parse_ids
    from finance.domain.errors import UserError

    try:
        outcome = override(data.db_path(), production, parse_ids(ids), field, value, reason)
    except UserError as exc:
        return str(exc), False
    data.clear()
    return f"{outcome.changed.height} → {outcome.field} = {outcome.value}", True


def territorial_schemes(production: str) -> list[str]:
    """The plan's schemes that test expenses (those the scheme filter can use)."""
    from rules.engine import active_packs

    manifest = data.manifest(data.version(), production)
    return sorted(s for s, p in active_packs(manifest).items() if p.eligibility is not None)
