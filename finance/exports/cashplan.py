"""The cash-flow plan ("plan de trésorerie") and the financing plan ("plan de financement") as
workbook sheets, in the file's language, from a production's financing view
(finance/financing/run.py): the justification workbooks and the final cost statement's workbook
carry both, beside their other sheets.

The cash-flow plan: a head block (as-at date, opening position, lowest point, its week and the
bridging it needs, for all the money expected and for the secured money only), the weeks (the
lowest point's row highlighted), then the tranches with their states. The financing plan: the
gap first, then each source with its kind, status, country, amount and share of the budget, and
the totals. Money cells are numbers with the money format; a plan is a few dozen rows, written
cell by cell.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from finance.domain import i18n
from finance.domain.fmt import fmt_date, fmt_money
from finance.domain.packs import scheme_label
from finance.exports.labels import sheet_name
from finance.exports.writer import Writer
from finance.financing.output import WEEK_FIELDS
from finance.financing.run import FinancingView

#: the weekly table's columns (`export.cash.col.<key>`): the week's Monday, then money, as
#: `cineledger financing --format json` gives them
WEEK_KEYS = WEEK_FIELDS
#: the tranches table's columns (header key, kind of value): the financing's own headers
#: (`financing.col.*`) where it has them
TRANCHE_KEYS = (
    ("financing.col.tranche", "text"),
    ("financing.col.source", "text"),
    ("financing.col.milestone", "text"),
    ("export.cash.col.due_on", "date"),
    ("financing.col.due", "date"),
    ("financing.col.amount", "money"),
    ("financing.col.received", "money"),
    ("financing.col.outstanding", "money"),
    ("financing.col.state", "text"),
    ("export.cash.col.at_risk", "text"),
    ("export.cash.col.condition", "text"),
)
#: the columns in red on a payment overdue or at risk
_FLAGGED = ("financing.col.state", "export.cash.col.at_risk")
#: the financing plan's columns (`financing.col.<key>`) and their kind of value
PLAN_KEYS = (
    ("source", "text"),
    ("kind", "text"),
    ("status", "text"),
    ("country", "text"),
    ("amount", "money"),
    ("share", "percent"),
)
_CASH_WIDTHS = (34, 30, 22, 16, 16, 16, 16, 16, 16, 10, 34)
_PLAN_WIDTHS = (40, 22, 20, 8, 16, 14)


def _say(key: str, lang: str, **values: Any) -> str:
    return i18n.text(key, lang, **values)


def _header(w: Writer, sheet: Any, row: int, texts: list[str]) -> None:
    for col, text in enumerate(texts):
        sheet.write_string(row, col, text, w.head)


def source_names(view: FinancingView, lang: str) -> dict[str, str]:
    """Each source's name for people: its label, else its scheme's name, else its id."""
    return {
        s["source_id"]: s["label"]
        or (s["scheme"] and scheme_label(s["scheme"], lang))
        or s["source_id"]
        for s in view.sources.iter_rows(named=True)
    }


def _head_block(w: Writer, sheet: Any, view: FinancingView, title: str) -> int:
    """The title, the note and the head figures; returns the next free row."""
    lang, low = w.lang, view.low
    day = fmt_date(view.at, lang)
    sheet.write_string(0, 0, _say("export.cash.title", lang, title=title, day=day), w.bold)
    sheet.write_string(1, 0, _say("export.cash.note", lang))
    _header(w, sheet, 3, ["", _say("export.cash.all", lang), _say("export.cash.secured", lang)])
    opening = view.weeks["opening"][0] if view.weeks.height else Decimal(0)
    lines: list[tuple[str, str, Any, Any]] = [
        ("as_at", "date", view.at, None),
        ("opening", "money", opening, opening),
        ("low", "money", low.get("low"), low.get("low_secured")),
        ("low_week", "date", low.get("low_week"), low.get("low_week_secured")),
        ("bridging", "money", low.get("bridging"), low.get("bridging_secured")),
    ]
    for row, (key, kind, every, secured) in enumerate(lines, start=4):
        sheet.write_string(row, 0, _say(f"export.cash.{key}", lang), w.bold)
        w.cell(sheet, row, 1, every, kind)
        w.cell(sheet, row, 2, secured, kind)
    return 4 + len(lines) + 1


def _weeks_table(w: Writer, sheet: Any, view: FinancingView, row: int) -> int:
    """The weeks, the lowest point's row highlighted (and the secured lowest point's cell, when
    it falls in another week); returns the next free row."""
    lang, low = w.lang, view.low
    sheet.write_string(row, 0, _say("export.cash.weeks", lang), w.bold)
    row += 1
    _header(w, sheet, row, [_say(f"export.cash.col.{k}", lang) for k in WEEK_KEYS])
    for week in view.weeks.select(WEEK_KEYS).iter_rows(named=True):
        row += 1
        start = week["week_start"]
        if start == low.get("low_week"):
            at = datetime.combine(start, datetime.min.time())
            sheet.write_datetime(row, 0, at, w.low_date)
            for col, key in enumerate(WEEK_KEYS[1:], start=1):
                sheet.write_number(row, col, float(Decimal(week[key])), w.low_money)
            continue
        w.cell(sheet, row, 0, start, "date")
        for col, key in enumerate(WEEK_KEYS[1:], start=1):
            if key == "position_secured" and start == low.get("low_week_secured"):
                sheet.write_number(row, col, float(Decimal(week[key])), w.low_money)
            else:
                w.cell(sheet, row, col, week[key], "money")
    return row + 2


def _state(p: dict[str, Any], lang: str) -> str:
    """A payment's state in words; a partly paid one past its date says it is overdue too."""
    state = _say(f"financing.state.{p['state']}", lang)
    if p["overdue"] and p["state"] != "overdue":
        state += " · " + _say("financing.state.overdue", lang)
    return state


