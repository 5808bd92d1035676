"""The cost report as the JSON of the contract (interfaces.md section 5) and as a text table."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from finance.domain import i18n
from finance.domain.fmt import aligned, fmt_date, fmt_money, fmt_pct, jsonable
from finance.reports.cost_report import FIGURES, CostReport, chapter_names

LINE_FIELDS = (
    "code",
    "label",
    "category",
    "ts_class",
    "territory",
    *FIGURES,
    "pct_spent",
    "expenses",
)


def _pct_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.1f}"


def _rows(frame: pl.DataFrame, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = frame.select([f for f in fields if f in frame.columns]).to_dicts()
    for row in rows:
        if "pct_spent" in row:
            row["pct_spent"] = _pct_text(row["pct_spent"])
    return rows


def report_json(report: CostReport) -> dict[str, Any]:
    """The report object: totals, chapters with their lines, burn (money as strings)."""
    chapters = []
    for chapter in _rows(report.chapters, ("chapter_code", "chapter_label", *FIGURES, "pct_spent")):
        code = chapter.pop("chapter_code")
        lines = report.lines.filter(pl.col("chapter_code") == code)
        chapters.append(
            {
                "code": code,
                "label": chapter.pop("chapter_label"),
                **chapter,
                "lines": _rows(lines, LINE_FIELDS),
            }
        )
    burn = report.burn
    data: dict[str, Any] = jsonable(
        {
            "production": report.production_id,
            "title": report.title,
            "currency": report.currency,
            "at": report.at,
            "budget_total": report.manifest_budget_total,
            "totals": {**report.totals, "pct_spent": _pct_text(burn.pct_budget_spent)},
            "chapters": chapters,
            "burn": {
                "weekly": report.weekly.to_dicts(),
                "trailing_4_weeks": burn.trailing_4_weeks,
                "remaining": burn.remaining,
                "budget_runs_out_on": burn.budget_runs_out_on,
                "pct_budget_spent": _pct_text(burn.pct_budget_spent),
                "pct_schedule_elapsed": _pct_text(burn.pct_schedule_elapsed),
            },
        }
    )
    return data


#: the columns of the text table, said by the catalogue's `report.col.<key>`
COLUMN_KEYS = (
    "code",
    "label",
    "budget",
    "actual",
    "committed",
    "etc",
    "eac",
    "variance",
    "pct_spent",
)


def _table_row(code: str, label: str, row: dict[str, Any], lang: str) -> list[str]:
    return [
        code,
        label[:38],
        *(fmt_money(row[f], lang) for f in FIGURES),
        fmt_pct(row.get("pct_spent"), lang),
    ]


def report_table(report: CostReport, lang: str = "fr", with_lines: bool = False) -> str:
    """A fixed-width text table: chapters (and lines), totals, then the burn figures."""
    rows: list[list[str]] = [[i18n.text(f"report.col.{k}", lang) for k in COLUMN_KEYS]]
    names = chapter_names(report, lang)
    for chapter in report.chapters.to_dicts():
        rows.append(
            _table_row(
                chapter["chapter_code"], names.get(chapter["chapter_code"], ""), chapter, lang
            )
        )
        if with_lines:
            for line in report.lines.filter(
                pl.col("chapter_code") == chapter["chapter_code"]
            ).to_dicts():
                rows.append(_table_row("  " + line["code"], "  " + line["label"], line, lang))
    rows.append(
        _table_row(
            "",
            i18n.text("report.total", lang),
            {**report.totals, "pct_spent": report.burn.pct_budget_spent},
            lang,
        )
    )
    text = aligned(rows)
    text.insert(len(text) - 1, "-" * len(text[0]))
    burn = report.burn
    text += [
        "",
        i18n.text(
            "report.footer.title",
            lang,
            title=report.title,
            production=report.production_id,
            unit=report.currency,
            day=fmt_date(report.at, lang),
        ),
        i18n.text(
            "report.footer.burn",
            lang,
            trailing=fmt_money(burn.trailing_4_weeks, lang),
            remaining=fmt_money(burn.remaining, lang),
            runout=fmt_date(burn.budget_runs_out_on, lang),
        ),
        i18n.text(
            "report.footer.spent",
            lang,
            spent=fmt_pct(burn.pct_budget_spent, lang),
            elapsed=fmt_pct(burn.pct_schedule_elapsed, lang),
        ),
    ]
    return "\n".join(text)
