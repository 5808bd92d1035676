"""The cost report as the JSON of the contract (interfaces.md section 5) and as a text table."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from finance.domain.fmt import aligned, fmt_date, fmt_money, fmt_pct, jsonable
from finance.reports.cost_report import FIGURES, CostReport

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


HEADERS = {
    "fr": (
        "Poste",
        "Libellé",
        "Budget",
        "Réel",
        "Engagé",
        "Reste à faire",
        "Coût final estimé",
        "Écart",
        "% dépensé",
    ),
    "nl": (
        "Post",
        "Omschrijving",
        "Budget",
        "Werkelijk",
        "Vastgelegd",
        "Nog te besteden",
        "Verwachte eindkost",
        "Afwijking",
        "% besteed",
    ),
    "en": (
        "Code",
        "Label",
        "Budget",
        "Actual",
        "Committed",
        "To complete",
        "At completion",
        "Variance",
        "% spent",
    ),
}


def _table_row(code: str, label: str, row: dict[str, Any], lang: str) -> list[str]:
    return [
        code,
        label[:38],
        *(fmt_money(row[f], lang) for f in FIGURES),
        fmt_pct(row.get("pct_spent"), lang),
    ]


def report_table(report: CostReport, lang: str = "fr", with_lines: bool = False) -> str:
    """A fixed-width text table: chapters (and lines), totals, then the burn figures."""
    rows: list[list[str]] = [list(HEADERS.get(lang, HEADERS["en"]))]
    for chapter in report.chapters.to_dicts():
        rows.append(
            _table_row(chapter["chapter_code"], chapter["chapter_label"] or "", chapter, lang)
        )
        if with_lines:
            for line in report.lines.filter(
                pl.col("chapter_code") == chapter["chapter_code"]
            ).to_dicts():
                rows.append(_table_row("  " + line["code"], "  " + line["label"], line, lang))
    rows.append(
        _table_row("", "TOTAL", {**report.totals, "pct_spent": report.burn.pct_budget_spent}, lang)
    )
    text = aligned(rows)
    text.insert(len(text) - 1, "-" * len(text[0]))
    burn = report.burn
    text += [
        "",
        f"{report.title} ({report.production_id}), {report.currency}, at {fmt_date(report.at, lang)}",
        f"Trailing 4-week burn: {fmt_money(burn.trailing_4_weeks, lang)} per week; "
        f"budget left (not spent nor committed): {fmt_money(burn.remaining, lang)}; "
        f"runs out on: {fmt_date(burn.budget_runs_out_on, lang)}",
        f"Budget spent: {fmt_pct(burn.pct_budget_spent, lang)}; "
        f"schedule elapsed: {fmt_pct(burn.pct_schedule_elapsed, lang)}",
    ]
    return "\n".join(text)
