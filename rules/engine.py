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

from finance.domain import i18n
from finance.domain.models import Manifest
from finance.domain.money import ZERO
from finance.store.reference import class_mapping_confidence
from rules.eligibility import (
    AgreementWindow,
)
from rules.facts import (
    DETAIL_FACTS,
    Bound,
    DetailInput,
    FactContext,
    threshold_value,
    unrecorded,
    value_of,
)
from rules.loader import load_measures, load_packs
from rules.measures import MeasureValue
from rules.model import Confidence, Operator, Pack, RuleDecl, Status
from rules.sentences import explain, rule_text, strand_words

#: traits a pack may have (rules/model.py's Pack); a rule's applies_to may name them
TRAITS = ("public_aid", "territorial_obligation", "aid_tied_obligation")


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
    #: whether every input the result rests on is verified against a legal text, and which are not
    verified: bool = True
    unverified: list[str] = field(default_factory=list)
    #: a scheme whose agreements stand on their own: each agreement's figures (the result is the
    #: work's verdict: failing if any agreement fails)
    agreements: list[dict[str, Any]] = field(default_factory=list)
    #: the value the spend supports (the Tax Shelter's supportable V) and how it is reached
    supportable_value: Decimal | None = None
    supportable: dict[str, Any] = field(default_factory=dict)
    #: what measured, threshold and shortfall count: money, or days (a deadline's margin)
    unit: str = "money"


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
    #: (measure, k) -> the measure for agreement k alone (schemes whose agreements stand alone)
    by_agreement: dict[tuple[str, int], MeasureValue] = field(default_factory=dict)
    #: the devis each budget base leaves out (facts.budget_exclusion's key -> amount)
    budget_excluded: dict[str, Decimal] = field(default_factory=dict)

    @cached_property
    def values(self) -> dict[str, Decimal]:
        """Each parameter's value by qualified name (what facts read), built once per run."""
        return {k: v[1].value for k, v in self.params.items()}


def _signing_date(manifest: Manifest, scheme: str, at: date) -> date:
    dates = [f.signed_on for f in manifest.financing if f.scheme == scheme and f.signed_on]
    return min(dates) if dates else at


def pack_parameters(pack: Pack, day: date) -> dict[str, Any]:
    """A pack's parameters in force on `day`, by qualified name: (valid_from, value, parameter)."""
    out = {}
    for name, param in pack.parameters.items():
        valid_from, value = param.at(day)
        out[f"{pack.scheme}.{name}"] = (valid_from, value, param)
    return out


def resolve_parameters(manifest: Manifest, packs: dict[str, Pack], at: date) -> dict[str, Any]:
    """Each parameter's value in force on its scheme's signing date (else on `at`)."""
    out: dict[str, Any] = {}
    for scheme, pack in packs.items():
        out |= pack_parameters(pack, _signing_date(manifest, scheme, at))
    return out


def plan_keys(manifest: Manifest, packs: dict[str, Pack]) -> set[str]:
    """The schemes of the plan and the traits of their packs: what a rule's applies_to names."""
    schemes = {str(s) for s in manifest.schemes()}
    traits = {t for s in schemes if s in packs for t in TRAITS if getattr(packs[s], t, None)}
    return schemes | traits


def active_packs(manifest: Manifest) -> dict[str, Pack]:
    """The packs of the schemes in the plan, plus those with a rule that applies to a scheme
    (or a trait) of the plan (the EU ceilings when a territorial fund is), plus the
    double-counting packs when two schemes of the plan have eligibility tests."""
    packs = load_packs()
    plan = plan_keys(manifest, packs)
    chosen = {s: p for s, p in packs.items() if s in plan and p.activation == "plan"}
    for scheme, pack in packs.items():
        applies = any(set(r.applies_to) & plan for r in pack.rules)
        if scheme not in chosen and pack.activation == "plan" and applies:
            chosen[scheme] = pack
    if sum(1 for p in chosen.values() if p.eligibility is not None) >= 2:
        chosen |= {s: p for s, p in packs.items() if p.activation == "overlap"}
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


