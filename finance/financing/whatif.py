"""What-ifs: move the shooting start, delay a tranche, drop a source, and see the plan, the cash
low point and the funders' obligations beside today's, without changing stored data.

A what-if is applied to a copy of the stored manifest: moving the shooting start moves the shoot,
the post-production, the delivery and the final cost statement by the same number of weeks (the
preparation grows or shrinks), so every tranche tied to those milestones moves, and so do the
funders' windows that end with the schedule; the spend still to come is spread over the moved
phases. Ids are pinned first, so that dropping a source does not rename the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from finance.domain import i18n
from finance.domain.financing_plan import source_ids, tranche_ids
from finance.domain.models import Financing, Manifest
from finance.domain.tranches import Tranche
from finance.financing.run import FinancingView, financing_views
from finance.store.db import connect
from finance.store.productions import get_manifest
from rules.engine import RuleResult
from rules.setwise import evaluate_all


@dataclass(frozen=True)
class WhatIf:
    """The changes of a scenario: weeks the shooting start moves (negative: earlier), weeks
    each tranche is delayed (by tranche id), the sources dropped (by source id)."""

    shift_shoot_weeks: int = 0
    delays: dict[str, int] = field(default_factory=dict)
    drops: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.shift_shoot_weeks or self.delays or self.drops)


def _pinned(manifest: Manifest) -> list[Financing]:
    """The plan's lines with their ids (and their tranches') written in."""
    lines = []
    for sid, line in zip(source_ids(manifest), manifest.financing, strict=True):
        tranches = [
            t.model_copy(update={"id": tid})
            for t, tid in zip(line.tranches, tranche_ids(sid, line), strict=True)
        ]
        lines.append(line.model_copy(update={"id": sid, "tranches": tranches}))
    return lines


def _delayed(line: Financing, delays: dict[str, int]) -> Financing:
    if not line.tranches and line.id in delays and line.signed_on:
        due = line.signed_on + timedelta(weeks=delays[line.id])
        whole = Tranche(amount=line.amount, due=due, id=line.id)
        return line.model_copy(update={"tranches": [whole]})
    moved = [
        t.model_copy(update={"days_after": t.days_after + 7 * delays[t.id]})
        if t.id in delays
        else t
        for t in line.tranches
    ]
    return line.model_copy(update={"tranches": moved})


def _known_ids(lines: list[Financing]) -> tuple[set[str], set[str]]:
    sources = {str(line.id) for line in lines}
    tranches = {str(t.id) for line in lines for t in line.tranches}
    tranches |= {str(line.id) for line in lines if not line.tranches}
    return sources, tranches


def apply(manifest: Manifest, what_if: WhatIf) -> Manifest:
    """The manifest as the what-if has it; an unknown source or tranche id is a UserError."""
    lines = _pinned(manifest)
    sources, tranches = _known_ids(lines)
    unknown = sorted((set(what_if.drops) - sources) | (set(what_if.delays) - tranches))
    if unknown:
        raise i18n.error(
            "error.whatif.unknown",
            ids=", ".join(unknown),
            known=", ".join(sorted(tranches | sources)),
        )
    lines = [_delayed(line, what_if.delays) for line in lines if line.id not in what_if.drops]
    update: dict[str, Any] = {"financing": lines}
    s = manifest.schedule
    if s is not None and what_if.shift_shoot_weeks:
        step = timedelta(weeks=what_if.shift_shoot_weeks)
        moved = {
            name: getattr(s, name) + step
            for name in ("shoot_start", "shoot_end", "post_end", "delivery", "final_cost_statement")
            if getattr(s, name) is not None
        }
        if moved["shoot_start"] < s.prep_start:
            raise i18n.error("error.whatif.before_prep", weeks=str(abs(what_if.shift_shoot_weeks)))
        update["schedule"] = s.model_copy(update=moved)
    return manifest.model_copy(update=update)


@dataclass(frozen=True)
class Comparison:
    """Today's view and the what-if's, with the payments that moved and the funders' results
    side by side (status and window of each rule, today and in the what-if)."""

    today: FinancingView
    scenario: FinancingView
    moved: pl.DataFrame
    rules: pl.DataFrame


def _rules_frame(results: list[RuleResult], suffix: str) -> pl.DataFrame:
    rows = [
        {
            "rule_id": r.rule_id,
            "scheme": r.scheme,
            f"status{suffix}": r.status.value,
            f"window_end{suffix}": date.fromisoformat(r.window["end"])
            if r.window.get("end")
            else None,
            f"shortfall{suffix}": r.shortfall,
        }
        for r in results
    ]
    schema: dict[str, Any] = {
        "rule_id": pl.String,
        "scheme": pl.String,
        f"status{suffix}": pl.String,
        f"window_end{suffix}": pl.Date,
        f"shortfall{suffix}": pl.Decimal(18, 2),
    }
    return pl.DataFrame(rows, schema=schema)


def _moved(today: FinancingView, scenario: FinancingView) -> pl.DataFrame:
    """The payments still outstanding whose expected date differs (or that are dropped)."""
    keys = ["tranche_id", "rank"]
    return (
        today.payments.filter(pl.col("outstanding") > 0)
        .select(*keys, "source_id", "part", "outstanding", "expected_on", "state")
        .join(
            scenario.payments.select(*keys, pl.col("expected_on").alias("expected_on_what_if")),
            on=keys,
            how="left",
        )
        .filter(pl.col("expected_on").ne_missing(pl.col("expected_on_what_if")))
    )


def compare(db: Path | None, production_id: str, at: date, what_if: WhatIf) -> Comparison:
    """Today's financing and the what-if's, each with its own rule evaluation, read-only."""
    with connect(db, read_only=True) as con:
        stored = get_manifest(con, production_id)
        changed = apply(stored, what_if)
        found_today = evaluate_all(con, [stored], at)[0]
        found_then = evaluate_all(con, [changed], at)[0]
        today = financing_views(con, [stored], at, _statuses(stored.id, found_today))[production_id]
        then = financing_views(con, [changed], at, _statuses(stored.id, found_then))[production_id]
    rules = _rules_frame(found_today, "").join(
        _rules_frame(found_then, "_what_if").drop("scheme"), on="rule_id", how="left"
    )
    return Comparison(today, then, _moved(today, then), rules)


def _statuses(production_id: str, results: list[RuleResult]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"production_id": production_id, "rule_id": r.rule_id, "status": r.status.value}
            for r in results
        ],
        schema={"production_id": pl.String, "rule_id": pl.String, "status": pl.String},
    )
