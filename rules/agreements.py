"""Agreements that stand on their own (the Tax Shelter's framework agreements, 194ter): each
has its own window, its parameters in force on its own signing date and its own qualifying
spend, and an expense counts for one of them only (rules/wide.py fills them in signing order).

A rule that says `per_agreement` is evaluated for each agreement on the plan as that agreement
alone sees it (the scheme's other lines left out, its measures summed over the expenses it
took), and the work's result is the worst of them, with each agreement's figures listed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from finance.domain import i18n
from finance.domain.models import Financing, Manifest
from finance.domain.money import ZERO
from rules.eligibility import (
    AgreementWindow,
    SchemeValues,
    scheme_lines,
    scheme_values,
    separate_agreements,
)
from rules.engine import RuleResult, RunContext, pack_parameters, scheme_parameters
from rules.facts import FactContext, threshold_value
from rules.measures import MeasureValue
from rules.model import Pack, Status, worst_status


def agreement_manifest(manifest: Manifest, scheme: str, line: Financing) -> Manifest:
    """The plan as one agreement of a scheme sees it: the scheme's other lines left out."""
    kept = [f for f in manifest.financing if f.scheme != scheme or f is line]
    return manifest.model_copy(update={"financing": kept})


def _line_parameters(pack: Pack, line: Financing, at: date) -> dict[str, Decimal]:
    """An agreement's own parameters (in force on its signing date), by short name."""
    resolved = pack_parameters(pack, line.signed_on or at)
    return scheme_parameters(resolved, pack.scheme)


def _fill(manifest: Manifest, pack: Pack, line: Financing, at: date) -> Decimal | None:
    """What an agreement is filled up to before a later one takes the expenses both can take:
    the pack's `fill` threshold computed on the agreement alone (from the plan and the
    parameters: the budget and the measures are not known yet, and a fill threshold must not
    read them; the loader checks it)."""
    el = pack.eligibility
    if el is None or el.window is None or el.window.fill is None or line.signed_on is None:
        return None
    params = {k: v[1].value for k, v in pack_parameters(pack, line.signed_on).items()}
    c = FactContext(
        agreement_manifest(manifest, pack.scheme, line), params, ZERO, ZERO, {}, {pack.scheme: pack}
    )
    return threshold_value(f"{pack.scheme}.{el.window.fill}", c)


def _values_of(manifest: Manifest, pack: Pack, params: dict[str, Any], at: date) -> SchemeValues:
    own = scheme_parameters(params, pack.scheme)
    if not separate_agreements(pack):
        return scheme_values(manifest, pack, own)
    lines = [f for _, f in scheme_lines(manifest, pack)]
    return scheme_values(
        manifest,
        pack,
        own,
        [_line_parameters(pack, f, at) for f in lines],
        [_fill(manifest, pack, f, at) for f in lines],
    )


def scheme_values_of(
    manifest: Manifest, packs: dict[str, Pack], params: dict[str, Any], at: date
) -> dict[str, SchemeValues]:
    """The production's own values (windows, fee-cap ratio, hotel caps) of every territorial
    scheme of its plan (rules/plan.py puts them in its plan row); where agreements stand on
    their own, each window from the agreement's own parameters."""
    return {
        scheme: _values_of(manifest, pack, params, at)
        for scheme, pack in packs.items()
        if pack.eligibility is not None
    }


@dataclass(frozen=True)
class Agreement:
    """One agreement of a scheme whose agreements stand on their own, as its rules see it: its
    number (signing order), its financing line, and the run context and measures of the work
    with that agreement alone."""

    k: int
    line: Financing
    ctx: RunContext
    mv: dict[str, MeasureValue]


def _last_open(wins: list[AgreementWindow], at: date) -> int | None:
    """The agreement whose window stays open longest as at `at` (the planned remaining of the
    budget is placed there), None when every window has closed."""
    open_ = [w for w in wins if w.end is None or w.end >= at]
    if not open_:
        return None
    return max(open_, key=lambda w: (w.end or date.max, w.seq)).seq


