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

from finance.store.db import read_frame
from finance.store.productions import get_manifest
from rules.cumulation import overlap_measure, overlap_test
from rules.eligibility import col
from rules.loader import load_measures, load_packs
from rules.relation import relation_at
from rules.setwise import draft, plan_of
from rules.wide import wide_relation

#: the rows of a measure's scheme: whether the measure counts each (`hit`) and its figure (what
#: it adds to the measure when counted, its amount when not)
_MEASURE = """
SELECT expense_id, agreement_seq AS agreement, doc_date, eligible_amount, reasons,
       coalesce(({where}), FALSE) AS hit,
       (CASE WHEN coalesce(({where}), FALSE) THEN ({amount}) ELSE amount END)::DECIMAL(18,2)
           AS figure,
       []::VARCHAR[] AS schemes
FROM {relation} WHERE production_id = $pid AND scheme = $scheme AND status = 'actual'
"""
#: the expenses two schemes or more count, from the check's own wide rows (one per expense, every
#: scheme's tests): double counting where two of them make an exclusive pair ({overlap}, the
#: measure's own test), allowed cumulation otherwise; the schemes that count each, by name
_OVERLAP = """
SELECT id AS expense_id, NULL::INTEGER AS agreement, doc_date, amount AS eligible_amount,
       []::VARCHAR[] AS reasons, coalesce({overlap}, FALSE) AS hit,
       amount::DECIMAL(18,2) AS figure, list_where($names::VARCHAR[], [{counts}]) AS schemes
FROM {relation} WHERE production_id = $pid AND status = 'actual' AND {several}
"""


#: the rows chosen (counted or not, of one agreement) computed once: their count and total, and
#: a page of them joined to the ledger's view for their provenance (one row without a page)
_EVIDENCE = """
WITH f AS MATERIALIZED (
    SELECT * FROM ({flags}) r WHERE r.hit = $c AND ($k::INTEGER IS NULL OR r.agreement = $k)),
s AS (SELECT count(*) AS n, coalesce(sum(figure), 0)::DECIMAL(18,2) AS total FROM f),
p AS (SELECT * FROM f ORDER BY doc_date, expense_id LIMIT $n OFFSET $o)
SELECT s.n AS n_all, s.total AS total_all, p.expense_id, e.doc_date, e.supplier, e.invoice_ref,
       e.territory, e.category, e.amount, p.figure, p.agreement, p.reasons, p.schemes,
       e.source_file, e.source_row
FROM s LEFT JOIN p ON TRUE LEFT JOIN v_expenses e ON e.id = p.expense_id
ORDER BY p.doc_date, p.expense_id
"""


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
        sql = _OVERLAP.format(
            relation=wide_relation(plan),
            overlap=overlap_test(set(names)),
            counts=", ".join(counts) or "FALSE",
            several=f"({' + '.join(f'{c}::INTEGER' for c in counts) or '0'}) >= 2",
        )
        return sql, {"pid": production_id, "at": at, "names": names}
    measure = load_measures()[measured]
    relation, params = relation_at(con, production_id, at, measure.scheme)
    sql = _MEASURE.format(relation=relation, where=measure.where, amount=measure.amount)
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
    found = read_frame(con, _EVIDENCE.format(flags=flags), {**chosen, "n": limit, "o": offset})
    return Evidence(
        rule_id=rule_id,
        counted=counted,
        agreement=agreement if counted else None,
        count=int(found["n_all"][0]),
        total=Decimal(found["total_all"][0]),
        rows=found.filter(pl.col("expense_id").is_not_null()).drop("n_all", "total_all"),
    )
