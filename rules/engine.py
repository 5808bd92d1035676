"""Evaluate every rule of every scheme in a production's financing plan, as at a date.

Each result carries its evidence: measured value, threshold, the parameters used with their
sources and confidence, the projection at completion and where a shortfall must be spent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from finance.domain.models import Manifest, Scheme
from finance.domain.money import ZERO
from rules.eligibility import AgreementWindow, SchemeValues, scheme_values
from rules.facts import MEASURES, THRESHOLDS, VALUES, FactContext, ceil_cent
from rules.loader import load_packs
from rules.measures import MeasureValue
from rules.model import Operator, Pack, RuleDecl, Status
from rules.sentences import explain


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome, exactly what `check --format json` prints (money as Decimal here)."""

    rule_id: str
    scheme: str
    title: str
    reference: str
    status: Status
    measured: Decimal | None
    threshold: Decimal | None
    shortfall: Decimal | None
    projected: Decimal | None
    projected_threshold: Decimal | None
    projected_shortfall: Decimal | None
    spend_where: str | None
    explanation: str
    parameters: list[dict[str, Any]]
    evidence_count: int
    window: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunContext:
    """Everything a run reads once: plan, packs, parameters, budget totals, windows."""

    manifest: Manifest
    at: date
    packs: dict[str, Pack]
    params: dict[str, Any]  # qualified name -> (valid_from, DatedValue, Parameter)
    budget: Decimal
    eac: Decimal
    windows: dict[str, list[AgreementWindow]]

    @cached_property
    def values(self) -> dict[str, Decimal]:
        """Each parameter's value by qualified name (what facts read), built once per run."""
        return {k: v[1].value for k, v in self.params.items()}


def _signing_date(manifest: Manifest, scheme: str, at: date) -> date:
    dates = [f.signed_on for f in manifest.financing if f.scheme.value == scheme and f.signed_on]
    return min(dates) if dates else at


def resolve_parameters(manifest: Manifest, packs: dict[str, Pack], at: date) -> dict[str, Any]:
    """Each parameter's value in force on its scheme's signing date (else on `at`)."""
    out = {}
    for scheme, pack in packs.items():
        day = _signing_date(manifest, scheme, at)
        for name, param in pack.parameters.items():
            valid_from, value = param.at(day)
            out[f"{scheme}.{name}"] = (valid_from, value, param)
    return out


def active_packs(manifest: Manifest) -> dict[str, Pack]:
    """The packs of the schemes in the plan, plus the EU ceilings when a territorial fund is."""
    packs = load_packs()
    plan = {s.value for s in manifest.schemes()}
    chosen = {s: p for s, p in packs.items() if s in plan}
    for scheme, pack in packs.items():
        if scheme not in chosen and any(set(r.applies_to) & plan for r in pack.rules):
            chosen[scheme] = pack
    if sum(1 for p in chosen.values() if p.eligibility is not None) >= 2:
        chosen["cumulation"] = packs["cumulation"]
    return chosen


def _param_list(ctx: RunContext, scheme: str, names: list[str]) -> list[dict[str, Any]]:
    out = []
    for name in names:
        valid_from, value, param = ctx.params[f"{scheme}.{name}"]
        out.append(
            {
                "name": name,
                "value": str(value.value),
                "unit": param.unit,
                "confidence": value.confidence.value,
                "verified": value.verified,
                "source": value.source,
                "reference": param.reference,
                "title": param.title,
                "valid_from": valid_from.isoformat(),
                **({"note": value.note} if value.note else {}),
            }
        )
    return out


def _window_info(ctx: RunContext, scheme: str) -> dict[str, Any]:
    wins = ctx.windows.get(scheme, [])
    ends = [w.end for w in wins]
    end = max(ends) if ends and all(ends) else None  # type: ignore[type-var]
    if end is None and ctx.manifest.schedule is not None and scheme not in ("eu",):
        end = ctx.manifest.schedule.post_end
    starts = [w.start for w in wins if w.start]
    return {
        "start": min(starts).isoformat() if starts else None,
        "end": end.isoformat() if end else None,
        "closed": bool(end and ctx.at > end),
    }


def _status(rule: RuleDecl, met: bool, projected_met: bool, closed: bool) -> Status:
    if met:
        return Status.PASS
    if rule.severity == "warn":
        return Status.WARN
    if rule.operator is Operator.GTE and not closed and projected_met:
        return Status.WARN
    return Status.FAIL


def _compare(op: Operator, value: Decimal, threshold: Decimal) -> bool:
    return value >= threshold if op is Operator.GTE else value <= threshold


def _gap(op: Operator, value: Decimal, threshold: Decimal) -> Decimal:
    return max(threshold - value, ZERO) if op is Operator.GTE else max(value - threshold, ZERO)


def _fact_context(ctx: RunContext, measures: dict[str, Decimal]) -> FactContext:
    return FactContext(ctx.manifest, ctx.values, ctx.budget, ctx.eac, measures)


def _missing_data(ctx: RunContext, scheme: str) -> str | None:
    """Why a scheme's rules cannot be evaluated, if they cannot."""
    lines = [f for f in ctx.manifest.financing if f.scheme.value == scheme]
    if scheme == "be_tax_shelter" and any(
        f.signed_on is None and f.window_start is None for f in lines
    ):
        return "the framework agreement has no signed_on date: the spending window cannot be set"
    return None


