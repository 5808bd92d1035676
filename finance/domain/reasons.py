"""Errors and the reasons a row of a file is refused, in the reader's words: the validation checks write
their reason in English (the row's record, the tests); this maps the ones users meet most to the
catalogue's `imports.why.*` messages, for the commands and the dashboard alike."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from finance.domain.errors import Problem, UserError
from finance.domain.fmt import fmt_date, fmt_money
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
    "above the largest amount accepted (999,999,999.99)": "why.above_max",
    # the supplier records' checks (finance/importers/suppliers.py)
    "the postcode does not fit the country": "imports.why.postcode_fit",
    "a postcode or a source without the address's country": "imports.why.address_country",
    "an address without a source is refused": "imports.why.address_source",
    "the same supplier is on two rows of the file": "imports.why.supplier_twice",
}
#: a document waiting for a budget line (its buyer reference)
TO_CODE = re.compile(r"^to code: no budget line \(buyer reference (.*)\)$")
#: reasons that carry values (the financing plan's and the receipts' checks): the pattern, and
#: the catalogue key whose placeholders are the pattern's named groups
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^no such tranche in the financing plan \(one of: (?P<known>.*)\)$"),
        "why.no_tranche",
    ),
    (
        re.compile(
            r"^more than the tranche is worth with what is already received \(tranche "
            r"(?P<tranche>\S+): (?P<worth>\S+) in all, (?P<before>\S+) received before this row\)$"
        ),
        "why.above_tranche",
    ),
    (re.compile(r"^before the production's first date \((?P<day>[0-9-]+)\)$"), "why.before_start"),
    (re.compile(r"^a receipt cannot be dated in the future$"), "why.future_receipt"),
    (re.compile(r"^a receipt is a positive amount$"), "why.positive_receipt"),
    (
        re.compile(
            r"^the milestone (?P<milestone>\w+) has no date: the (?P<what>[\w ]+) does not give it$"
        ),
        "why.no_milestone",
    ),
    (
        re.compile(
            r"^the tranches add up to (?P<total>\S+), more than the source's amount (?P<amount>\S+)$"
        ),
        "why.tranches_above_source",
    ),
    (re.compile(r"^a retention is paid at the final cost statement: .*$"), "why.retention_no_date"),
    (re.compile(r"^no rule of the packs has this id$"), "why.no_rule"),
    (re.compile(r"^two (?P<what>sources|tranches) have this id$"), "why.same_id"),
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


#: a reason's figure as the checks write it: money with two decimals, or an ISO date
MONEY_TEXT = re.compile(r"^-?\d+\.\d{2}$")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _value_words(value: str, lang: str) -> str:
    """A value of a reason in the reader's format (`60000.00` -> `60 000,00` in French)."""
    if MONEY_TEXT.match(value):
        return fmt_money(Decimal(value), lang)
    if ISO_DAY.match(value):
        return fmt_date(date.fromisoformat(value), lang)
    return value


def reason_words(reason: str, lang: str) -> str:
    """A check's reason in `lang` where the catalogue says it, else as written."""
    waiting = TO_CODE.match(reason)
    if waiting:
        return text("imports.why.to_code", lang, reference=waiting.group(1))
    for pattern, found_key in PATTERNS:
        found = pattern.match(reason)
        if found and has(found_key):
            values = {k: _value_words(v, lang) for k, v in found.groupdict().items()}
            return text(found_key, lang, **values)
    key = reason_key(reason)
    return text(key, lang) if key else reason


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
