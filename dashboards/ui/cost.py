"""The cost report as a producer reads it (issue 18, point 3): one table with each chapter's
sub-total row above its lines and a TOTAL row under them, the variance and the percent spent
beside the codes (pinned, seen without scrolling), headers in the reader's language; a row
clicked opens its expenses (dates as dates, statuses in words); the table exported as XLSX
with money as numbers.

Texts: data/messages/ui_cost.yaml (headers) and ui_burn.yaml (levels, drill-down, export).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl
import streamlit as st
import xlsxwriter
from streamlit.elements.lib.column_types import ColumnConfig

from dashboards.ui import data
from dashboards.ui.i18n import lang, t
from dashboards.ui.territories import named
from finance.domain import i18n
from finance.domain.fmt import fmt_count, fmt_money, money_text
from finance.reports.cost_report import FIGURES, CostReport, chapter_names

#: the report's columns and their headers' message keys
HEADERS = {
    "chapter_code": "cost.col.chapter_code",
    "chapter_label": "cost.col.chapter_label",
    "code": "cost.col.code",
    "label": "cost.col.label",
    "budget": "budget",
    "actual": "actual",
    "committed": "committed",
    "estimate_to_complete": "cost.col.estimate_to_complete",
    "estimate_at_completion": "cost.col.estimate_at_completion",
    "variance": "variance",
    "pct_spent": "pct_spent",
    "expenses": "cost.col.expenses",
    "level": "cost.col.level",
}
#: the table's columns, left to right: the flag, the code and label, then the variance and the
#: percent spent (seen without scrolling), the other figures, the count and the row's level
COLUMNS = (
    "over",
    "code",
    "label",
    "variance",
    "pct_spent",
    "budget",
    "actual",
    "committed",
    "estimate_to_complete",
    "estimate_at_completion",
    "expenses",
    "level",
)
#: the columns that stay on screen when the table scrolls sideways
PINNED = ("code", "label", "variance", "pct_spent")
#: the drill-down's rows at most (the count and total above it are of every row)
DRILL_ROWS = 2000


def headed(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with its known columns' headers in the reader's language."""
    return frame.rename({c: t(k) for c, k in HEADERS.items() if c in frame.columns})


def report_rows(report: CostReport) -> pl.DataFrame:
    """The report as one frame, figures exact: each chapter's sub-total row (`kind` chapter,
    its label in capitals) above its lines (`kind` line), then the TOTAL row (`kind` total);
    `key` is the chapter's or the line's code."""
    lines = report.lines.with_row_index("order")
    # the chapters named in the reader's language (the layout's names), the lines as the devis
    names = chapter_names(report, lang())
    chapter_order = lines.group_by("chapter_code").agg(
        pl.col("order").min(), pl.col("expenses").sum()
    )
    chapters = report.chapters.join(chapter_order, on="chapter_code", how="left").select(
        pl.lit("chapter").alias("kind"),
        pl.col("chapter_code").alias("key"),
        pl.col("order"),
        pl.lit(0).alias("rank"),
        pl.col("chapter_code").alias("code"),
        pl.col("chapter_code")
        .replace_strict(names, return_dtype=pl.String)
        .str.to_uppercase()
        .alias("label"),
        *FIGURES,
        "pct_spent",
        "expenses",
    )
    detail = lines.select(
        pl.lit("line").alias("kind"),
        pl.col("code").alias("key"),
        pl.col("order"),
        pl.lit(1).alias("rank"),
        "code",
        "label",
        *FIGURES,
        "pct_spent",
        "expenses",
    )
    totals = report.totals
    budget = totals["budget"]
    total = pl.DataFrame(
        [
            {
                "kind": "total",
                "key": "",
                "order": lines.height,
                "rank": 2,
                "code": t("cost.total"),
                "label": "",
                **{c: totals[c] for c in FIGURES},
                "pct_spent": (totals["actual"] * 100 / budget).quantize(Decimal("0.1"))
                if budget
                else None,
                "expenses": int(report.lines["expenses"].sum()),
            }
        ]
    )
    rows = pl.concat([chapters, detail, total.cast(detail.schema)], how="vertical_relaxed")
    return rows.sort("order", "rank").drop("order", "rank")


def _pct_text(column: pl.Expr, code: str) -> pl.Expr:
    """A percentage (one decimal) as the reader writes it: `84,3 %`, `84.3%` in English."""
    text = column.cast(pl.String)
    if code == "en":
        return text + pl.lit("%")
    return text.str.replace(".", ",", literal=True) + pl.lit("\u00a0%")


def shown(rows: pl.DataFrame) -> pl.DataFrame:
    """The rows as the page shows them: money in the reader's format, the percent spent with
    its sign, the level and the over-budget flag in words, headers translated."""
    code = lang()
    levels = {k: t(f"cost.level.{k}") for k in ("chapter", "line", "total")}
    return headed(
        rows.select(
            pl.when(pl.col("variance") < 0)
            .then(pl.lit(f"⚠ {t('cost.over')}"))
            .otherwise(pl.lit(""))
            .alias(t("over_budget")),
            "code",
            "label",
            *(money_text(pl.col(c), code).alias(c) for c in ("variance",)),
            _pct_text(pl.col("pct_spent"), code).alias("pct_spent"),
            *(money_text(pl.col(c), code).alias(c) for c in FIGURES if c != "variance"),
            pl.col("expenses").cast(pl.Int64),
            pl.col("kind").replace_strict(levels, return_dtype=pl.String).alias("level"),
        )
    )


