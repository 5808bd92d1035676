"""Named facts: the arithmetic of the rules, reviewed as code (OpenFisca habit).

A *measure* is a spend fact over the eligibility relation (rules/eligibility.py): the rows that count and what each
contributes, so its evidence adds up to its value. A *value* fact reads the financing plan or
the budget. A *threshold* fact combines parameters with the plan. Rules (pack.yaml) only name
them: new arithmetic means a new fact here, not an expression hidden in YAML.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from finance.domain.models import Kind, Manifest, Scheme
from finance.domain.money import ZERO, to_money


@dataclass(frozen=True)
class Measure:
    """A spend fact: eligibility rows of `scheme` passing `where`, each contributing `amount`."""

    scheme: str
    where: str
    amount: str
    plan_territories: tuple[str, ...]  # planned budget-line territories counted in projection
    plan_ts_classes: tuple[str, ...] = ()  # restrict projected lines to these classes
    spend_where: str = ""


MEASURES: dict[str, Measure] = {
    "be_tax_shelter.belgian_spend": Measure(
        "be_tax_shelter", "counts", "eligible_amount", ("BE-*",), spend_where="BE"
    ),
    "be_tax_shelter.direct_spend": Measure(
        "be_tax_shelter",
        "counts AND ts_class = 'direct'",
        "eligible_amount",
        ("BE-*",),
        ("direct",),
        spend_where="BE (directly linked)",
    ),
    "be_tax_shelter.eea_spend": Measure(
        "be_tax_shelter",
        "in_window AND class_ok AND eea_ok",
        "CASE WHEN counts THEN eligible_amount ELSE amount END",
        ("BE-*", "FR*", "EEA"),
        spend_where="EEA",
    ),
    "wallimage.walloon_spend": Measure(
        "wallimage", "counts", "eligible_amount", ("BE-WAL",), spend_where="BE-WAL"
    ),
    "screen_brussels.brussels_spend": Measure(
        "screen_brussels", "counts", "eligible_amount", ("BE-BRU",), spend_where="BE-BRU"
    ),
    "cnc_acm.french_spend": Measure(
        "cnc_acm", "counts", "eligible_amount", ("FR*",), spend_where="FR"
    ),
    "fr_cic.eligible_spend": Measure(
        "fr_cic", "counts", "eligible_amount", ("FR*",), spend_where="FR"
    ),
}

PUBLIC_AID = (Scheme.BE_TAX_SHELTER, Scheme.WALLIMAGE, Scheme.SCREEN_BRUSSELS, Scheme.CNC_ACM)
TERRITORIAL = (Scheme.WALLIMAGE, Scheme.SCREEN_BRUSSELS, Scheme.CNC_ACM)


@dataclass(frozen=True)
class FactContext:
    """What value and threshold facts read: the plan, the parameters, the budget and measures."""

    manifest: Manifest
    params: dict[str, Decimal]  # scheme-qualified: "wallimage.min_walloon_spend_ratio"
    budget: Decimal  # manifest budget_total, else the devis total
    estimate_at_completion: Decimal
    measures: dict[str, Decimal]  # measured (or projected) value of each measure

    def plan_sum(self, scheme: Scheme, field: str = "amount") -> Decimal:
        return sum(
            (getattr(f, field) or ZERO for f in self.manifest.financing if f.scheme is scheme), ZERO
        )

    def committed(self, scheme: Scheme) -> Decimal:
        return self.plan_sum(scheme, "committed_spend")

    def p(self, name: str) -> Decimal:
        return self.params[name]


def ceil_cent(value: Decimal) -> Decimal:
    """Round up to the cent: a minimum that is a quotient must not be rounded below itself."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_CEILING)


def _brussels_minimum(c: FactContext) -> Decimal:
    kind = "documentary" if c.manifest.kind is Kind.DOCUMENTARY else "feature"
    return c.p(f"screen_brussels.min_brussels_spend_{kind}")


def _required_territorial(c: FactContext, scheme: Scheme) -> Decimal:
    return {
        Scheme.WALLIMAGE: THRESHOLDS["wallimage.required_walloon_spend"],
        Scheme.SCREEN_BRUSSELS: THRESHOLDS["screen_brussels.required_brussels_spend"],
        Scheme.CNC_ACM: THRESHOLDS["cnc_acm.required_french_spend"],
    }[scheme](c)


