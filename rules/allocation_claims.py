"""The obligations an allocation serves (issue 20): a production's claims, from its packs and
the check's results, never from a scheme named here.

Every scheme of the plan with eligibility tests is a claim; where its pack names a
`territorial_obligation`, the rule measured on a spend measure against that threshold gives what
the claim must reach (per agreement where the scheme's agreements stand on their own, each
agreement a claim with its own window and threshold), else the claim has no threshold (a tax
credit's base: what is left goes there). What an expense counts for a claim is the check's own
figure (the measure's `where` and `amount` over the wide eligibility rows, rules/wide.py),
restricted to the agreement's window for an agreement. The claims are built from a production's
draft alone, so a portfolio check builds them without a plan or a query per production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb

from finance.store.productions import get_manifest
from rules.eligibility import col, scheme_lines, scheme_tests, separate_agreements
from rules.engine import RuleResult
from rules.loader import load_measures
from rules.model import Pack, RuleDecl
from rules.setwise import Draft, draft, evaluate_all, plan_of
from rules.wide import qualify, wide_relation

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Claim:
    """One obligation (or a scheme's base): its scheme, its agreement where agreements stand on
    their own, what it must reach (None: no threshold), what a euro short costs, the rule it
    comes from and the check's figure (every expense counted for every scheme)."""

    scheme: str
    agreement: int | None
    label: str | None
    required: Decimal | None
    weight: Decimal
    rule_id: str | None
    check_figure: Decimal | None
    where: str
    amount: str
    naive_where: str

    @property
    def key(self) -> str:
        """`scheme` or `scheme/k` (an agreement)."""
        return self.scheme if self.agreement is None else f"{self.scheme}/{self.agreement}"


def _obligation_rule(pack: Pack) -> RuleDecl | None:
    """The rule measured on a spend measure of the pack against its territorial obligation."""
    if pack.territorial_obligation is None:
        return None
    threshold = f"{pack.scheme}.{pack.territorial_obligation}"
    measures = load_measures()
    return next(
        (r for r in pack.rules if r.threshold == threshold and r.measured in measures), None
    )


def money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT)


def _claims_of(
    pack: Pack, results: dict[str, RuleResult], fill: int, manifest_lines: dict[int, str | None]
) -> list[Claim]:
    """The claims of one scheme of the plan."""
    scheme = pack.scheme
    rule = _obligation_rule(pack)
    weight = pack.shortfall_weight
    seq = col(scheme, "agreement_seq")
    if rule is None:
        where, amount = col(scheme, "counts"), col(scheme, "eligible_amount")
        return [Claim(scheme, None, None, None, weight, None, None, where, amount, where)]
    measure = load_measures()[rule.measured]
    where, amount = qualify(measure.where, scheme), qualify(measure.amount, scheme)
    result = results.get(f"{scheme}.{rule.id}")
    if not (separate_agreements(pack) and measure.per_agreement):
        required = money(result.threshold) if result else None
        measured = money(result.measured) if result else None
        rid = result.rule_id if result else None
        return [Claim(scheme, None, None, required, weight, rid, measured, where, amount, where)]
    entries = {e["agreement"]: e for e in (result.agreements if result else [])}
    out = []
    for k, label in manifest_lines.items():
        held = col(scheme, f"held{k}") if fill >= 2 else f"{seq} = {k}"
        entry = entries.get(k, {})
        out.append(
            Claim(
                scheme,
                k,
                label,
                money(entry.get("threshold")),
                weight,
                result.rule_id if result else None,
                money(entry.get("measured")),
                f"({where}) AND coalesce({held}, FALSE)",
                amount,
                f"({where}) AND {seq} = {k}",
            )
        )
    return out


def draft_claims(d: Draft, results: list[RuleResult]) -> list[Claim]:
    """A production's claims in the plan's order, from its draft and the check's results. An
    agreement's test is the one its own plan row would use (filled in order from two agreements
    on), whatever the other productions checked with it hold."""
    by_id = {r.rule_id: r for r in results}
    order = list(dict.fromkeys(str(f.scheme) for f in d.manifest.financing))
    claims: list[Claim] = []
    for scheme in order:
        pack = d.packs.get(scheme)
        if pack is None or pack.eligibility is None or scheme not in d.values:
            continue
        fill = scheme_tests(pack, len(d.values[scheme].windows)).fill
        lines = {k: f.label for k, f in scheme_lines(d.manifest, pack)}
        claims += _claims_of(pack, by_id, fill, lines)
    return claims


def production_claims(
    con: duckdb.DuckDBPyConnection,
    production_id: str,
    at: date,
    results: list[RuleResult] | None = None,
) -> tuple[list[Claim], str, list[RuleResult]]:
    """The production's claims in the plan's order, the wide relation they are read from, and
    the check's results as at `at` (evaluated, not stored, unless the caller has them)."""
    manifest = get_manifest(con, production_id)
    d = draft(manifest, at)
    if results is None:
        results = evaluate_all(con, [manifest], at)[0]
    return draft_claims(d, results), wide_relation(plan_of([d])), results