def column_config() -> dict[str, ColumnConfig]:
    """The pinned columns (code, label, variance, percent spent) and the figures' alignment."""
    config: dict[str, ColumnConfig] = {
        t(HEADERS[c]): st.column_config.Column(pinned=True, alignment="right")
        for c in ("variance", "pct_spent")
    }
    config[t(HEADERS["code"])] = st.column_config.Column(pinned=True)
    config[t(HEADERS["label"])] = st.column_config.Column(pinned=True, width="medium")
    config |= {
        t(HEADERS[c]): st.column_config.Column(alignment="right")
        for c in FIGURES
        if c != "variance"
    }
    return config


@dataclass(frozen=True)
class Drill:
    """The expenses under a chapter or a line of the report."""

    title: str
    actual_count: int
    actual_total: Decimal
    committed_count: int
    committed_total: Decimal
    expenses: pl.DataFrame


def drill(report: CostReport, kind: str, key: str) -> Drill | None:
    """The expenses of the row clicked: a chapter's (every line of it) or a line's; none for
    the TOTAL row. Their count and total per status (the actual total is the row's actual),
    and the first DRILL_ROWS of them by date."""
    if kind == "chapter":
        chosen = report.lines.filter(pl.col("chapter_code") == key)
        label = report.chapters.filter(pl.col("chapter_code") == key)["chapter_label"]
    elif kind == "line":
        chosen = report.lines.filter(pl.col("code") == key)
        label = chosen["label"]
    else:
        return None
    codes = tuple(chosen["code"].to_list())
    params = (("pid", report.production_id), ("at", report.at), ("codes", codes))
    totals = data.named(data.version(), "dashboard.cost_drill_totals", params)
    by_status = {s: (n, v) for s, n, v in totals.rows()}
    actual = by_status.get("actual", (0, Decimal(0)))
    committed = by_status.get("committed", (0, Decimal(0)))
    rows = data.named(data.version(), "dashboard.cost_drill", (*params, ("limit", DRILL_ROWS)))
    title = f"{key} · {label[0] if label.len() and label[0] else ''}".rstrip(" ·")
    return Drill(title, actual[0], Decimal(actual[1]), committed[0], Decimal(committed[1]), rows)


def drill_table(expenses: pl.DataFrame) -> pl.DataFrame:
    """A drill-down's expenses as the reader reads them: dates as dates in the language's
    format, statuses and territories in words, amounts in the language's format, headers in
    words, a dash where a value is missing."""
    code = lang()
    statuses = {s: t(f"cost.drill.status.{s}") for s in ("actual", "committed")}
    return (
        named(expenses)
        .select(
            pl.col("doc_date").dt.strftime("%Y-%m-%d" if code == "en" else "%d/%m/%Y"),
            pl.col("budget_code"),
            pl.col("supplier").fill_null("–"),
            pl.col("invoice_ref").fill_null("–"),
            pl.col("status").replace_strict(
                statuses, default=pl.col("status"), return_dtype=pl.String
            ),
            money_text(pl.col("amount"), code).alias("amount"),
            pl.col("territory").fill_null("–"),
            pl.col("source_file"),
            pl.col("source_row"),
        )
        .rename({c: t(f"cost.drill.col.{c}") for c in expenses.columns})
    )


def drill_caption(found: Drill, currency: str) -> str:
    """`36 dépenses réelles : 37 925,75 € · 0 engagement : 0,00 €` (the count and total of
    every expense of the row, not only of the rows shown)."""
    code = lang()
    return i18n.text(
        "cost.drill.summary",
        code,
        actual_n=fmt_count(found.actual_count, code),
        actual=fmt_money(found.actual_total, code, currency),
        committed_n=fmt_count(found.committed_count, code),
        committed=fmt_money(found.committed_total, code, currency),
    )


def xlsx_name(production: str, at: date) -> str:
    """The export's dated file name: `dernier-tram-cost-report-2026-11-22.xlsx`."""
    return f"{production}-cost-report-{at.isoformat()}.xlsx"


def xlsx_bytes(rows: pl.DataFrame, title: str) -> bytes:
    """The report's table as a workbook: headers in the reader's language, money as numbers
    with a euro format (not text), the percent spent as a percentage, the chapters' sub-totals
    and the TOTAL in bold."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(t("cost_report")[:31])
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": '#,##0.00 "€";-#,##0.00 "€"'})
    money_bold = book.add_format({"num_format": '#,##0.00 "€";-#,##0.00 "€"', "bold": True})
    pct = book.add_format({"num_format": "0.0%"})
    pct_bold = book.add_format({"num_format": "0.0%", "bold": True})
    columns = [c for c in COLUMNS if c != "over"]
    sheet.write(0, 0, title, bold)
    for j, column in enumerate(columns):
        sheet.write(2, j, t(HEADERS[column]), bold)
    figures = [c for c in columns if c != "level"]
    for i, row in enumerate(rows.select("kind", *figures).iter_rows(named=True), start=3):
        strong = row["kind"] != "line"
        for j, column in enumerate(columns):
            value = row.get(column)
            if column == "level":
                sheet.write(i, j, t(f"cost.level.{row['kind']}"), bold if strong else None)
            elif value is None:
                sheet.write_blank(i, j, None)
            elif column in FIGURES:
                sheet.write_number(i, j, float(value), money_bold if strong else money)
            elif column == "pct_spent":
                sheet.write_number(i, j, float(value) / 100, pct_bold if strong else pct)
            elif column == "expenses":
                sheet.write_number(i, j, int(value), bold if strong else None)
            else:
                sheet.write(i, j, value, bold if strong else None)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 42)
    sheet.set_column(2, len(columns) - 1, 16)
    sheet.freeze_panes(3, 2)
    book.close()
    return out.getvalue()