def agreements_of(ctx: RunContext, pack: Pack, mv: dict[str, MeasureValue]) -> list[Agreement]:
    """Each agreement of a scheme whose agreements stand on their own, in signing order."""
    if not separate_agreements(pack):
        return []
    wins = {w.seq: w for w in ctx.windows.get(pack.scheme, [])}
    last = _last_open(list(wins.values()), ctx.at)
    out = []
    for k, line in scheme_lines(ctx.manifest, pack):
        day = line.signed_on or ctx.at
        params = {**ctx.params, **pack_parameters(pack, day)}
        own = {
            name: replace(value, planned=mv[name].planned if k == last else ZERO)
            for (name, seq), value in ctx.by_agreement.items()
            if seq == k
        }
        sub = replace(
            ctx,
            manifest=agreement_manifest(ctx.manifest, pack.scheme, line),
            params=params,
            windows={**ctx.windows, pack.scheme: [wins[k]] if k in wins else []},
        )
        out.append(Agreement(k, line, sub, {**mv, **own}))
    return out


def agreement_entry(a: Agreement, pack: Pack, r: RuleResult) -> dict[str, Any]:
    """What a result lists of one agreement."""
    w = a.ctx.windows.get(pack.scheme, [])
    fields_ = {name: getattr(a.line, name) for name in pack.financing_line.requires}
    return {
        "agreement": a.k,
        "label": a.line.label,
        "signed_on": a.line.signed_on,
        "amount": a.line.amount,
        **fields_,
        "window": {
            **r.window,
            "opens_before_signing": bool(w and w[0].before_signing),
            "pre_signing_reason": a.line.pre_signing_reason,
        },
        "status": r.status.value,
        "measured": r.measured,
        "threshold": r.threshold,
        "shortfall": r.shortfall,
        "projected": r.projected,
        "projected_threshold": r.projected_threshold,
        "projected_shortfall": r.projected_shortfall,
        "evidence_count": r.evidence_count,
        "explanation": r.explanation,
        "not_in_force_on": r.details.get("not_in_force_on"),
        "supportable_value": r.supportable_value,
        "supportable": r.supportable,
    }


def _total(values: list[Decimal | None]) -> Decimal | None:
    found = [v for v in values if v is not None]
    return sum(found, ZERO) if found else None


def _tightest(parts: list[RuleResult]) -> RuleResult:
    """The agreement with the least measured figure (a deadline's margin) among those measured
    and not yet passed (an agreement whose certificate was issued in time is done), else among
    every measured one."""
    measured = [r for r in parts if r.measured is not None]
    open_ = [r for r in measured if r.status is not Status.PASS] or measured
    return min(open_, key=lambda r: r.measured or ZERO) if open_ else parts[0]


def work_result(
    parts: list[RuleResult], entries: list[dict[str, Any]], combine: str = "sum"
) -> RuleResult:
    """The work's result from its agreements': the worst status, the figures summed (a surplus
    of one agreement never makes up the shortfall of another: the shortfalls are summed too),
    or, with `combine: min`, the tightest agreement's figures (a deadline)."""
    if len(parts) == 1:
        return replace(parts[0], agreements=entries)
    figures = parts
    if combine == "min":
        figures = [_tightest(parts)]
    status = worst_status(r.status for r in parts)
    label = [
        i18n.text("result.agreement", k=str(e["agreement"]), day=str(e["signed_on"] or "?"))
        for e in entries
    ]
    return replace(
        parts[0],
        status=status,
        measured=_total([r.measured for r in figures]),
        threshold=_total([r.threshold for r in figures]),
        shortfall=_total([r.shortfall for r in figures]),
        projected=_total([r.projected for r in figures]),
        projected_threshold=_total([r.projected_threshold for r in figures]),
        projected_shortfall=_total([r.projected_shortfall for r in figures]),
        evidence_count=sum(r.evidence_count for r in parts),
        explanation="; ".join(f"{n}: {r.explanation}" for n, r in zip(label, parts, strict=True)),
        window=_span([r.window for r in parts]),
        details={},
        agreements=entries,
        verified=all(r.verified for r in parts),
        unverified=sorted({u for r in parts for u in r.unverified}),
    )


def _span(windows: list[dict[str, Any]]) -> dict[str, Any]:
    """The work's window: from the first agreement's start to the last one's end."""
    starts = [w["start"] for w in windows if w.get("start")]
    ends = [w["end"] for w in windows if w.get("end")]
    end = max(ends) if ends and len(ends) == len(windows) else None
    return {
        "start": min(starts) if starts else None,
        "end": end,
        "closed": all(w.get("closed") for w in windows),
    }
