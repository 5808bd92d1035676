"""Eligibility of every expense for every scheme: the tests, as SQL generated from the packs.

The tests come from the pack's `eligibility` data; each failing test leaves a reason code on the
row (the catalogue's `reason.*` says it in words). Caps that work on totals (the Tax Shelter producer-fee
cap, French hotel caps) are applied over the same rows, so the eligible amounts of the evidence
add up exactly to the measured figure. rules/wide.py assembles the relation.

Nothing is materialised: the check aggregates the relation in one pass, and the evidence, the
justification file and the dashboard read it again for the latest run's date. Writing a million
expense x scheme rows on every check cost seconds; recomputing a scheme's rows costs tens of
milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from finance.domain.models import Financing, Kind, Manifest
from finance.store.sql import literal
from rules.model import Eligibility, Pack, Window

PARIS_DEPARTMENTS = ("75", "92", "93", "94")


@dataclass(frozen=True)
class AgreementWindow:
    """One financing line's spending window; None ends are open. `signed_on` is the agreement's
    signing date (the categories of `not_before_signing` count from it); `before_signing` says
    whether the window opens before it (the line records why); `fill` is the spend up to which
    the agreement is filled before a later one (schemes whose agreements stand on their own)."""

    seq: int
    start: date | None
    end: date | None
    signed_on: date | None = None
    before_signing: bool = False
    fill: Decimal | None = None


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


def _months_before(spec: Window, fin: Financing, param: dict[str, Decimal]) -> int:
    """How many months before signing the window opens: none where the scheme wants a reason
    and the line records none."""
    if not spec.months_before or (spec.before_requires_reason and not fin.pre_signing_reason):
        return 0
    return int(param[spec.months_before])


def window_of(
    spec: Window | None, seq: int, fin: Financing, kind: Kind, param: dict[str, Decimal]
) -> AgreementWindow:
    """One financing line's window (manifest values win over parameters)."""
    start, end = fin.window_start, fin.window_end
    before = 0
    if spec is not None and spec.anchor in ("signed_on", "signed_on_onwards") and fin.signed_on:
        if start is None:
            before = _months_before(spec, fin, param)
            start = add_months(fin.signed_on, -before)
        if end is None and spec.anchor == "signed_on" and spec.months_after:
            name = (
                spec.months_after_animation
                if kind is Kind.ANIMATION and spec.months_after_animation
                else spec.months_after
            )
            end = add_months(fin.signed_on, int(param[name]))
    opens_early = bool(start and fin.signed_on and start < fin.signed_on)
    return AgreementWindow(seq, start, end, fin.signed_on, opens_early)


def windows(
    spec: Window | None, plan: list[tuple[int, Financing]], kind: Kind, param: dict[str, Decimal]
) -> list[AgreementWindow]:
    """The windows of a scheme's financing lines, all read with the same parameters."""
    return [window_of(spec, seq, fin, kind, param) for seq, fin in plan]


def col(scheme: str, name: str) -> str:
    """The column holding the scheme's `name`, in the plan rows and the wide rows."""
    return f'"{scheme}__{name}"'


def _in_window(scheme: str, k: int) -> str:
    """The document date is in the plan row's `k`-th window."""
    return f"e.doc_date BETWEEN {col(scheme, f'lo{k}')} AND {col(scheme, f'hi{k}')}"


def held(el: Eligibility, scheme: str, k: int) -> str:
    """The `k`-th agreement can take the expense: its window holds the date and, for the
    categories that count only from signing, the date is not before the signing."""
    test = _in_window(scheme, k)
    if el.not_before_signing:
        signed = f"coalesce({col(scheme, f'signed{k}')}, DATE '0001-01-01')"
        early = f"list_contains({literal(el.not_before_signing)}, e.category)"
        test += f" AND NOT ({early} AND e.doc_date < {signed})"
    return f"({test})"


