"""The expenses behind one rule's figure as at a date, those it counts or those it leaves out,
for the dashboard (the Funders page's evidence and the Expenses page opened on it): how many,
their total (for those counted, the rule's measured figure to the cent) and a page of them with
their provenance and reasons.

A rule measured on the expenses reads its measure (`where` and `amount`, rules/measures.py) over
the eligibility relation of its scheme; the double-counting rule (the overlap pack's measure)
reads the expenses that two schemes of an exclusive pair both count. Any other rule (a cap on the
plan, an EU ceiling) has no expense evidence: `has_evidence` says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import duckdb
import polars as pl

from finance.store import queries
from finance.store.productions import get_manifest
from rules.cumulation import overlap_measure, overlap_test
from rules.eligibility import col
from rules.loader import load_measures, load_packs
from rules.relation import relation_at
from rules.setwise import draft, plan_of
from rules.wide import wide_relation


@dataclass(frozen=True)
class Evidence:
    """The expenses a rule counts (or leaves out) as at a date: their count and total, and a
    page of them (`expense_id`, date, supplier, ..., `figure`, `agreement`, `reasons`,
    `schemes`, provenance)."""

    rule_id: str
    counted: bool
    agreement: int | None
    count: int
    total: Decimal
    rows: pl.DataFrame


def _rule(rule_id: str) -> tuple[str, str] | None:
    """The rule's scheme and its measured name, None for an unknown rule."""
    scheme, _, name = rule_id.partition(".")
    pack = load_packs().get(scheme)
    rule = next((r for r in pack.rules if r.id == name), None) if pack else None
    return (scheme, rule.measured) if rule else None


def has_evidence(rule_id: str) -> bool:
    """Whether the rule is measured on expenses (its measure, or the double counting)."""
    found = _rule(rule_id)
    return found is not None and (found[1] in load_measures() or found[1] == overlap_measure())


def _flags(
    con: duckdb.DuckDBPyConnection, production_id: str, rule_id: str, at: date
) -> tuple[str, dict[str, object]]:
    """The SQL of the rule's rows (`_MEASURE` or `_OVERLAP`) and its parameters."""
    found = _rule(rule_id)
    if found is None or not has_evidence(rule_id):
        raise ValueError(f"no expense evidence for {rule_id}")
    measured = found[1]
    if measured == overlap_measure():
        plan = plan_of([draft(get_manifest(con, production_id), at)])
        names = sorted({spec.scheme for spec in plan.specs})
        counts = [f"coalesce({col(n, 'counts')}, FALSE)" for n in names]
        sql = queries.sql(
            "evidence.overlap_rows",
            relation=wide_relation(plan),
            overlap=overlap_test(set(names)),
            counts=", ".join(counts) or "FALSE",
            several=" + ".join(f"{c}::INTEGER" for c in counts) or "0",
        )
        return sql, {"pid": production_id, "at": at, "names": names}
    measure = load_measures()[measured]
    relation, params = relation_at(con, production_id, at, measure.scheme)
    sql = queries.sql(
        "evidence.measure_rows", relation=relation, where=measure.where, amount=measure.amount
    )
    return sql, {**params, "scheme": measure.scheme}


def rule_evidence(
    con: duckdb.DuckDBPyConnection,
    production_id: str,
    rule_id: str,
    at: date,
    counted: bool = True,
    agreement: int | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> Evidence:
    """The expenses the rule counts (`counted`) or leaves out as at `at`, those of one
    `agreement` where the rule's figures are per agreement: how many, their total (for those
    counted, the rule's measured figure) and the page of `limit` from row `offset`, by date."""
    flags, params = _flags(con, production_id, rule_id, at)
    chosen = {**params, "c": counted, "k": agreement if counted else None}
    found = queries.frame(
        con, "evidence.chosen", {**chosen, "n": limit, "o": offset}, {"flags": flags}
    )
    return Evidence(
        rule_id=rule_id,
        counted=counted,
        agreement=agreement if counted else None,
        count=int(found["n_all"][0]),
        total=Decimal(found["total_all"][0]),
        rows=found.filter(pl.col("expense_id").is_not_null()).drop("n_all", "total_all"),
    )
