"""The Expenses page's query and words: every filter is a bound parameter of one named query
(off when empty), only a page of rows is read; the filters' options in words (chapters with
their names in numeric order, territories by name, schemes and statuses in words), the filtered
view as CSV or XLSX, and corrections of the rows a user selects, said in the user's language."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
import streamlit as st

from dashboards.ui import data
from dashboards.ui.i18n import lang, t
from dashboards.ui.territories import territory_names
from dashboards.ui.view import money_table
from finance.classify.overrides import FIELDS, MIN_REASON, normalize_value, override
from finance.domain import i18n
from finance.domain.errors import UserError
from finance.domain.layout import load_layout
from finance.domain.packs import scheme_label
from finance.domain.reasons import error_lines
from finance.store import queries
from finance.store.db import connect
from finance.store.queries.dashboard import EXPENSE_COLUMNS, OPTION_COLUMNS
from finance.store.reference import category_names
from rules.engine import active_packs

__all__ = [
    "FIELDS",
    "Filters",
    "apply_override",
    "export_csv",
    "export_maker",
    "export_xlsx",
    "filtered_expenses",
    "options",
    "selected_ids",
]

STATUSES = ("actual", "committed")
#: the money columns of the table (exported as numbers)
MONEY = ("amount",)
#: the table's columns (those with a header in words)
COLUMNS = tuple(c.strip() for c in EXPENSE_COLUMNS.split(","))


def options(production: str) -> dict[str, list[str]]:
    """Values offered by the filters (codes)."""
    v = data.version()
    out = {}
    for column in OPTION_COLUMNS:
        frame = data.named(
            v, "dashboard.expense_options", (("pid", production),), (("column", column),)
        )
        out[column] = [str(x) for x in frame["v"].to_list()]
    out["scheme"] = territorial_schemes(production)
    return out


def _numeric(code: str) -> tuple[Any, ...]:
    """A chapter or line code's sort key as numbers (`2` before `10`, `2.10` after `2.9`)."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\-\s]", code))


def chapter_labels(production: str, codes: Sequence[str]) -> dict[str, str]:
    """`2 · Personnel` -> `2` for each chapter code, in numeric order, with the layout's name in
    the user's language (the code alone when the layout has no such chapter)."""
    code = lang()
    layout = load_layout(data.manifest(data.version(), production).layout)
    names = {c.code: c.label.get(code) or c.label.get("en") or "" for c in layout.chapters}
    return {f"{c} · {names[c]}" if names.get(c) else c: c for c in sorted(codes, key=_numeric)}


def territory_labels(codes: Sequence[str]) -> dict[str, str]:
    """Each territory in words -> its code, by name (a French département as `France (75)`)."""
    names = territory_names([*codes, "FR"])
    for c in codes:
        if names[c] == c and c.startswith("FR-"):
            names[c] = f"{names['FR']} ({c[3:]})"
    return dict(sorted(((names[c], c) for c in codes), key=lambda p: p[0].casefold()))


def scheme_labels(schemes: Sequence[str]) -> dict[str, str]:
    """Each scheme by its pack's label in the user's language -> its id."""
    code = lang()
    return {scheme_label(s, code): s for s in schemes}


def status_labels() -> dict[str, str]:
    """Réel -> actual, Engagé -> committed (in the user's language)."""
    return {t(s): s for s in STATUSES}


def field_labels() -> dict[str, str]:
    """The fields a correction can change, in words -> their names."""
    return {t(f"expenses.fix.field.{f}"): f for f in FIELDS}


@dataclass(frozen=True)
class Filters:
    """The Expenses page's filters, as codes (the page maps its words back to these)."""

    territories: tuple[str, ...] = ()
    chapters: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    schemes: tuple[str, ...] = ()
    search: str = ""
    dates: tuple[Any, ...] = ()

    def any(self) -> bool:
        return bool(
            self.territories
            or self.chapters
            or self.statuses
            or self.schemes
            or self.search.strip()
            or self.dates
        )


