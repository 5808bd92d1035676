"""Errors and the reasons a row of a file is refused, in the reader's words: the validation checks write
their reason in English (the row's record, the tests); this maps the ones users meet most to the
catalogue's `imports.why.*` messages, for the commands and the dashboard alike."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from finance.domain.errors import Problem, UserError
from finance.domain.fmt import fmt_date
from finance.domain.i18n import has, text

#: the English reasons of the checks said in the reader's words (others stay as they are)
REASONS: dict[str, str] = {
    "required, but empty": "imports.why.required",
    "not a date (expected dd/mm/yyyy, dd.mm.yyyy, dd-mm-yyyy or yyyy-mm-dd)": "imports.why.date",
    "not an amount with at most 2 decimals": "imports.why.amount",
    "not an exchange rate (a positive number, at most 8 decimals)": "imports.why.rate",
    "an exchange rate must be positive": "imports.why.rate",
    "unknown status (actual/committed, réel/engagé, werkelijk/vastgelegd)": "imports.why.status",
    "unknown payee type (company/person, société/personne, bedrijf/persoon)": "imports.why.payee",
    "not a yes/no value (yes, no, oui, non, ja, nee, true, false, 1, 0)": "imports.why.yes_no",
    "not a whole number of nights": "imports.why.nights",
    "a number of nights cannot be negative": "imports.why.nights",
    "not an ISO 3166 alpha-2 country code (BE, FR, DE...)": "imports.why.country",
    "not an ISO 4217 currency code (EUR, USD, GBP...)": "imports.why.currency",
    "required for Belgian and French payees": "imports.why.postcode",
    "no such line in the current devis": "imports.why.no_line",
    "a receipt is a positive amount": "imports.why.receipt_positive",
    "a receipt cannot be dated in the future": "imports.why.receipt_future",
    "more than the tranche is worth with what is already received": "imports.why.receipt_too_much",
}
#: a document waiting for a budget line (its buyer reference)
TO_CODE = re.compile(r"^to code: no budget line \(buyer reference (.*)\)$")
#: a receipt's reasons that carry figures (finance/importers/receipts.py): the key, its pattern
RECEIPT_REASONS = (
    (
        "imports.why.receipt_above",
        re.compile(
            r"^more than the tranche is worth with what is already received "
            r"\(tranche (?P<tranche>.+): (?P<worth>-?\d+\.\d{2}) in all, "
            r"(?P<before>-?\d+\.\d{2}) received before this row\)$"
        ),
    ),
    (
        "imports.why.no_tranche",
        re.compile(r"^no such tranche in the financing plan \(one of: (?P<known>.*)\)$"),
    ),
    (
        "imports.why.before_start",
        re.compile(r"^before the production's first date \((?P<day>\d{4}-\d{2}-\d{2})\)$"),
    ),
)


def reason_key(reason: str) -> str | None:
    """The catalogue key of a check's English reason, where one says it."""
    key = REASONS.get(reason)
    if key is None and reason.startswith("BE postcode"):
        key = "imports.why.be_postcode"
    if key is None and "rate is needed" in reason:
        key = "imports.why.no_rate"
    if key is None and reason.startswith("to code: the file gives no payee country"):
        key = "imports.why.no_seat"
    return key if key and has(key) else None


def reason_words(reason: str, lang: str) -> str:
    """A check's reason in `lang` where the catalogue says it, else as written."""
    waiting = TO_CODE.match(reason)
    if waiting:
        return text("imports.why.to_code", lang, reference=waiting.group(1))
    for said, pattern in RECEIPT_REASONS:
        found = pattern.match(reason)
        if found and has(said):
            return text(said, lang, **_figures(found.groupdict(), lang))
    key = reason_key(reason)
    return text(key, lang) if key else reason


def _figures(values: dict[str, str], lang: str) -> dict[str, Any]:
    """A reason's figures as the language writes them: amounts as money, a date as a date."""
    out: dict[str, Any] = dict(values)
    for name in ("worth", "before"):
        if name in values:
            out[name] = Decimal(values[name])
    if "day" in values:
        out["day"] = fmt_date(date.fromisoformat(values["day"]), lang)
    return out


def problem_line(problem: Problem, lang: str) -> str:
    """A problem as one line in `lang`: where it is (file, sheet, row, column, value) and why."""
    where = ":".join(
        p
        for p in (
            problem.file,
            problem.sheet,
            text("problem.row", lang, row=str(problem.row)) if problem.row else None,
        )
        if p
    )
    what = ""
    if problem.column:
        noun = "problem.column" if problem.row else "problem.field"
        what = text(noun, lang, column=problem.column)
    if problem.value is not None:
        value = text("problem.value", lang, value=problem.value)
        what = f"{what} {value}" if what else value
    head = ", ".join(p for p in (where, what) if p)
    said = reason_words(problem.reason, lang)
    return text("problem.line", lang, head=head, reason=said) if head else said


def error_lines(exc: UserError, lang: str) -> list[str]:
    """The error's message in `lang` (its English message when it has no catalogue key), then
    one line per problem in `lang`, as `UserError.lines` gives them in English."""
    head = text(exc.key, lang, **exc.values) if exc.key else exc.message
    return [head, *(f"  - {problem_line(p, lang)}" for p in exc.problems)]
