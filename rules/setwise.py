"""Evaluate a set of productions in one pass: a portfolio's check, or one production's.

Per production, only what is its own runs in Python: the packs of its plan, its parameters
resolved on its signing dates, its windows and caps (its plan row, rules/plan.py) and, once the
figures are read, its rules. Everything that reads expenses or budget lines is one query for the
whole set: the measures (one pass over the wide eligibility rows grouped by production) and the
budget totals and planned remaining (one grouped query over the budget lines). A single
production's check is the same code over a set of one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb

from finance.domain.models import Manifest
from rules.agreements import scheme_values_of
from rules.eligibility import SchemeValues
from rules.engine import (
    RuleResult,
    RunContext,
    active_packs,
    resolve_parameters,
)
from rules.evaluate import evaluate_rules
from rules.loader import load_measures, load_packs
from rules.measures import (
    address_basis,
    agreement_values,
    basis_values,
    budget_exclusions,
    budget_rows,
    empty_row,
    measure_rows,
    measure_values,
    per_agreement,
)
from rules.model import Pack
from rules.narrow import Narrow
from rules.plan import Plan, build_plan


@dataclass(frozen=True)
class Draft:
    """What a production's check knows before reading its expenses: packs, parameters, its
    schemes' windows and caps, the measures its rules read, whether it checks double counting."""

    manifest: Manifest
    packs: dict[str, Pack]
    params: dict[str, Any]
    values: dict[str, SchemeValues]
    names: list[str]
    overlap: bool


def draft(manifest: Manifest, at: date) -> Draft:
    """A production's draft as at a date."""
    packs = active_packs(manifest)
    params = resolve_parameters(manifest, packs, at)
    measures = load_measures()
    names = sorted({r.measured for p in packs.values() for r in p.rules if r.measured in measures})
    values = scheme_values_of(manifest, packs, params, at)
    overlap = any(p.activation == "overlap" for p in packs.values())
    return Draft(manifest, packs, params, values, names, overlap)


def plan_of(drafts: list[Draft]) -> Plan:
    """The plan rows of the drafts' productions."""
    return build_plan({d.manifest.id: d.values for d in drafts}, load_packs())


def _results(
    d: Draft,
    at: date,
    row: tuple[Any, ...],
    budget: tuple[Any, ...],
    names: list[str],
    pairs: list[tuple[str, int]],
    basis: list[str],
) -> list[RuleResult]:
    """One production's results from its aggregated row and its budget row."""
    devis, eac = Decimal(budget[0]), Decimal(budget[1])
    planned, left_out = budget[2 : 2 + len(names)], budget[2 + len(names) :]
    wins = {s: v.windows for s, v in d.values.items()}
    per = agreement_values(row, names, pairs)
    excluded = {k: Decimal(v) for k, v in zip(budget_exclusions(), left_out, strict=True)}
    ctx = RunContext(
        d.manifest,
        at,
        d.packs,
        d.params,
        d.manifest.budget_total or devis,
        eac,
        wins,
        per,
        excluded,
    )
    mv = measure_values(row, planned, names, d.names, d.overlap) if d.names or d.overlap else {}
    for name, found in basis_values(row, names, len(pairs), basis).items():
        if name in mv:
            mv[name] = replace(mv[name], basis=found)
    return evaluate_rules(ctx, mv)


def evaluate_all(
    con: duckdb.DuckDBPyConnection, manifests: list[Manifest], at: date
) -> list[list[RuleResult]]:
    """Every rule of every production in `manifests` as at `at`, in their order: two queries
    whatever their number."""
    return evaluate_drafts(con, [draft(m, at) for m in manifests], at)


def measured(drafts: list[Draft]) -> tuple[list[str], bool]:
    """The measures the drafts' rules read, and whether any checks double counting."""
    return sorted({n for d in drafts for n in d.names}), any(d.overlap for d in drafts)


def evaluate_drafts(
    con: duckdb.DuckDBPyConnection,
    drafts: list[Draft],
    at: date,
    narrow: Narrow | None = None,
    plan: Plan | None = None,
) -> list[list[RuleResult]]:
    """`evaluate_all` from the productions' drafts (a caller that goes on with them, the
    allocation, builds them once). With `narrow`, the measures are read from that table of the
    wide rows of `plan` (the drafts' plan), built with their expressions
    (rules/measures.py's `measure_columns`), which the allocation reads too."""
    plan = plan or plan_of(drafts)
    names, overlap = measured(drafts)
    rows = measure_rows(con, plan, names, overlap, at, narrow)
    exclusions = budget_exclusions()
    budgets = budget_rows(con, plan.scope, names, at, exclusions)
    pairs = per_agreement(names, plan)
    basis = address_basis(names, plan)
    empty = empty_row(names, overlap, len(pairs) + len(basis))
    no_budget = (0, 0) + (0,) * (len(names) + len(exclusions))
    return [
        _results(
            d,
            at,
            rows.get(d.manifest.id, empty),
            budgets.get(d.manifest.id, no_budget),
            names,
            pairs,
            basis,
        )
        for d in drafts
    ]