def _window_case(el: Eligibility, scheme: str, count: int) -> str:
    """SQL choosing the first agreement (in plan-row order) that can take the expense. The
    windows are the plan row's (rules/plan.py): `count` of them, as many as the production with
    the most financing lines of the scheme has; a production without the scheme has none (NULL).
    Schemes whose agreements stand on their own may reassign it (rules/wide.py's fill)."""
    if not count:
        return "NULL::INTEGER"
    arms = [
        f"WHEN {held(el, scheme, k)} THEN {col(scheme, f'seq{k}')}" for k in range(1, count + 1)
    ]
    return "CASE " + " ".join(arms) + " END"


def _window_tests(el: Eligibility, scheme: str, count: int) -> dict[str, str]:
    """The window tests: which agreement takes the expense, whether a window holds its date,
    whether its date suits its category (not before signing where the scheme says so), and
    whether the production has the scheme at all (what a measure with no window requires)."""
    if not count:
        return {
            "agreement_seq": "NULL::INTEGER",
            "in_plan": "FALSE",
            "in_window": "FALSE",
            "timing_ok": "TRUE",
        }
    seq = _window_case(el, scheme, count)
    raw = " OR ".join(_in_window(scheme, k) for k in range(1, count + 1))
    timing = (
        f"(NOT coalesce({raw}, FALSE) OR ({seq}) IS NOT NULL)" if el.not_before_signing else "TRUE"
    )
    return {
        "agreement_seq": seq,
        "in_plan": f"{col(scheme, 'seq1')} IS NOT NULL",
        "in_window": f"coalesce({raw}, FALSE)",
        "timing_ok": timing,
    }


#: the payee's addresses a scheme's territory test may read (rules/model.py's
#: `payee_address`), most wanted first: (address basis, its territory column of the tested rows)
ADDRESS_ORDER = {
    "invoice": (),
    "seat_of_operations": (
        ("seat_of_operations", "e.payee_seat_territory"),
        ("registered_office", "e.payee_office_territory"),
    ),
    "registered_office": (("registered_office", "e.payee_office_territory"),),
}
#: the address bases an expense can be tested on, as the long relation's `address_used` says
ADDRESS_BASES = ("seat_of_operations", "registered_office", "invoice_address")


def payee_territory(payee_address: str) -> str:
    """SQL of the territory a scheme tests: of the first recorded address the scheme wants,
    else the invoice's."""
    found = [column for _, column in ADDRESS_ORDER[payee_address]]
    return f"coalesce({', '.join([*found, 'e.territory'])})" if found else "e.territory"


def address_used(payee_address: str) -> str:
    """SQL naming the address the territory test read (an ADDRESS_BASES value)."""
    arms = [
        f"WHEN {column} IS NOT NULL THEN {literal(basis)}"
        for basis, column in ADDRESS_ORDER[payee_address]
    ]
    if not arms:
        return "'invoice_address'"
    return f"CASE {' '.join(arms)} ELSE 'invoice_address' END"


def _territory_test(territories: list[str], territory: str = "e.territory") -> str:
    if not territories:
        return "TRUE"
    exact = [t for t in territories if not t.endswith("*")]
    prefixes = [t[:-1] for t in territories if t.endswith("*")]
    parts = [f"list_contains({literal(exact)}, {territory})"] if exact else []
    parts += [f"starts_with({territory}, {literal(p)})" for p in prefixes]
    return "(" + " OR ".join(parts) + ")"


def _payee_test(el: Eligibility) -> str:
    """`av_company_or_person`: a person, or a company with an audiovisual activity;
    `vat_registered`: a payee with a valid VAT number (a VAT-paying company or freelancer: a
    payslip or a payee without one does not count); the exempt categories count anyway."""
    if el.payee == "vat_registered":
        return "coalesce(e.supplier_vat_valid, FALSE)"
    if el.payee != "av_company_or_person":
        return "TRUE"
    exempt = (
        f" OR list_contains({literal(el.payee_exempt_categories)}, e.category)"
        if el.payee_exempt_categories
        else ""
    )
    return f"(e.payee_type = 'person' OR coalesce(e.av_company, FALSE){exempt})"


