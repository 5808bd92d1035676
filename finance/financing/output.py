"""`cineledger financing` as JSON (interfaces.md section 6) and as text in the user's language.

JSON: money as two-decimal strings, shares as four-decimal strings (0.9798 is 97.98 %), dates
ISO; never a float. The text puts the gap first (what a producer looks at first), then the
sources, the tranches with their states, what is overdue and at risk, and the cash low point.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from finance.domain import i18n
from finance.domain.fmt import aligned, fmt_date, fmt_money, fmt_pct, jsonable
from finance.domain.money import MONEY
from finance.domain.packs import scheme_label
from finance.financing.run import FinancingView
from finance.financing.whatif import Comparison
from rules.sentences import strand_words

SOURCE_FIELDS = (
    "source_id",
    "scheme",
    "label",
    "kind",
    "status",
    "amount",
    "share_of_budget",
    "public_aid",
    "country",
    "signed_on",
    "strand",
)
PAYMENT_FIELDS = (
    "tranche_id",
    "source_id",
    "label",
    "part",
    "milestone",
    "days_after",
    "due_on",
    "expected_on",
    "amount",
    "received",
    "outstanding",
    "state",
    "overdue",
    "condition",
    "rule_status",
    "at_risk",
    "assumed",
)
RECEIPT_FIELDS = (
    "tranche_id",
    "received_on",
    "amount",
    "payer",
    "reference",
    "source_file",
    "source_row",
    "source_format",
    "imported_at",
    "imported_by",
)
WEEK_FIELDS = (
    "week_start",
    "planned_spend",
    "committed",
    "outflow",
    "inflow",
    "inflow_secured",
    "position",
    "position_secured",
)


def _share_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Shares as exact text with four decimals (jsonable would make money of them)."""
    shares = [c for c in frame.columns if c.startswith("share") or c == "coverage"]
    return frame.with_columns(pl.col(c).cast(pl.String) for c in shares)