def _window_source(ctx: RunContext, scheme: str) -> str | None:
    """Where the scheme's spending window comes from: `contract` (every financing line gives
    window_start and window_end), `default` (the pack's rule from the signing sets an end of at
    least one line), `open` (a line has an end set by nothing: every date counts there);
    None for a scheme without eligibility tests."""
    el = ctx.packs[scheme].eligibility
    if el is None:
        return None
    spec = el.window
    anchored = spec is not None and spec.anchor in ("signed_on", "signed_on_onwards")
    ends = spec is not None and (  # from the signing on, with no end: the rule's own design
        spec.anchor == "signed_on_onwards" or bool(spec.anchor == "signed_on" and spec.months_after)
    )
    found = set()
    for f in ctx.manifest.financing:
        if f.scheme != scheme:
            continue
        start = "contract" if f.window_start else "default" if anchored and f.signed_on else "open"
        end = "contract" if f.window_end else "default" if ends and f.signed_on else "open"
        found |= {start, end}
    return next((s for s in ("open", "default", "contract") if s in found), None)


def _window_info(ctx: RunContext, scheme: str) -> dict[str, Any]:
    wins = ctx.windows.get(scheme, [])
    ends = [w.end for w in wins]
    end = max(ends) if ends and all(ends) else None  # type: ignore[type-var]
    if end is None and ctx.manifest.schedule is not None and ctx.packs[scheme].schedule_window:
        end = ctx.manifest.schedule.post_end
    starts = [w.start for w in wins if w.start]
    return {
        "start": min(starts).isoformat() if starts else None,
        "end": end.isoformat() if end else None,
        "closed": bool(end and ctx.at > end),
        "source": _window_source(ctx, scheme),
    }


def _status(rule: RuleDecl, met: bool, projected_met: bool, closed: bool) -> Status:
    if met or rule.severity == "info":  # info: the limit caps a figure its details show
        return Status.PASS
    if rule.severity == "warn":
        return Status.WARN
    if rule.operator is Operator.GTE and not closed and projected_met:
        return Status.WARN
    return Status.FAIL


def _pending(
    rule: RuleDecl, ctx: RunContext, scheme: str, status: Status, margin: Decimal
) -> Status:
    """A met rule whose obligation is not recorded as done (its `pending_field` unset on one of
    the scheme's lines) and whose margin has come within `pending_warn_days` is on track only:
    warn."""
    if rule.pending_field is None or status is not Status.PASS:
        return status
    lines = [f for f in ctx.manifest.financing if f.scheme == scheme]
    done = all(getattr(f, rule.pending_field, None) is not None for f in lines)
    return Status.WARN if not done and margin <= rule.pending_warn_days else Status.PASS


def _compare(op: Operator, value: Decimal, threshold: Decimal) -> bool:
    return value >= threshold if op is Operator.GTE else value <= threshold


def _gap(rule: RuleDecl, value: Decimal, threshold: Decimal) -> Decimal:
    """How far the value misses the threshold (none for an `info` limit: nothing is owed)."""
    if rule.severity == "info":
        return ZERO
    op = rule.operator
    return max(threshold - value, ZERO) if op is Operator.GTE else max(value - threshold, ZERO)


def fact_context(ctx: RunContext, measures: dict[str, Decimal]) -> FactContext:
    return FactContext(
        ctx.manifest,
        ctx.values,
        ctx.budget,
        ctx.eac,
        measures,
        load_packs(),
        ctx.at,
        ctx.budget_excluded,
    )


def _missing_data(ctx: RunContext, scheme: str) -> str | None:
    """Why a scheme's rules cannot be evaluated, if they cannot."""
    if not ctx.packs[scheme].financing_line.signing_required:
        return None
    lines = [f for f in ctx.manifest.financing if f.scheme == scheme]
    if any(f.signed_on is None and f.window_start is None for f in lines):
        return i18n.text("result.no_signing_date")
    return None


def _other_strand(rule: RuleDecl, ctx: RunContext, scheme: str) -> str | None:
    """The strand of the scheme's lines when the rule belongs to other strands, else None."""
    if not rule.strands:
        return None
    strands = {f.strand for f in ctx.manifest.financing if f.scheme == scheme}
    own = sorted(s for s in strands if s)
    return None if strands & set(rule.strands) else (own[0] if own else "")


def _figures(rule: RuleDecl, ctx: RunContext, mv: dict[str, MeasureValue]) -> dict[str, Any]:
    """Measured, projected and both thresholds of a rule, with its evidence count."""
    now = fact_context(ctx, {k: v.measured for k, v in mv.items()})
    later = fact_context(ctx, {k: v.projected for k, v in mv.items()})
    minimum = rule.operator is Operator.GTE  # a minimum rounds up, a maximum down
    if rule.measured in mv:
        m = mv[rule.measured]
        measured, projected, count = m.measured, m.projected, m.evidence_count
    else:
        measured = projected = value_of(rule.measured, now)
        count = 0
    return {
        "measured": measured,
        "projected": projected,
        "evidence_count": count,
        "threshold": threshold_value(rule.threshold, now, minimum),
        "projected_threshold": threshold_value(rule.threshold, later, minimum),
    }