def _regime_test(el: Eligibility) -> str:
    """A payee established abroad and taxable in Belgium counts only under the regime the
    scheme names (the Tax Shelter: the ordinary regime, not the flat withholding)."""
    if el.abroad_regime is None:
        return "TRUE"
    regime = literal(el.abroad_regime)
    return (
        f"(NOT coalesce(e.be_taxable, FALSE) OR e.country = 'BE' "
        f"OR coalesce(e.be_tax_regime = {regime}, FALSE))"
    )


def _category_test(el: Eligibility, scheme: str) -> str:
    """The expense's category is not excluded: by the pack's list, or, where the list is dated,
    by the one in force on the production's signing date (its plan row's `excluded`)."""
    if el.dated_exclusions:
        return f"NOT coalesce(list_contains({col(scheme, 'excluded')}, e.category), FALSE)"
    if not el.excluded_categories:
        return "TRUE"
    return f"NOT list_contains({literal(el.exclusions_on(date.min))}, e.category)"


def tests_sql(el: Eligibility, scheme: str, windows: int) -> dict[str, str]:
    """Each test of the scheme as a SQL boolean over `v_expenses e` joined with its plan row."""
    return {
        **_window_tests(el, scheme, windows),
        "territory_ok": _territory_test(el.territories, payee_territory(el.payee_address)),
        "payee_ok": _payee_test(el),
        "category_ok": _category_test(el, scheme),
        "class_ok": f"NOT list_contains({literal(el.excluded_ts_classes)}, e.ts_class)"
        if el.excluded_ts_classes
        else "TRUE",
        "be_taxable_ok": "coalesce(e.be_taxable, FALSE)" if el.be_taxable_required else "TRUE",
        "regime_ok": _regime_test(el),
        "eea_ok": "e.territory <> 'OTHER'",
        "address_used": address_used(el.payee_address),
    }


REASON_OF = {  # test column -> reason code when it fails
    "in_window": "outside_window",
    "timing_ok": "before_signing",
    "territory_ok": "territory",
    "payee_ok": "payee_not_audiovisual",
    "category_ok": "category_excluded",
    "class_ok": "class_excluded",
    "be_taxable_ok": "not_taxable_in_belgium",
    "regime_ok": "abroad_not_ordinary_regime",
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
    "in_plan": "BOOLEAN",
    "in_window": "BOOLEAN",
    "timing_ok": "BOOLEAN",
    "territory_ok": "BOOLEAN",
    "payee_ok": "BOOLEAN",
    "category_ok": "BOOLEAN",
    "class_ok": "BOOLEAN",
    "be_taxable_ok": "BOOLEAN",
    "regime_ok": "BOOLEAN",
    "eea_ok": "BOOLEAN",
    "counts": "BOOLEAN",
    "eligible_amount": "DECIMAL(18,2)",
    "reasons": "VARCHAR[]",
    "address_used": "VARCHAR",
}


@dataclass(frozen=True)
class SchemeTests:
    """One scheme's eligibility as SQL over `v_expenses e` and the production's plan row: its
    tests (tests_sql), whether the producer-fee cap and the hotel caps apply, and how many
    agreements are filled in order (0: the first window that holds an expense takes it). The
    same for every production; what differs (windows, ratios, caps) is in the plan rows."""

    scheme: str
    tests: dict[str, str]
    fee_cap: bool
    hotel: bool
    fill: int = 0
    held: tuple[str, ...] = ()  # with fill: each agreement's "can take the expense" test
    agreements: int = 0  # agreements that stand on their own: how many the plan rows hold
    dated_exclusions: bool = False  # the plan rows hold each production's excluded categories
    payee_address: str = "invoice"  # which of the payee's addresses the territory test reads
    #: the reason code of a failed payee test (it depends on the test: `_payee_test`)
    payee_reason: str = "payee_not_audiovisual"

    @property
    def reads_suppliers(self) -> bool:
        """The territory test reads a supplier record (not only the invoice's address)."""
        return self.payee_address != "invoice"


