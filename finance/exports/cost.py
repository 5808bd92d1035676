"""The final cost statement (coût définitif): the devis against actual by CNC chapter, with the
split by country (France, Belgium, other) the CNC asks for; the financing plan and the cash-flow
plan beside it (finance/exports/cashplan.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl

from finance.domain import i18n
from finance.exports.cashplan import plan_sheets
from finance.exports.labels import sheet_name
from finance.exports.writer import Writer
from finance.financing.run import financing_view
from finance.reports.cost_report import chapter_names, cost_report
from finance.store import queries
from finance.store.db import connect

#: the statement's columns, said by the catalogue's `export.cost.col.<key>`
COLUMN_KEYS = ("chapter", "label", "budget", "actual", "france", "belgium", "other", "difference")


def cost_frame(db: Path | None, production_id: str, at: date, lang: str = "fr") -> pl.DataFrame:
    """Chapter by chapter: budget, actual, and actual by country group (chapter names in
    `lang`)."""
    report = cost_report(db, production_id, at)
    names = chapter_names(report, lang)
    with connect(db, read_only=True) as con:
        split = queries.frame(con, "figures.actual_by_country", {"pid": production_id, "at": at})
    chapters = report.chapters.with_columns(
        pl.col("chapter_code").replace_strict(names, return_dtype=pl.String).alias("chapter_label")
    )
    frame = chapters.select("chapter_code", "chapter_label", "budget", "actual").join(
        split, on="chapter_code", how="left"
    )
    money = ("france", "belgium", "other")
    return frame.with_columns(pl.col(c).fill_null(Decimal(0)) for c in money).with_columns(
        (pl.col("budget") - pl.col("actual")).alias("difference")
    )


def write_cost_statement(
    db: Path | None, production_id: str, at: date, out: Path, lang: str = "fr"
) -> Decimal:
    """Write the statement; returns the actual total (the same as the cost report's)."""
    frame = cost_frame(db, production_id, at, lang)
    w = Writer(out, lang)
    sheet = w.book.add_worksheet(sheet_name("cost", lang))
    headers = [i18n.text(f"export.cost.col.{k}", lang) for k in COLUMN_KEYS]
    for col, text in enumerate(headers):
        sheet.write_string(0, col, text, w.head)
        sheet.set_column(col, col, 34 if col == 1 else 16)
    sheet.freeze_panes(1, 0)
    keys = ["budget", "actual", "france", "belgium", "other", "difference"]
    for row, r in enumerate(frame.iter_rows(named=True), start=1):
        sheet.write_string(row, 0, str(r["chapter_code"]))
        sheet.write_string(row, 1, str(r["chapter_label"] or ""))
        for col, key in enumerate(keys, start=2):
            w.cell(sheet, row, col, r[key], "money")
    last = frame.height
    sheet.write_string(last + 1, 1, i18n.text("report.total", lang), w.bold)
    for col, key in enumerate(keys, start=2):
        letter = chr(ord("A") + col)
        sheet.write_formula(
            last + 1,
            col,
            f"=SUM({letter}2:{letter}{last + 1})",
            w.bold_money,
            float(Decimal(frame[key].sum() or 0)),
        )
    with connect(db, read_only=True) as con:
        title = str(queries.value(con, "productions.title", {"id": production_id}))
    plan_sheets(w, financing_view(db, production_id, at), title)
    w.book.close()
    return Decimal(frame["actual"].sum() or 0)
