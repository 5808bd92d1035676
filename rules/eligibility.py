"""Eligibility of every expense for every scheme: the tests, as SQL generated from the packs.

The tests come from the pack's `eligibility` data; each failing test leaves a reason code on the
row (data/messages/rules.yaml says it in words). Caps that work on totals (the Tax Shelter producer-fee
cap, French hotel caps) are applied over the same rows, so the eligible amounts of the evidence
add up exactly to the measured figure. rules/wide.py assembles the relation.

Nothing is materialised: the check aggregates the relation in one pass, and the evidence, the
justification file and the dashboard read it again for the latest run's date. Writing a million
expense x scheme rows on every check cost seconds; recomputing a scheme's rows costs tens of
milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from finance.domain.models import Financing, Kind, Manifest
from finance.store.sql import literal
from rules.model import Eligibility, Pack, Window

PARIS_DEPARTMENTS = ("75", "92", "93", "94")


@dataclass(frozen=True)
class AgreementWindow:
    """One financing line's spending window; None ends are open."""

    seq: int
    start: date | None
    end: date | None


def add_months(day: date, months: int) -> date:
    """Calendar months, clamped to the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def windows(
    spec: Window | None, plan: list[tuple[int, Financing]], kind: Kind, param: dict[str, Decimal]
) -> list[AgreementWindow]:
    """The windows of a scheme's financing lines (manifest values win over parameters)."""
    out = []
    for seq, fin in plan:
        start, end = fin.window_start, fin.window_end
        if spec is not None and spec.anchor in ("signed_on", "signed_on_onwards") and fin.signed_on:
            if start is None:
                before = int(param[spec.months_before]) if spec.months_before else 0
                start = add_months(fin.signed_on, -before)
            if end is None and spec.anchor == "signed_on" and spec.months_after:
                name = (
                    spec.months_after_animation
                    if kind is Kind.ANIMATION and spec.months_after_animation
                    else spec.months_after
                )
                end = add_months(fin.signed_on, int(param[name]))
        out.append(AgreementWindow(seq, start, end))
    return out


def col(scheme: str, name: str) -> str:
    """The column holding the scheme's `name`, in the plan rows and the wide rows."""
    return f'"{scheme}__{name}"'


def _window_case(scheme: str, count: int) -> str:
    """SQL choosing the first agreement whose window holds the document date. The windows are
    the plan row's (rules/plan.py): `count` of them, as many as the production with the most
    financing lines of the scheme has; a production without the scheme has none (NULL)."""
    if not count:
        return "NULL::INTEGER"
    arms = [
        f"WHEN e.doc_date BETWEEN {col(scheme, f'lo{k}')} AND {col(scheme, f'hi{k}')} "
        f"THEN {col(scheme, f'seq{k}')}"
        for k in range(1, count + 1)
    ]
    return "CASE " + " ".join(arms) + " END"


def _territory_test(territories: list[str]) -> str:
    if not territories:
        return "TRUE"
    exact = [t for t in territories if not t.endswith("*")]
    prefixes = [t[:-1] for t in territories if t.endswith("*")]
    parts = [f"list_contains({literal(exact)}, e.territory)"] if exact else []
    parts += [f"starts_with(e.territory, {literal(p)})" for p in prefixes]
    return "(" + " OR ".join(parts) + ")"


def _payee_test(el: Eligibility) -> str:
    if el.payee != "av_company_or_person":
        return "TRUE"
    exempt = (
        f" OR list_contains({literal(el.payee_exempt_categories)}, e.category)"
        if el.payee_exempt_categories
        else ""
    )
    return f"(e.payee_type = 'person' OR coalesce(e.av_company, FALSE){exempt})"


def tests_sql(el: Eligibility, scheme: str, windows: int) -> dict[str, str]:
    """Each test of the scheme as a SQL boolean over `v_expenses e` joined with its plan row."""
    return {
        "agreement_seq": _window_case(scheme, windows),
        "territory_ok": _territory_test(el.territories),
        "payee_ok": _payee_test(el),
        "category_ok": f"NOT list_contains({literal(el.excluded_categories)}, e.category)"
        if el.excluded_categories
        else "TRUE",
        "class_ok": f"NOT list_contains({literal(el.excluded_ts_classes)}, e.ts_class)"
        if el.excluded_ts_classes
        else "TRUE",
        "be_taxable_ok": "coalesce(e.be_taxable, FALSE)" if el.be_taxable_required else "TRUE",
        "eea_ok": "e.territory <> 'OTHER'",
    }


