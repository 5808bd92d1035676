"""The financing plan's identities and its checks across fields: what a single field's
validation cannot see (a tranche at a milestone the schedule lacks, tranches above their source,
a condition naming no rule). Each problem names the manifest field, as pydantic's do, so that
`production add` refuses the manifest with every problem listed and writes nothing.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from finance.domain.errors import Problem
from finance.domain.models import Financing, Manifest
from finance.domain.packs import rule_ids
from finance.domain.tranches import Milestone, SourceStatus, Tranche


def source_ids(manifest: Manifest) -> list[str]:
    """Each financing line's id, in plan order: its own `id`, else its scheme, else (a scheme
    with several lines) the scheme and its rank among them (`other-2`)."""
    counts = Counter(f.scheme for f in manifest.financing)
    ranks: Counter[str] = Counter()
    ids = []
    for line in manifest.financing:
        ranks[line.scheme] += 1
        if line.id:
            ids.append(line.id)
        elif counts[line.scheme] == 1:
            ids.append(str(line.scheme))
        else:
            ids.append(f"{line.scheme}-{ranks[line.scheme]}")
    return ids


def tranche_ids(source_id: str, line: Financing) -> list[str]:
    """Each tranche's id: its own `id`, else the source's id and its rank (`<source>/2`)."""
    return [t.id or f"{source_id}/{n}" for n, t in enumerate(line.tranches, start=1)]


def tranche_amount(line: Financing, tranche: Tranche) -> Decimal:
    """A tranche's amount: its own, or its share of the source (to the cent)."""
    if tranche.amount is not None:
        return tranche.amount
    assert tranche.share is not None
    return (line.amount * tranche.share).quantize(Decimal("0.01"))


def tranche_totals(manifest: Manifest) -> dict[str, Decimal]:
    """Every tranche id of the plan and what it is worth in all (its retention included); a
    source without tranches is one tranche, named by the source's id, of its whole amount."""
    totals: dict[str, Decimal] = {}
    for sid, line in zip(source_ids(manifest), manifest.financing, strict=True):
        if not line.tranches:
            totals[sid] = line.amount
        for tid, tranche in zip(tranche_ids(sid, line), line.tranches, strict=True):
            totals[tid] = tranche_amount(line, tranche)
    return totals


def production_start(manifest: Manifest) -> date | None:
    """The earliest day the production is known to exist: its prep start or its first
    signature. Nothing of its financing can fall before it."""
    days = [f.signed_on for f in manifest.financing if f.signed_on]
    if manifest.schedule:
        days.append(manifest.schedule.prep_start)
    return min(days) if days else None


def milestone_date(manifest: Manifest, line: Financing, milestone: Milestone) -> date | None:
    """A milestone's date from the schedule (or the line's signature), None if not recorded."""
    if milestone is Milestone.SIGNATURE:
        return line.signed_on
    if manifest.schedule is None:
        return None
    value: date | None = getattr(manifest.schedule, milestone.value)
    return value


def _tranche_problems(
    manifest: Manifest, line: Financing, where: str, start: date | None
) -> list[Problem]:
    problems = []
    known_rules = rule_ids()
    for n, tranche in enumerate(line.tranches):
        here = f"{where}.tranches.{n}"
        if isinstance(tranche.due, Milestone):
            if milestone_date(manifest, line, tranche.due) is None:
                what = "signed_on" if tranche.due is Milestone.SIGNATURE else "schedule"
                problems.append(
                    Problem(
                        f"the milestone {tranche.due.value} has no date: the {what} does not "
                        "give it",
                        column=f"{here}.due",
                        value=tranche.due.value,
                    )
                )
        elif start is not None and tranche.due < start:
            problems.append(
                Problem(
                    f"before the production's first date ({start.isoformat()})",
                    column=f"{here}.due",
                    value=tranche.due.isoformat(),
                )
            )
        kept = tranche.retention if tranche.retention is not None else line.retention
        if kept and (manifest.schedule is None or manifest.schedule.final_cost_statement is None):
            problems.append(
                Problem(
                    "a retention is paid at the final cost statement: the schedule does not "
                    "give final_cost_statement",
                    column=f"{here}.retention" if tranche.retention else f"{where}.retention",
                )
            )
        if tranche.condition and tranche.condition not in known_rules:
            problems.append(
                Problem(
                    "no rule of the packs has this id",
                    column=f"{here}.condition",
                    value=tranche.condition,
                )
            )
    total = sum((tranche_amount(line, t) for t in line.tranches), Decimal(0))
    if total > line.amount:
        problems.append(
            Problem(
                f"the tranches add up to {total:.2f}, more than the source's amount "
                f"{line.amount:.2f}",
                column=f"{where}.tranches",
            )
        )
    return problems


def plan_problems(manifest: Manifest, file: str | None = None) -> list[Problem]:
    """Every problem of the financing plan that spans fields, located by field path."""
    problems = []
    ids = source_ids(manifest)
    start = production_start(manifest)
    for i, (line, sid) in enumerate(zip(manifest.financing, ids, strict=True)):
        where = f"financing.{i}"
        if ids.count(sid) > 1:
            problems.append(Problem("two sources have this id", column=f"{where}.id", value=sid))
        first = next(f for f in manifest.financing if f.scheme == line.scheme)
        if line.strand != first.strand:
            problems.append(
                Problem(
                    f"the lines of {line.scheme} name different strands: one aid, one strand",
                    column=f"{where}.strand",
                    value=line.strand,
                )
            )
        problems += _tranche_problems(manifest, line, where, start)
    all_tranches = [
        t for s, f in zip(ids, manifest.financing, strict=True) for t in tranche_ids(s, f)
    ]
    for tid, count in Counter(all_tranches).items():
        if count > 1:
            problems.append(Problem("two tranches have this id", column="financing", value=tid))
    return [Problem(p.reason, file, p.row, p.column, p.value) for p in problems]


def status_of(line: Financing) -> SourceStatus:
    """The line's status: as written, else signed when it has a signing date, else expected."""
    if line.status is not None:
        return line.status
    return SourceStatus.SIGNED if line.signed_on else SourceStatus.EXPECTED