def _rows(frame: pl.DataFrame, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    return list(_share_text(frame.select([f for f in fields if f in frame.columns])).to_dicts())


def view_json(view: FinancingView) -> dict[str, Any]:
    """The whole financing object of one production."""
    balance = dict(view.balance)
    balance.pop("production_id", None)
    coverage = balance.pop("coverage", None)
    low = {k: v for k, v in view.low.items() if k != "production_id"}
    data: dict[str, Any] = jsonable(
        {
            "production": view.production_id,
            "at": view.at,
            "currency": view.currency,
            "plan": {
                **balance,
                "coverage": None if coverage is None else str(coverage),
                "balanced": balance.get("gap", Decimal(0)) <= 0,
                "sources": _rows(view.sources, SOURCE_FIELDS),
                "by_country": _rows(
                    view.countries.drop("production_id"),
                    ("country", "amount", "coproducer", "share_of_budget"),
                ),
            },
            "tranches": _rows(view.payments, PAYMENT_FIELDS),
            "overdue": {
                "tranches": view.overdue["tranche_id"].unique(maintain_order=True).to_list(),
                "amount": _sum(view.overdue, "outstanding"),
            },
            "at_risk": {
                "tranches": view.at_risk["tranche_id"].unique(maintain_order=True).to_list(),
                "amount": _sum(view.at_risk, "outstanding"),
            },
            "receipts": _rows(view.receipts, RECEIPT_FIELDS),
            "cash_flow": {
                "opening": view.weeks["opening"].first() if view.weeks.height else None,
                **low,
                "unscheduled": _rows(view.unscheduled, ("tranche_id", "source_id", "amount")),
                "weeks": _rows(view.weeks, WEEK_FIELDS),
            },
        }
    )
    return data


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    """Today's object with the what-if's beside it and what changed."""
    data = view_json(comparison.today)
    data["what_if"] = {
        **view_json(comparison.scenario),
        "moved": jsonable(comparison.moved.to_dicts()),
        "rules": jsonable(comparison.rules.to_dicts()),
    }
    return data


def _sum(frame: pl.DataFrame, column: str) -> Decimal:
    """A money column's total, exact (zero for no rows)."""
    total = frame.select(pl.col(column).sum().cast(MONEY)).item()
    return total if isinstance(total, Decimal) else Decimal("0.00")


def _word(prefix: str, value: str | None, lang: str) -> str:
    return i18n.text(f"{prefix}.{value}", lang) if value else "–"


def _milestone(row: dict[str, Any], lang: str) -> str:
    """The milestone in words, with the days after it (`signature + 60 d`)."""
    said = _word("financing.milestone", row["milestone"], lang)
    days = row.get("days_after") or 0
    return i18n.text("financing.after_days", lang, milestone=said, days=str(days)) if days else said


def _source_name(row: dict[str, Any], lang: str) -> str:
    """Its label, else its scheme's name, with the strand of the aid when it has one."""
    name = str(row["label"] or scheme_label(row["scheme"], lang))
    strand = row.get("strand")
    return f"{name} ({strand_words(row['scheme'], strand, lang)})" if strand else name


def gap_sentence(view: FinancingView, lang: str) -> str:
    """The first thing a producer reads: does the plan cover the devis, and by how much not."""
    b, cur = view.balance, view.currency
    money = {k: fmt_money(b.get(k), lang, cur) for k in ("budget", "financing")}
    gap = fmt_money(abs(b["gap"]), lang, cur)
    if view.sources.height == 0:
        return i18n.text("financing.gap.no_plan", lang, budget=money["budget"])
    if b["budget_source"] == "none":
        return i18n.text("financing.gap.no_budget", lang, financing=money["financing"])
    key = {1: "financing.gap.short", 0: "financing.gap.exact", -1: "financing.gap.covered"}
    sign = (b["gap"] > 0) - (b["gap"] < 0)
    return i18n.text(key[sign], lang, financing=money["financing"], budget=money["budget"], gap=gap)


def _plan_lines(view: FinancingView, lang: str) -> list[str]:
    b = view.balance
    secured = fmt_money(b.get("secured"), lang, view.currency)
    share = fmt_pct(_pct(b["secured"], b["budget"]), lang)
    lines = [gap_sentence(view, lang)]
    if view.sources.height == 0:
        return lines
    lines.append(i18n.text("financing.secured", lang, secured=secured, share=share))
    rows = [
        [
            i18n.text(f"financing.col.{c}", lang)
            for c in ("source", "kind", "status", "country", "amount", "share")
        ]
    ]
    for row in view.sources.to_dicts():
        rows.append(
            [
                _source_name(row, lang)[:60],
                _word("financing.kind", row["kind"], lang),
                _word("financing.status", row["status"], lang),
                row["country"] or "–",
                fmt_money(row["amount"], lang),
                fmt_pct(_pct(row["amount"], b["budget"]), lang),
            ]
        )
    return [*lines, "", *aligned(rows, left=(0, 1, 2, 3))]


def _pct(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if not whole or part is None:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"))


def _tranche_lines(view: FinancingView, lang: str) -> list[str]:
    if view.payments.height == 0:
        return []
    cols = ("tranche", "milestone", "due", "amount", "received", "outstanding", "state")
    rows = [[i18n.text(f"financing.col.{c}", lang) for c in cols]]
    for row in view.payments.to_dicts():
        name = row["tranche_id"] + (
            " " + i18n.text("financing.retention", lang) if row["part"] == "retention" else ""
        )
        state = _word("financing.state", row["state"], lang)
        if row["overdue"] and row["state"] != "overdue":
            state += " · " + i18n.text("financing.state.overdue", lang)
        if row["at_risk"]:
            state += " · " + i18n.text("financing.at_risk", lang, rule=row["condition"])
        rows.append(
            [
                name,
                _milestone(row, lang),
                fmt_date(row["expected_on"], lang),
                fmt_money(row["amount"], lang),
                fmt_money(row["received"], lang),
                fmt_money(row["outstanding"], lang),
                state,
            ]
        )
    return aligned(rows, left=(0, 1, 6))


def _cash_lines(view: FinancingView, lang: str) -> list[str]:
    low = view.low
    lines = [
        i18n.text(
            key,
            lang,
            n=str(payments["tranche_id"].n_unique()),
            amount=fmt_money(_sum(payments, "outstanding"), lang, view.currency),
        )
        for key, payments in (("financing.overdue", view.overdue), ("financing.risk", view.at_risk))
        if payments.height
    ]
    if not low:
        return lines
    opening = _sum(view.weeks.head(1), "opening")
    lines.append(
        i18n.text("financing.cash.opening", lang, amount=fmt_money(opening, lang, view.currency))
    )
    lines.append(
        i18n.text(
            "financing.cash.low",
            lang,
            amount=fmt_money(low["low"], lang, view.currency),
            week=fmt_date(low["low_week"], lang),
        )
    )
    key = "financing.cash.bridging" if low["bridging"] > 0 else "financing.cash.no_bridging"
    lines.append(i18n.text(key, lang, amount=fmt_money(low["bridging"], lang, view.currency)))
    if low["low_secured"] != low["low"] or low["low_week_secured"] != low["low_week"]:
        lines.append(
            i18n.text(
                "financing.cash.low_secured",
                lang,
                amount=fmt_money(low["low_secured"], lang, view.currency),
                week=fmt_date(low["low_week_secured"], lang),
            )
        )
    if view.unscheduled.height:
        lines.append(
            i18n.text(
                "financing.cash.unscheduled",
                lang,
                amount=fmt_money(_sum(view.unscheduled, "outstanding"), lang, view.currency),
            )
        )
    return lines


def view_table(view: FinancingView, lang: str = "fr") -> str:
    """The plan, the tranches, what is overdue or at risk, and the cash low point, as text."""
    head = i18n.text(
        "financing.title", lang, production=view.production_id, day=fmt_date(view.at, lang)
    )
    parts = [
        head,
        "",
        *_plan_lines(view, lang),
        "",
        *_tranche_lines(view, lang),
        "",
        *_cash_lines(view, lang),
    ]
    return "\n".join(parts)


#: the figures a what-if puts beside today's (`whatif.row.<key>`)
COMPARED = ("gap", "low", "low_week", "bridging", "low_secured", "at_risk")


def compared_figures(comparison: Comparison, lang: str) -> list[tuple[str, str, str]]:
    """(figure, today, what-if) for each of COMPARED, in words: the command and the dashboard
    show the same comparison."""
    cur = comparison.today.currency

    def figures(view: FinancingView) -> list[str]:
        low = view.low
        return [
            fmt_money(view.balance["gap"], lang, cur),
            fmt_money(low.get("low"), lang, cur),
            fmt_date(low.get("low_week"), lang),
            fmt_money(low.get("bridging"), lang, cur),
            fmt_money(low.get("low_secured"), lang, cur),
            fmt_money(_sum(view.at_risk, "outstanding"), lang, cur),
        ]

    names = [i18n.text(f"whatif.row.{k}", lang) for k in COMPARED]
    today, then = figures(comparison.today), figures(comparison.scenario)
    return list(zip(names, today, then, strict=True))


def comparison_table(comparison: Comparison, lang: str = "fr") -> str:
    """Today's figures and the what-if's, side by side, then what moved."""
    today = comparison.today
    rows = [
        [
            "",
            i18n.text("financing.whatif.today", lang),
            i18n.text("financing.whatif.scenario", lang),
        ],
        *([n, a, b] for n, a, b in compared_figures(comparison, lang)),
    ]
    lines = [
        view_table(today, lang),
        "",
        i18n.text("financing.whatif.title", lang),
        *aligned(rows, left=(0,)),
    ]
    moved = comparison.moved
    if moved.height:
        lines += ["", i18n.text("financing.whatif.moved", lang)]
        for row in moved.to_dicts():
            kept = (
                " " + i18n.text("financing.retention", lang) if row["part"] == "retention" else ""
            )
            lines.append(
                f"  {row['tranche_id']}{kept}: {fmt_date(row['expected_on'], lang)} → {fmt_date(row['expected_on_what_if'], lang)}"
            )
    changed = comparison.rules.filter(
        pl.col("status").ne_missing(pl.col("status_what_if"))
        | pl.col("window_end").ne_missing(pl.col("window_end_what_if"))
    )
    if changed.height:
        lines += ["", i18n.text("financing.whatif.rules", lang)]
        for row in changed.to_dicts():
            lines.append(
                f"  {row['rule_id']}: {_word('audit.status', row['status'], lang)}, {fmt_date(row['window_end'], lang)}"
                f" → {_word('audit.status', row['status_what_if'], lang)}, {fmt_date(row['window_end_what_if'], lang)}"
            )
    return "\n".join(lines)
