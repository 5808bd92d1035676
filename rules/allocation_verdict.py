"""The double-counting rule's verdict once the invoices are allocated (issue 20).

The check measures the spend that counts for two schemes excluding each other when every
expense counts for every scheme it is eligible for. The justification files follow the
allocation, where no euro counts twice; the rule then says what the files count:

- every obligation of the exclusive schemes met (or none short): *allocated without overlap*,
  passed, the measured figure being what the allocation counts twice (nothing), the spend
  eligible for both kept in the details and the evidence (those invoices, each in one file);
- an obligation of those schemes that the check's counting meets but that stays short even
  with the best allocation (the exclusivity costs it spend): the rule's own failing status (its
  severity), naming each such obligation and its shortfall. An obligation short for lack of
  eligible spend, overlap or not, is left to its own rule.

The rule's threshold, parameters and evidence count stay the check's.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from finance.domain.money import ZERO
from rules.allocation import Allocation
from rules.cumulation import exclusive_pairs, overlap_measure
from rules.engine import RuleResult
from rules.loader import load_packs
from rules.model import Status
from rules.sentences import ALLOCATION_DETAILS, allocated_sentence


def overlap_rule_ids() -> set[str]:
    """The rules measured on the double-counting measure (`scheme.rule`)."""
    overlap = overlap_measure()
    return {
        f"{pk.scheme}.{r.id}"
        for pk in load_packs().values()
        for r in pk.rules
        if overlap is not None and r.measured == overlap
    }


def needs_allocation(results: list[RuleResult]) -> bool:
    """Whether the allocation can differ from the check's counting: the double counting is
    evaluated (two schemes with eligibility tests) and the check finds some, or a scheme's
    agreements stand on their own (the check fills them in order; the allocation may do
    better). Otherwise every expense counts, as the check says, for every obligation it is
    eligible for, and the files are the check's. Results the allocation already decided (their
    details say so) need it too."""
    ids = overlap_rule_ids()
    overlap = [r for r in results if r.rule_id in ids and r.status is not Status.NOT_APPLICABLE]
    if not overlap:
        return False
    found = any(
        ALLOCATION_DETAILS in r.details or r.measured is None or r.measured != 0 for r in overlap
    )
    return found or any(len(r.agreements) >= 2 for r in results)


def exclusive_short(a: Allocation) -> list[tuple[str, Decimal]]:
    """(claim, shortfall) of each obligation the exclusivity leaves short: of a scheme in an
    exclusive pair of the plan, met by the check's counting (every expense for every scheme it
    is eligible for) but short even with the best allocation. An obligation short for lack of
    eligible spend, overlap or not, is its own rule's failure, not the double counting's."""
    present = {f.claim.scheme for f in a.claims}
    bound = {s for pair in exclusive_pairs() if set(pair) <= present for s in pair}
    return [
        (f.claim.key, -f.margin)
        for f in a.claims
        if f.claim.scheme in bound
        and f.margin is not None
        and f.margin < 0
        and (f.claim.check_figure is None or f.claim.check_figure >= (f.claim.required or ZERO))
    ]


def with_allocation(results: list[RuleResult], a: Allocation) -> list[RuleResult]:
    """The results with the double-counting rule's verdict after the allocation (module
    docstring); the others unchanged."""
    ids = overlap_rule_ids()
    out = []
    for r in results:
        if r.rule_id not in ids or r.status is Status.NOT_APPLICABLE or r.measured is None:
            out.append(r)
            continue
        short = exclusive_short(a)
        pack = load_packs()[r.scheme]
        rule = next(x for x in pack.rules if f"{pack.scheme}.{x.id}" == r.rule_id)
        failing = {"fail": Status.FAIL, "warn": Status.WARN}.get(rule.severity, Status.PASS)
        details = {
            **r.details,
            ALLOCATION_DETAILS: {
                "eligible_twice": r.measured,
                "double_counted": a.double_counted,
                "short": [{"claim": k, "shortfall": v} for k, v in short],
            },
        }
        shortfall = sum((v for _, v in short), ZERO)
        out.append(
            replace(
                r,
                measured=a.double_counted,
                shortfall=shortfall if short else ZERO,
                status=failing if short or a.double_counted > 0 else Status.PASS,
                explanation=allocated_sentence(details[ALLOCATION_DETAILS], "en"),
                details=details,
            )
        )
    return out