REASON_OF = {  # test column -> reason code when it fails
    "in_window": "outside_window",
    "territory_ok": "territory",
    "payee_ok": "payee_not_audiovisual",
    "category_ok": "category_excluded",
    "class_ok": "class_excluded",
    "be_taxable_ok": "not_taxable_in_belgium",
}


#: the columns of the eligibility relation, typed (the empty relation uses them too)
COLUMNS = {
    "production_id": "VARCHAR",
    "scheme": "VARCHAR",
    "expense_id": "BIGINT",
    "agreement_seq": "INTEGER",
    "status": "VARCHAR",
    "doc_date": "DATE",
    "amount": "DECIMAL(18,2)",
    "country": "VARCHAR",
    "ts_class": "VARCHAR",
    "category": "VARCHAR",
    "in_window": "BOOLEAN",
    "territory_ok": "BOOLEAN",
    "payee_ok": "BOOLEAN",
    "category_ok": "BOOLEAN",
    "class_ok": "BOOLEAN",
    "be_taxable_ok": "BOOLEAN",
    "eea_ok": "BOOLEAN",
    "counts": "BOOLEAN",
    "eligible_amount": "DECIMAL(18,2)",
    "reasons": "VARCHAR[]",
}


@dataclass(frozen=True)
class SchemeTests:
    """One scheme's eligibility as SQL over `v_expenses e` and the production's plan row: its
    tests (tests_sql), whether the producer-fee cap and the hotel caps apply. The same for every
    production; what differs (windows, ratios, caps) is in the plan rows."""

    scheme: str
    tests: dict[str, str]
    fee_cap: bool
    hotel: bool


@dataclass(frozen=True)
class SchemeValues:
    """One production's own values of a scheme: its windows (one per financing line), the
    producer-fee cap ratio and the hotel caps per night (Paris, elsewhere), as resolved on the
    signing date."""

    windows: list[AgreementWindow]
    fee_cap: Decimal | None
    hotel: tuple[Decimal, Decimal] | None


def has_fee_cap(pack: Pack) -> bool:
    """A producer-fee cap applies (the pack's eligibility names its ratio parameter)."""
    el = pack.eligibility
    return el is not None and el.producer_fee_cap is not None


def scheme_values(manifest: Manifest, pack: Pack, param: dict[str, Decimal]) -> SchemeValues:
    """A production's windows, fee-cap ratio and hotel caps of one scheme."""
    assert pack.eligibility is not None
    el = pack.eligibility
    plan = [(i, f) for i, f in enumerate(manifest.financing, start=1) if f.scheme == pack.scheme]
    wins = windows(el.window, plan, manifest.kind, param)
    fee_cap = param[el.producer_fee_cap] if el.producer_fee_cap else None
    hotel = (param["hotel_cap_paris"], param["hotel_cap_other"]) if el.hotel_caps else None
    return SchemeValues(wins, fee_cap, hotel)


def scheme_tests(pack: Pack, count: int) -> SchemeTests:
    """The tests and caps of one scheme over plan rows holding `count` windows."""
    assert pack.eligibility is not None
    el = pack.eligibility
    return SchemeTests(
        pack.scheme, tests_sql(el, pack.scheme, count), has_fee_cap(pack), el.hotel_caps
    )


def empty_relation() -> str:
    """The relation with no rows, for a plan without territorial schemes. It names `$at` as every
    relation does, so a caller's parameters ($pid, $at) fit it too."""
    cols = ", ".join(f"NULL::{t} AS {c}" for c, t in COLUMNS.items())
    return f"(SELECT {cols} WHERE FALSE AND $at::DATE IS NOT NULL)"


#: the expense columns the tests read; resolved once per query from v_expenses (its joins with
#: the devis and the corrections cost more than the tests themselves)
EXPENSE_COLUMNS = (
    "id, production_id, status, doc_date, amount, territory, category, ts_class, payee_type, "
    "av_company, be_taxable, nights, fr_department, country"
)
