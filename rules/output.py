"""`check` as a text table: status, figures, and which thresholds are unverified."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from finance.domain import i18n
from finance.domain.fmt import aligned, fmt_date, fmt_money
from finance.domain.packs import scheme_label
from rules.engine import RuleResult
from rules.model import WORST_FIRST, Status, worst_status
from rules.runs import CheckRun, result_json
from rules.sentences import address_basis_text, result_sentences

MARK = {  # the English marks (`check --all` in English, and the tests' reading of them)
    "pass": "PASS",
    "fail": "FAIL",
    "warn": "WARN",
    "not_applicable": "n/a",
    "insufficient_data": "DATA?",
}


def mark(status: str, lang: str) -> str:
    """A status as the table shows it, in the reader's language."""
    return i18n.text(f"check.mark.{status}", lang)


def _head(lang: str) -> tuple[str, ...]:
    names = ("rule", "status", "measured", "threshold", "shortfall", "projected", "where")
    return (*(i18n.text(f"check.{n}", lang) for n in names), i18n.text("check.verified", lang))


def _flags(r: RuleResult, lang: str) -> str:
    """What the result rests on that nobody checked against the legal text, in words."""
    unverified = [p["name"] for p in r.parameters if p["confidence"] == "unverified"]
    unchecked = [
        p["name"] for p in r.parameters if not p["verified"] and p["confidence"] != "unverified"
    ]
    unchecked += [u for u in r.unverified if u not in unverified and u not in unchecked]
    flag = f"  [{i18n.text('check.flag.unverified', lang, names=', '.join(unverified))}]"
    flag = flag if unverified else ""
    if unchecked:
        flag += f"  [{i18n.text('check.flag.unchecked', lang, names=', '.join(unchecked))}]"
    return flag


def _agreement_lines(results: list[RuleResult], lang: str, currency: str) -> list[str]:
    """The agreements of a scheme whose agreements stand on their own, each with its window,
    its value and the value its spend supports, then each per-agreement rule's figures."""
    first = results[0]
    lines = [i18n.text("check.agreements", lang, scheme=scheme_label(first.scheme, lang))]
    for i, a in enumerate(first.agreements):
        name = i18n.text(
            "result.agreement", lang, k=str(a["agreement"]), day=_day(a["signed_on"], lang)
        )
        support = a.get("supportable") or {}
        lines.append(
            i18n.text(
                _own(first.scheme, "agreement_head", "check.agreement.head"),
                lang,
                currency,
                name=f"{name} {a['label']}" if a.get("label") else name,
                start=_day(a["window"].get("start"), lang),
                end=_day(a["window"].get("end"), lang),
                value=support.get("plan_value", a["amount"]),
                supportable=a["supportable_value"],
            )
        )
        if a["window"].get("pre_signing_reason"):
            reason = a["window"]["pre_signing_reason"]
            lines.append(i18n.text("check.agreement.reason", lang, reason=reason))
        lines += [_agreement_rule(r, r.agreements[i], lang, currency) for r in results]
    return lines


def _own(scheme: str, key: str, default: str) -> str:
    """The pack's own sentence where it has one (its vocabulary: the Tax Shelter's V), else
    the general one."""
    return f"{scheme}.{key}" if i18n.has(f"{scheme}.{key}") else default


def _agreement_rule(r: RuleResult, a: dict[str, Any], lang: str, currency: str) -> str:
    title, _ = result_sentences(result_json(r), lang, currency)
    gap = a["shortfall"]
    return i18n.text(
        "check.agreement.rule",
        lang,
        currency,
        status=mark(a["status"], lang),
        measure=title,
        measured=_figure(a["measured"], r.unit, lang, currency),
        threshold=_figure(a["threshold"], r.unit, lang, currency),
        gap=i18n.text("check.agreement.gap", lang, gap=_figure(gap, r.unit, lang, currency))
        if gap
        else "",
    )