def _query(
    production: str,
    chosen: Filters,
    at: date,
    only_ids: Sequence[int] | None,
) -> tuple[str, str, dict[str, Any], dict[str, str]]:
    """The count and page queries' names, their parameters (tuples for lists) and parts."""
    search = chosen.search.strip()
    params: dict[str, Any] = {
        "pid": production,
        "at": at,
        "territories": tuple(chosen.territories),
        "chapters": tuple(chosen.chapters),
        "statuses": tuple(chosen.statuses),
        "q": f"%{search}%" if search else None,
        "d0": chosen.dates[0] if len(chosen.dates) == 2 else None,
        "d1": chosen.dates[1] if len(chosen.dates) == 2 else None,
        "ids": tuple(int(i) for i in only_ids) if only_ids is not None else None,
    }
    count_name, page_name = "dashboard.expenses_count", "dashboard.expenses_page"
    parts: dict[str, str] = {}
    if chosen.schemes:
        parts["relation"] = data.eligibility_at(data.version(), production, at)
        count_name += "_in_schemes"
        page_name += "_in_schemes"
        params["schemes"] = tuple(chosen.schemes)
    return count_name, page_name, params, parts


def filtered_expenses(
    production: str,
    territories: Sequence[str],
    chapters: Sequence[str],
    statuses: Sequence[str],
    schemes: Sequence[str],
    search: str,
    dates: tuple[Any, ...],
    at: date,
    limit: int = 1000,
    offset: int = 0,
    only_ids: Sequence[int] | None = None,
) -> tuple[pl.DataFrame, int, Decimal]:
    """A page of `limit` matching expenses from row `offset`, how many match in all and their
    total. `only_ids`: a restriction before the filters (the expense ids to keep, such as a
    rule's evidence); None keeps every expense."""
    chosen = Filters(
        tuple(territories), tuple(chapters), tuple(statuses), tuple(schemes), search, dates
    )
    count_name, page_name, params, parts = _query(production, chosen, at, only_ids)
    key = tuple(sorted(params.items()))
    pairs = tuple(parts.items())
    count = data.named(data.version(), count_name, key, pairs)
    page = (*key, ("limit", int(limit)), ("offset", int(offset)))
    rows = data.named(data.version(), page_name, page, pairs)
    return rows, int(count["n"][0]), Decimal(count["total"][0])


def export_maker(
    production: str,
    chosen: Filters,
    at: date,
    total: int,
    suffix: str,
    only_ids: Sequence[int] | None = None,
) -> Callable[[], bytes]:
    """What makes the export of the whole filtered view (every row, not the page shown) as
    `csv` or `xlsx`, when the user clicks: Streamlit runs it on another thread, so the language,
    the headers and the query are settled here and it reads the database on its own."""
    _, page_name, params, parts = _query(production, chosen, at, only_ids)
    bound = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
    bound |= {"limit": max(total, 1), "offset": 0}
    names = {c: t(f"expenses.col.{c}") for c in COLUMNS}
    sheet, db = t("expenses"), data.db_path()

    def make() -> bytes:
        with connect(db, read_only=True) as con:
            rows = queries.frame(con, page_name, bound, parts)
        return export_csv(rows, names) if suffix == "csv" else export_xlsx(rows, names, sheet)

    return make


def shown(frame: pl.DataFrame) -> pl.DataFrame:
    """A page of rows as the table shows them: money in the user's format, statuses in words,
    headers in the user's language (the `id` column kept: corrections select by it)."""
    words = {code: word for word, code in status_labels().items()}
    table = money_table(frame)
    if "doc_date" in table.columns:  # a date, not a time (no 00:00:00)
        table = table.with_columns(pl.col("doc_date").cast(pl.Date))
    if "status" in table.columns:
        table = table.with_columns(
            pl.col("status").replace_strict(words, default=pl.col("status"), return_dtype=pl.String)
        )
    # the ledger's codes in words: territories by name, categories by the taxonomy's names
    named_as = {"category": category_names(lang())}
    if "territory" in table.columns:
        codes = [str(c) for c in table["territory"].drop_nulls().unique().to_list()]
        named_as["territory"] = {code: word for word, code in territory_labels(codes).items()}
    table = table.with_columns(
        pl.col(c).replace_strict(names, default=pl.col(c), return_dtype=pl.String)
        for c, names in named_as.items()
        if c in table.columns
    )
    return headed(table)