def _figures(rule: RuleDecl, ctx: RunContext, mv: dict[str, MeasureValue]) -> dict[str, Any]:
    """Measured, projected and both thresholds of a rule, with its evidence count."""
    now = _fact_context(ctx, {k: v.measured for k, v in mv.items()})
    later = _fact_context(ctx, {k: v.projected for k, v in mv.items()})
    if rule.measured in mv:
        m = mv[rule.measured]
        measured, projected, count = m.measured, m.projected, m.evidence_count
    else:
        measured = projected = VALUES[rule.measured](now)
        count = 0
    return {
        "measured": measured,
        "projected": projected,
        "evidence_count": count,
        "threshold": THRESHOLDS[rule.threshold](now),
        "projected_threshold": THRESHOLDS[rule.threshold](later),
    }


def _details(
    rule: RuleDecl, ctx: RunContext, fig: dict[str, Any], mv: dict[str, MeasureValue]
) -> dict[str, Any]:
    """Rule-specific figures a reader needs: V after the pro-rata reduction, the CIC estimate."""
    params = ctx.values
    if rule.threshold == "be_tax_shelter.required_direct_spend":
        ratio = params["be_tax_shelter.direct_share_min"]
        belgian = mv["be_tax_shelter.belgian_spend"].measured
        share = fig["measured"] / belgian if belgian else ZERO
        v = _fact_context(ctx, {}).plan_sum(Scheme.BE_TAX_SHELTER, "fiscal_value")
        allowed = v if share >= ratio else (v * share / ratio).quantize(Decimal("0.01"))
        extra = ceil_cent(max((fig["threshold"] - fig["measured"]) / (1 - ratio), ZERO))
        return {
            "direct_share": f"{share:.4f}",
            "allowed_fiscal_value": f"{allowed:.2f}",
            "additional_direct_spend_needed": f"{extra:.2f}",
        }
    if rule.threshold == "fr_cic.base_cap":
        base = min(fig["measured"], fig["threshold"])
        rate = params["fr_cic.rate_other"]
        return {
            "eligible_base": f"{base:.2f}",
            "rate": str(rate),
            "estimated_credit": f"{(base * rate).quantize(Decimal('0.01')):.2f}",
            "note": "rate for other works (conservative); subsidies allocated to eligible spend are not yet deducted",
        }
    return {}


def evaluate_rule(
    rule: RuleDecl, pack: Pack, ctx: RunContext, mv: dict[str, MeasureValue]
) -> RuleResult:
    """One rule: figures, status, shortfall, explanation and parameters."""
    rid = f"{pack.scheme}.{rule.id}"
    params = _param_list(ctx, pack.scheme, rule.parameters)
    window = _window_info(ctx, pack.scheme)
    plan = {s.value for s in ctx.manifest.schemes()}
    base: dict[str, Any] = {
        "rule_id": rid,
        "scheme": pack.scheme,
        "title": rule.title,
        "reference": rule.reference,
        "parameters": params,
        "window": window,
    }
    if rule.applies_to and not set(rule.applies_to) & plan:
        return RuleResult(
            **base,
            status=Status.NOT_APPLICABLE,
            measured=None,
            threshold=None,
            shortfall=None,
            projected=None,
            projected_threshold=None,
            projected_shortfall=None,
            spend_where=None,
            explanation="no scheme of the plan is concerned",
            evidence_count=0,
        )
    missing = _missing_data(ctx, pack.scheme)
    if missing:
        return RuleResult(
            **base,
            status=Status.INSUFFICIENT_DATA,
            measured=None,
            threshold=None,
            shortfall=None,
            projected=None,
            projected_threshold=None,
            projected_shortfall=None,
            spend_where=None,
            explanation=missing,
            evidence_count=0,
        )
    fig = _figures(rule, ctx, mv)
    met = _compare(rule.operator, fig["measured"], fig["threshold"])
    projected_met = _compare(rule.operator, fig["projected"], fig["projected_threshold"])
    status = _status(rule, met, projected_met, window["closed"])
    measure = MEASURES.get(rule.measured)
    return RuleResult(
        **base,
        status=status,
        measured=fig["measured"],
        threshold=fig["threshold"],
        shortfall=_gap(rule.operator, fig["measured"], fig["threshold"]),
        projected=fig["projected"],
        projected_threshold=fig["projected_threshold"],
        projected_shortfall=_gap(rule.operator, fig["projected"], fig["projected_threshold"]),
        spend_where=measure.spend_where if measure else None,
        explanation=explain(
            rule.explanation,
            rule.operator,
            met,
            fig["measured"],
            fig["threshold"],
            ctx.manifest.currency,
        ),
        evidence_count=fig["evidence_count"],
        details=_details(rule, ctx, fig, mv),
    )


def scheme_parameters(params: dict[str, Any], scheme: str) -> dict[str, Any]:
    """The resolved values of one scheme's parameters, by short name."""
    return {k.split(".", 1)[1]: v[1].value for k, v in params.items() if k.startswith(scheme + ".")}


def scheme_values_of(
    manifest: Manifest, packs: dict[str, Pack], params: dict[str, Any]
) -> dict[str, SchemeValues]:
    """The production's own values (windows, fee-cap ratio, hotel caps) of every territorial
    scheme of its plan (rules/plan.py puts them in its plan row)."""
    return {
        scheme: scheme_values(manifest, pack, scheme_parameters(params, scheme))
        for scheme, pack in packs.items()
        if pack.eligibility is not None
    }


def evaluate_rules(ctx: RunContext, mv: dict[str, MeasureValue]) -> list[RuleResult]:
    """Every rule of every active pack, in plan order, from the run's measure values."""
    return [
        evaluate_rule(rule, pack, ctx, mv) for pack in ctx.packs.values() for rule in pack.rules
    ]