@dataclass(frozen=True)
class SchemeValues:
    """One production's own values of a scheme: its windows (one per financing line), the
    producer-fee cap ratio and the hotel caps per night (Paris, elsewhere), as resolved on the
    signing date."""

    windows: list[AgreementWindow]
    fee_cap: Decimal | None
    hotel: tuple[Decimal, Decimal] | None
    excluded: list[str] | None = None  # dated exclusions: the list in force on the signing


def has_fee_cap(pack: Pack) -> bool:
    """A producer-fee cap applies (the pack's eligibility names its ratio parameter)."""
    el = pack.eligibility
    return el is not None and el.producer_fee_cap is not None


def separate_agreements(pack: Pack) -> bool:
    """Each financing line of the scheme is an agreement that stands on its own."""
    el = pack.eligibility
    return bool(el and el.window and el.window.separate_agreements)


def scheme_lines(manifest: Manifest, pack: Pack) -> list[tuple[int, Financing]]:
    """The scheme's financing lines as its plan row numbers them: by position in the plan, or,
    where agreements stand on their own, 1..n in signing order (undated lines last), so that
    agreement k is the k-th signed everywhere a result or an expense names it."""
    lines = [f for f in manifest.financing if f.scheme == pack.scheme]
    if not separate_agreements(pack):
        return [
            (i, f) for i, f in enumerate(manifest.financing, start=1) if f.scheme == pack.scheme
        ]
    ordered = sorted(lines, key=lambda f: (f.signed_on is None, f.signed_on or date.max))
    return list(enumerate(ordered, start=1))


def scheme_values(
    manifest: Manifest,
    pack: Pack,
    param: dict[str, Decimal],
    line_params: list[dict[str, Decimal]] | None = None,
    fills: list[Decimal | None] | None = None,
) -> SchemeValues:
    """A production's windows, fee-cap ratio and hotel caps of one scheme. `line_params` gives
    each agreement's parameters (in force on its own signing date) and `fills` what each is
    filled up to, in the order of scheme_lines, where agreements stand on their own."""
    assert pack.eligibility is not None
    el = pack.eligibility
    wins = [
        window_of(el.window, seq, fin, manifest.kind, line_params[i] if line_params else param)
        for i, (seq, fin) in enumerate(scheme_lines(manifest, pack))
    ]
    if fills:
        wins = [replace(w, fill=f) for w, f in zip(wins, fills, strict=True)]
    fee_cap = param[el.producer_fee_cap] if el.producer_fee_cap else None
    hotel = (param["hotel_cap_paris"], param["hotel_cap_other"]) if el.hotel_caps else None
    signed = [f.signed_on for _, f in scheme_lines(manifest, pack) if f.signed_on]
    excluded = (
        el.exclusions_on(min(signed) if signed else date.max) if el.dated_exclusions else None
    )
    return SchemeValues(wins, fee_cap, hotel, excluded)


def scheme_tests(pack: Pack, count: int) -> SchemeTests:
    """The tests and caps of one scheme over plan rows holding `count` windows; agreements that
    stand on their own are filled in order when there can be two or more."""
    assert pack.eligibility is not None
    el = pack.eligibility
    fill = count if count >= 2 and el.window is not None and el.window.fill else 0
    return SchemeTests(
        pack.scheme,
        tests_sql(el, pack.scheme, count),
        has_fee_cap(pack),
        el.hotel_caps,
        fill,
        tuple(held(el, pack.scheme, k) for k in range(1, fill + 1)),
        count if separate_agreements(pack) else 0,
        el.dated_exclusions,
        el.payee_address,
        "payee_not_vat_registered" if el.payee == "vat_registered" else "payee_not_audiovisual",
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
    "av_company, be_taxable, be_tax_regime, country, nights, fr_department, supplier_vat_valid"
)
#: the supplier record's territories a scheme with `payee_address` reads (v_supplier_sites,
#: joined on the production and the expense's supplier key)
SUPPLIER_COLUMNS = (
    "s.seat_territory AS payee_seat_territory, s.office_territory AS payee_office_territory"
)
