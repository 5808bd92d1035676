"""Evaluate every rule of a production's active packs: per agreement where a rule says so
(rules/agreements.py), else on the whole plan (rules/engine.py), with the value the spend
supports where the pack declares one (the Tax Shelter's supportable V)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from finance.domain.money import ZERO
from rules.agreements import Agreement, agreement_entry, agreements_of, work_result
from rules.engine import RuleResult, RunContext, evaluate_rule, fact_context
from rules.facts import SUPPORTABLE_FACTS, Bound
from rules.measures import MeasureValue
from rules.model import Pack, RuleDecl


def _supportable(pack: Pack, ctx: RunContext, mv: dict[str, MeasureValue]) -> dict[str, Any]:
    """The pack's supportable value as at today (measured) and at completion (projected),
    with each factor (rules/facts.py's SUPPORTABLE_FACTS)."""
    assert pack.supportable is not None
    fact, bound = (
        SUPPORTABLE_FACTS[pack.supportable.fact],
        Bound(pack.scheme, pack.supportable.args),
    )
    now = fact(fact_context(ctx, {k: v.measured for k, v in mv.items()}), bound)
    later = fact(fact_context(ctx, {k: v.projected for k, v in mv.items()}), bound)
    return {**now, "at_completion": later}


def _with_supportable(
    pack: Pack, r: RuleResult, ctx: RunContext, mv: dict[str, MeasureValue]
) -> RuleResult:
    if pack.supportable is None or r.measured is None:
        return r
    found = _supportable(pack, ctx, mv)
    return replace(r, supportable_value=found["value"], supportable=found)


def _work_supportable(
    pack: Pack, ctx: RunContext, mv: dict[str, MeasureValue], agreements: list[Agreement]
) -> dict[str, Any]:
    """The work's supportable value: each agreement's (the whole plan's where agreements are
    pooled), summed, then the work-wide limit (the Tax Shelter's EEA spend)."""
    whole = _supportable(pack, ctx, mv)
    dated = [a for a in agreements if a.line.signed_on]
    parts = [_supportable(pack, a.ctx, a.mv) for a in dated] if dated else [whole]

    def capped(found: list[dict[str, Any]], limit: Decimal | None) -> dict[str, Any]:
        total = sum((p["value"] for p in found), ZERO)
        return {
            "value": min(total, limit) if limit is not None else total,
            "agreements_total": total,
            "work_limit": limit,
        }

    now = capped(parts, whole.get("work_limit"))
    later = capped([p["at_completion"] for p in parts], whole["at_completion"].get("work_limit"))
    if len(parts) >= 2:  # the pooled factors would mislead: each agreement lists its own
        return {**now, "at_completion": later}
    return {**parts[0], **now, "at_completion": {**parts[0]["at_completion"], **later}}


def _evaluate(
    rule: RuleDecl,
    pack: Pack,
    ctx: RunContext,
    mv: dict[str, MeasureValue],
    agreements: list[Agreement],
) -> RuleResult:
    """A rule of the work: per agreement where the rule says so, else on the whole plan."""
    if not (rule.per_agreement and agreements):
        return evaluate_rule(rule, pack, ctx, mv)
    parts = [
        _with_supportable(pack, evaluate_rule(rule, pack, a.ctx, a.mv), a.ctx, a.mv)
        for a in agreements
    ]
    entries = [agreement_entry(a, pack, r) for a, r in zip(agreements, parts, strict=True)]
    return work_result(parts, entries, rule.combine)


def evaluate_rules(ctx: RunContext, mv: dict[str, MeasureValue]) -> list[RuleResult]:
    """Every rule of every active pack, in plan order, from the run's measure values."""
    out = []
    for pack in ctx.packs.values():
        agreements = agreements_of(ctx, pack, mv)
        support = _work_supportable(pack, ctx, mv, agreements) if pack.supportable else None
        for rule in pack.rules:
            r = _evaluate(rule, pack, ctx, mv, agreements)
            if support is not None and r.measured is not None:
                r = replace(r, supportable_value=support["value"], supportable=support)
            out.append(r)
    return out