def date_columns() -> dict[str, Any]:
    """The table's date column shown as the user's locale writes a date."""
    return {t("expenses.col.doc_date"): st.column_config.DateColumn(format="DD/MM/YYYY")}


def headed(frame: pl.DataFrame) -> pl.DataFrame:
    """The columns under their headers in the user's language."""
    return frame.rename({c: t(f"expenses.col.{c}") for c in frame.columns})


def export_csv(frame: pl.DataFrame, names: Mapping[str, str]) -> bytes:
    """The rows as CSV (UTF-8 with a BOM, for spreadsheets): headers in words (`names`), money
    as exact numbers with a decimal point, dates as ISO dates."""
    return b"\xef\xbb\xbf" + _renamed(frame, names).write_csv(date_format="%Y-%m-%d").encode()


def export_xlsx(frame: pl.DataFrame, names: Mapping[str, str], sheet: str) -> bytes:
    """The rows as an XLSX sheet: headers in words (`names`), money as numbers with two
    decimals, dates as dates."""
    out = io.BytesIO()
    money = {names.get(c, c): "#,##0.00" for c in MONEY if c in frame.columns}
    dated = frame.with_columns(pl.col(c).cast(pl.Date) for c in ("doc_date",) if c in frame.columns)
    _renamed(dated, names).write_excel(
        out,
        worksheet=sheet,
        column_formats=money,  # type: ignore[arg-type]
        dtype_formats={pl.Date: "dd/mm/yyyy"},
        autofit=True,
    )
    return out.getvalue()


def _renamed(frame: pl.DataFrame, names: Mapping[str, str]) -> pl.DataFrame:
    return frame.rename({c: names[c] for c in frame.columns if c in names})


def export_name(production: str, today: date, suffix: str) -> str:
    """`dernier-tram-depenses-2026-11-22.csv`: the production, the page and the day."""
    return f"{production}-{t('expenses.file')}-{today.isoformat()}.{suffix}"


def expense_count(production: str, at: date) -> int:
    """How many expenses the production has as at `at` (no filter)."""
    return filtered_expenses(production, [], [], [], [], "", (), at, limit=0)[1]


def selected_ids(page: pl.DataFrame, rows: Sequence[int]) -> list[int]:
    """The expense ids of the rows selected in the table (positions in the page shown)."""
    ids = page["id"].to_list()
    return sorted({int(ids[r]) for r in rows if 0 <= r < len(ids)})


def apply_override(
    production: str, ids: Sequence[int], field: str, value: str, reason: str
) -> tuple[str, bool]:
    """Correct a classification of the selected expenses; the message to show, in the user's
    language, and whether it worked."""
    code = lang()
    if not ids:
        return t("expenses.fix.none"), False
    if len(reason.strip()) < MIN_REASON:
        return t("expenses.fix.reason"), False
    try:
        normalize_value(field, value)
    except UserError:
        return i18n.text(f"expenses.fix.bad.{field}", code, value=value.strip() or "∅"), False
    try:
        outcome = override(data.db_path(), production, list(ids), field, value, reason)
    except UserError as exc:
        return i18n.text("expenses.fix.failed", code, detail=error_lines(exc, code)[0]), False
    data.clear()
    return i18n.text(
        "expenses.fix.done",
        code,
        count=str(outcome.changed.height),
        field=t(f"expenses.fix.field.{outcome.field}"),
        value=outcome.value,
    ), True


def territorial_schemes(production: str) -> list[str]:
    """The plan's schemes that test expenses (those the scheme filter can use)."""
    manifest = data.manifest(data.version(), production)
    return sorted(s for s, p in active_packs(manifest).items() if p.eligibility is not None)