def _figure(value: Decimal | None, unit: str, lang: str, currency: str | None = None) -> str:
    """A figure of the table: money, or a number of days."""
    if unit in ("days", "day_count") and value is not None:
        return i18n.text("check.days", lang, days=value)
    return fmt_money(value, lang, currency)


def _day(value: str | date | None, lang: str) -> str:
    if value is None:
        return i18n.text("check.open_end", lang)
    return fmt_date(value if isinstance(value, date) else date.fromisoformat(value), lang)


def _supportable_line(r: RuleResult, lang: str, currency: str) -> str:
    s = r.supportable
    return i18n.text(
        _own(r.scheme, "supportable_summary", "check.supportable"),
        lang,
        currency,
        scheme=scheme_label(r.scheme, lang),
        value=s["value"],
        completion=s["at_completion"]["value"],
        total=s["agreements_total"],
        limit=s["work_limit"],
    )


def check_table(run: CheckRun, lang: str = "fr", currency: str = "EUR") -> str:
    """One line per rule (whether every input it rests on is verified in a column of its
    own), then each result in words with what it rests on unverified, then the agreements of
    the schemes whose agreements stand on their own and the value the spend supports; every
    word in the reader's language."""
    yes, no = i18n.text("check.yes", lang), i18n.text("check.no", lang)
    rows = [_head(lang)] + [
        (
            r.rule_id,
            mark(r.status.value, lang),
            *(
                _figure(v, r.unit, lang)
                for v in (r.measured, r.threshold, r.shortfall, r.projected)
            ),
            r.spend_where or "",
            yes if r.verified else no,
        )
        for r in run.results
    ]
    lines = aligned(rows, left=(0, 1, 6, 7))
    footer = i18n.text(
        "check.footer",
        lang,
        production=run.production_id,
        day=fmt_date(run.at, lang),
        rulebook=run.rulebook,
        run=str(run.run_id),
    )
    lines += ["", footer, ""]
    for r in run.results:
        _, explanation = result_sentences(result_json(r), lang, currency)
        lines.append(f"{r.rule_id}: {explanation}{_flags(r, lang)}")
        basis = address_basis_text(result_json(r), lang, currency)
        if basis:
            lines.append(f"  {basis}")
    per_scheme: dict[str, list[RuleResult]] = {}
    for r in run.results:
        if r.agreements:
            per_scheme.setdefault(r.scheme, []).append(r)
    supported = {r.scheme: r for r in run.results if r.supportable}
    for results in per_scheme.values():
        lines += ["", *_agreement_lines(results, lang, currency)]
    lines += [""] * bool(supported)
    lines += [_supportable_line(r, lang, currency) for r in supported.values()]
    return "\n".join(lines)


def run_status(run: CheckRun) -> Status:
    """The production's status in a portfolio: its worst result's (rules.model.WORST_FIRST)."""
    return worst_status(r.status for r in run.results)


def portfolio_table(runs: list[CheckRun], lang: str = "en") -> str:
    """`check --all`: one line per production with its status and its results by status."""
    order = (*WORST_FIRST, Status.NOT_APPLICABLE)
    head = (
        i18n.text("check.portfolio.production", lang),
        i18n.text("check.status", lang),
        *(mark(s.value, lang) for s in order),
        i18n.text("check.portfolio.unverified", lang),
        i18n.text("check.portfolio.run", lang),
    )
    rows = [head] + [
        (
            run.production_id,
            mark(run_status(run).value, lang),
            *(str(sum(r.status is s for r in run.results)) for s in order),
            str(sum(not r.verified for r in run.results)),
            str(run.run_id),
        )
        for run in runs
    ]
    lines = aligned(rows)
    failed = sum(run.failed for run in runs)
    footer = i18n.text(
        "check.portfolio.footer",
        lang,
        count=str(len(runs)),
        day=fmt_date(runs[0].at, lang),
        rulebook=runs[0].rulebook,
        failed=str(failed),
    )
    lines += ["", footer]
    return "\n".join(lines)