def _tranches_table(w: Writer, sheet: Any, view: FinancingView, row: int) -> None:
    lang = w.lang
    names = source_names(view, lang)
    sheet.write_string(row, 0, _say("export.cash.tranches", lang), w.bold)
    row += 1
    _header(w, sheet, row, [_say(key, lang) for key, _ in TRANCHE_KEYS])
    for p in view.payments.iter_rows(named=True):
        row += 1
        retention = f" {_say('financing.retention', lang)}" if p["part"] == "retention" else ""
        condition = p["condition"]
        if condition and p["rule_status"]:
            condition += " · " + _say(f"check.mark.{p['rule_status']}", lang)
        milestone = p["milestone"] and _say(f"financing.milestone.{p['milestone']}", lang)
        values = (
            p["tranche_id"] + retention,
            names.get(p["source_id"], p["source_id"]),
            milestone,
            p["due_on"],
            p["expected_on"],
            p["amount"],
            p["received"],
            p["outstanding"],
            _state(p, lang),
            _say("export.cash.yes", lang) if p["at_risk"] else None,
            condition,
        )
        flagged = p["overdue"] or p["at_risk"]
        for col, ((key, kind), value) in enumerate(zip(TRANCHE_KEYS, values, strict=True)):
            if flagged and key in _FLAGGED and value is not None:
                sheet.write_string(row, col, str(value), w.warn)
            else:
                w.cell(sheet, row, col, value, kind)


def cash_plan_sheet(w: Writer, view: FinancingView, title: str) -> None:
    """The "plan de trésorerie" sheet (see the module docstring)."""
    sheet = w.book.add_worksheet(sheet_name("cash_plan", w.lang))
    for col, width in enumerate(_CASH_WIDTHS):
        sheet.set_column(col, col, width)
    row = _head_block(w, sheet, view, title)
    row = _weeks_table(w, sheet, view, row)
    _tranches_table(w, sheet, view, row)


def gap_sentence(view: FinancingView, lang: str) -> str:
    """The plan's balance in a sentence (the financing's own): what is missing, or that the
    devis is covered and by how much more."""
    b = view.balance
    gap = Decimal(b.get("gap") or 0)
    key = "financing.gap.short" if gap > 0 else "financing.gap.covered"
    money = {
        k: fmt_money(Decimal(b.get(k) or 0), lang, view.currency) for k in ("financing", "budget")
    }
    return _say(key, lang, **money, gap=fmt_money(abs(gap), lang, view.currency))


def financing_plan_sheet(w: Writer, view: FinancingView, title: str) -> None:
    """The "plan de financement" sheet: the gap first, each source, then the totals."""
    lang, b = w.lang, view.balance
    sheet = w.book.add_worksheet(sheet_name("financing_plan", lang))
    for col, width in enumerate(_PLAN_WIDTHS):
        sheet.set_column(col, col, width)
    day = fmt_date(view.at, lang)
    sheet.write_string(0, 0, _say("export.plan.title", lang, title=title, day=day), w.bold)
    gap = Decimal(b.get("gap") or 0)
    sheet.write_string(1, 0, gap_sentence(view, lang), w.warn if gap > 0 else w.bold)
    _header(w, sheet, 3, [_say(f"financing.col.{k}", lang) for k, _ in PLAN_KEYS])
    names, row = source_names(view, lang), 3
    for s in view.sources.iter_rows(named=True):
        row += 1
        values = {
            "source": names[s["source_id"]],
            "kind": _say(f"financing.kind.{s['kind']}", lang),
            "status": _say(f"financing.status.{s['status']}", lang),
            "country": s["country"],
            "amount": s["amount"],
            "share": s["share_of_budget"],
        }
        for col, (key, kind) in enumerate(PLAN_KEYS):
            w.cell(sheet, row, col, values[key], kind)
    budget = Decimal(b.get("budget") or 0)
    totals = (
        ("total", b.get("financing")),
        ("budget", b.get("budget")),
        ("gap_line", b.get("gap")),
        ("secured", b.get("secured")),
        ("secured_gap", b.get("secured_gap")),
    )
    for key, amount in totals:
        row += 1
        sheet.write_string(row, 0, _say(f"export.plan.{key}", lang), w.bold)
        if amount is None:
            continue
        sheet.write_number(row, 4, float(Decimal(amount)), w.bold_money)
        if budget:
            share = (Decimal(amount) / budget).quantize(Decimal("0.0001"))
            w.cell(sheet, row, 5, share, "percent")


def plan_sheets(w: Writer, view: FinancingView | None, title: str) -> None:
    """Both sheets, the financing plan first (nothing when there is no view)."""
    if view is None:
        return
    financing_plan_sheet(w, view, title)
    cash_plan_sheet(w, view, title)