def _details(
    rule: RuleDecl, scheme: str, ctx: RunContext, fig: dict[str, Any], mv: dict[str, MeasureValue]
) -> dict[str, Any]:
    """Rule-specific figures a reader needs (the rule's `details` fact): V after the pro-rata
    reduction, a tax credit's estimate; where the scheme tests a supplier's recorded address,
    how much of the measured spend rests on each address (`address_basis`)."""
    found = mv.get(rule.measured)
    basis = {"address_basis": {b: str(v) for b, v in found.basis}} if found and found.basis else {}
    if rule.details is None:
        return basis
    facts = fact_context(ctx, {k: v.measured for k, v in mv.items()})
    given = DetailInput(
        facts, fig["measured"], fig["threshold"], lambda key: i18n.text(f"{scheme}.{key}")
    )
    return {**DETAIL_FACTS[rule.details.fact](given, Bound(scheme, rule.details.args)), **basis}


def rule_parameters(ctx: RunContext, scheme: str, rule: RuleDecl) -> dict[str, Decimal]:
    """The values of the parameters a rule lists, by short name (what its sentences show)."""
    return {name: ctx.values[f"{scheme}.{name}"] for name in rule.parameters}


def reads_spend(pack: Pack, rule: RuleDecl) -> bool:
    """The rule's figures rest on the scheme's eligible spend: it is measured on a spend measure
    or its threshold is a share of one."""
    scheme, _, short = rule.threshold.partition(".")
    threshold = load_packs()[scheme].thresholds.get(short) if scheme in load_packs() else None
    return rule.measured in load_measures() or bool(threshold and "measure" in threshold.args)


def _eligibility_parameters(pack: Pack) -> list[str]:
    """The parameters the eligibility tests read: windows, the producer-fee cap, hotel caps."""
    el = pack.eligibility
    if el is None:
        return []
    w = el.window
    names = [w.months_before, w.months_after, w.months_after_animation] if w else []
    names += [el.producer_fee_cap] + (
        ["hotel_cap_paris", "hotel_cap_other"] if el.hotel_caps else []
    )
    return [n for n in names if n and n in pack.parameters]


def input_parameters(pack: Pack, rule: RuleDecl) -> list[str]:
    """The parameters a result rests on: the rule's own, then, where it reads the scheme's
    spend, those of the windows and caps the eligibility tests use (listed with their sources
    like the rule's own)."""
    extra = _eligibility_parameters(pack) if reads_spend(pack, rule) else []
    return [*rule.parameters, *(n for n in extra if n not in rule.parameters)]


def _spend_inputs(pack: Pack) -> list[str]:
    """What a rule reading the scheme's spend rests on besides parameters: the eligibility
    choices and their own readings below high, and the taxonomy's direct/indirect mapping when
    the scheme reads Tax Shelter classes."""
    el = pack.eligibility
    if el is None:
        return []
    out = []
    if el.confidence is not Confidence.HIGH:
        out.append(f"eligibility ({el.confidence.value})")
    out += [
        f"{name} ({r.confidence.value})"
        for name, r in el.readings.items()
        if r.confidence is not Confidence.HIGH
    ]
    uses_classes = (
        el.excluded_ts_classes
        or el.producer_fee_cap
        or any(m.ts_classes for m in pack.measures.values())
    )
    confidence = class_mapping_confidence()
    if uses_classes and confidence != Confidence.HIGH.value:
        out.append(f"class_mapping ({confidence})")
    return out


def _verification(pack: Pack, params: list[dict[str, Any]], rule: RuleDecl) -> dict[str, Any]:
    """The inputs of a result not checked against a legal text (issue 16, point 18: everything
    it depends on): its parameters whose value is not verified, the rule's own reading below
    high, and, where it reads the scheme's spend, the eligibility's own inputs (_spend_inputs)."""
    unverified = [p["name"] for p in params if not p["verified"]]
    if rule.reading is not None and rule.reading.confidence is not Confidence.HIGH:
        unverified.append(f"reading ({rule.reading.confidence.value})")
    if reads_spend(pack, rule):
        unverified += _spend_inputs(pack)
    return {"verified": not unverified, "unverified": unverified}