def _obligation_excess(c: FactContext) -> Decimal:
    ratio = c.p("eu.territorial_obligation_max_ratio")
    return sum((max(c.committed(s) - ratio * c.plan_sum(s), ZERO) for s in TERRITORIAL), ZERO)


Fact = Callable[[FactContext], Decimal]

VALUES: dict[str, Fact] = {
    "be_tax_shelter.investment": lambda c: c.plan_sum(Scheme.BE_TAX_SHELTER),
    "be_tax_shelter.fiscal_value": lambda c: c.plan_sum(Scheme.BE_TAX_SHELTER, "fiscal_value"),
    "wallimage.investment": lambda c: c.plan_sum(Scheme.WALLIMAGE),
    "screen_brussels.aid": lambda c: c.plan_sum(Scheme.SCREEN_BRUSSELS),
    "cnc_acm.aid": lambda c: c.plan_sum(Scheme.CNC_ACM),
    "cnc_acm.public_aid": lambda c: sum((c.plan_sum(s) for s in PUBLIC_AID), ZERO),
    "eu.largest_obligation_ratio_excess": _obligation_excess,
    "eu.territorial_obligations": lambda c: sum(
        (_required_territorial(c, s) for s in TERRITORIAL if c.plan_sum(s) > 0), ZERO
    ),
}

THRESHOLDS: dict[str, Fact] = {
    "be_tax_shelter.required_belgian_spend": lambda c: to_money(
        c.plan_sum(Scheme.BE_TAX_SHELTER, "fiscal_value")
        * c.p("be_tax_shelter.belgian_spend_ratio")
    ),
    "be_tax_shelter.required_direct_spend": lambda c: to_money(
        c.measures["be_tax_shelter.belgian_spend"] * c.p("be_tax_shelter.direct_share_min")
    ),
    "be_tax_shelter.required_eea_spend": lambda c: ceil_cent(
        c.plan_sum(Scheme.BE_TAX_SHELTER, "fiscal_value") / c.p("be_tax_shelter.eea_cap_ratio")
    ),
    "be_tax_shelter.max_investment": lambda c: to_money(
        c.budget * c.p("be_tax_shelter.budget_share_max")
    ),
    "be_tax_shelter.max_value": lambda c: c.p("be_tax_shelter.max_value_per_work"),
    "wallimage.required_walloon_spend": lambda c: to_money(
        max(
            c.plan_sum(Scheme.WALLIMAGE) * c.p("wallimage.min_walloon_spend_ratio"),
            c.committed(Scheme.WALLIMAGE),
        )
    ),
    "wallimage.max_investment": lambda c: c.p("wallimage.max_investment"),
    "screen_brussels.required_brussels_spend": lambda c: to_money(
        max(_brussels_minimum(c), c.committed(Scheme.SCREEN_BRUSSELS))
    ),
    "screen_brussels.max_aid": lambda c: to_money(
        min(c.p("screen_brussels.max_aid"), c.budget * c.p("screen_brussels.max_aid_budget_share"))
    ),
    "cnc_acm.required_french_spend": lambda c: to_money(
        max(
            c.plan_sum(Scheme.CNC_ACM) * c.p("cnc_acm.french_spend_ratio"),
            c.committed(Scheme.CNC_ACM),
        )
    ),
    "cnc_acm.max_aid": lambda c: c.p("cnc_acm.max_aid_before_shooting"),
    "cnc_acm.max_public_aid": lambda c: to_money(
        c.estimate_at_completion
        * (
            c.p("cnc_acm.public_aid_intensity_max_low_budget")
            if c.estimate_at_completion <= c.p("cnc_acm.low_budget_final_cost")
            else c.p("cnc_acm.public_aid_intensity_max")
        )
    ),
    "fr_cic.base_cap": lambda c: to_money(c.budget * c.p("fr_cic.base_cap_ratio")),
    "eu.zero": lambda c: ZERO,
    "eu.max_territorial_obligations": lambda c: to_money(
        c.budget * c.p("eu.territorial_share_of_budget_max")
    ),
}