def _without_figures(base: dict[str, Any], status: Status, explanation: str) -> RuleResult:
    """A result that measured nothing (not applicable, or data missing), with its reason."""
    return RuleResult(
        **base,
        status=status,
        measured=None,
        threshold=None,
        shortfall=None,
        projected=None,
        projected_threshold=None,
        projected_shortfall=None,
        spend_where=None,
        explanation=explanation,
        evidence_count=0,
    )


def evaluate_rule(
    rule: RuleDecl, pack: Pack, ctx: RunContext, mv: dict[str, MeasureValue]
) -> RuleResult:
    """One rule: figures, status, shortfall, explanation and parameters."""
    rid = f"{pack.scheme}.{rule.id}"
    params = _param_list(ctx, pack.scheme, input_parameters(pack, rule))
    window = _window_info(ctx, pack.scheme)
    plan = plan_keys(ctx.manifest, ctx.packs)
    values = rule_parameters(ctx, pack.scheme, rule)
    currency = ctx.manifest.currency
    base: dict[str, Any] = {
        "rule_id": rid,
        "scheme": pack.scheme,
        "title": rule_text(pack.scheme, rule.id, "title", "en", currency, **values),
        "reference": rule.reference,
        "parameters": params,
        "window": window,
        "unit": rule.unit,
        **_verification(pack, params, rule),
    }
    if rule.applies_to and not set(rule.applies_to) & plan:
        return _without_figures(base, Status.NOT_APPLICABLE, i18n.text("result.not_concerned"))
    other_strand = _other_strand(rule, ctx, pack.scheme)
    if other_strand is not None:
        base["details"] = {"strand": other_strand}
        words = strand_words(pack.scheme, other_strand)
        return _without_figures(
            base, Status.NOT_APPLICABLE, i18n.text("result.other_strand", strand=words)
        )
    lacking = unrecorded(ctx.manifest, rule.requires)
    if lacking:
        reason = i18n.text("result.not_recorded", field=", ".join(lacking))
        base["details"] = {"not_recorded": ", ".join(lacking)}  # said again in any language
        return _without_figures(base, Status.NOT_APPLICABLE, reason)
    day = _signing_date(ctx.manifest, pack.scheme, ctx.at)
    if not all(pack.parameters[name].in_force(day) for name in rule.parameters):
        reason = i18n.text("result.not_in_force", day=day.isoformat())
        base["details"] = {"not_in_force_on": day.isoformat()}  # to say it again in any language
        return _without_figures(base, Status.NOT_APPLICABLE, reason)
    missing = _missing_data(ctx, pack.scheme)
    lacking = unrecorded(ctx.manifest, rule.needs)
    if lacking and not missing:
        base["details"] = {"not_given": ", ".join(lacking)}  # said again in any language
        missing = i18n.text("result.not_given", field=", ".join(lacking))
    if missing:
        return _without_figures(base, Status.INSUFFICIENT_DATA, missing)
    fig = _figures(rule, ctx, mv)
    met = _compare(rule.operator, fig["measured"], fig["threshold"])
    projected_met = _compare(rule.operator, fig["projected"], fig["projected_threshold"])
    status = _status(rule, met, projected_met, window["closed"])
    status = _pending(rule, ctx, pack.scheme, status, fig["measured"])
    measure = load_measures().get(rule.measured)
    return RuleResult(
        **base,
        status=status,
        measured=fig["measured"],
        threshold=fig["threshold"],
        shortfall=_gap(rule, fig["measured"], fig["threshold"]),
        projected=fig["projected"],
        projected_threshold=fig["projected_threshold"],
        projected_shortfall=_gap(rule, fig["projected"], fig["projected_threshold"]),
        spend_where=measure.spend_where if measure else None,
        explanation=explain(
            pack.scheme,
            rule.id,
            rule.operator,
            met,
            fig["measured"],
            fig["threshold"],
            currency,
            values,
        ),
        evidence_count=fig["evidence_count"],
        details=_details(rule, pack.scheme, ctx, fig, mv),
    )


def scheme_parameters(params: dict[str, Any], scheme: str) -> dict[str, Any]:
    """The resolved values of one scheme's parameters, by short name."""
    return {k.split(".", 1)[1]: v[1].value for k, v in params.items() if k.startswith(scheme + ".")}
