"""Measure values set-wise: one pass over the wide eligibility rows (rules/wide.py) for every
measure, actual and committed, and the double counting; plus the remaining budget of the lines
planned in each measure's territory."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from finance.money import ZERO
from rules.cumulation import overlap_test
from rules.eligibility import SchemeTests
from rules.facts import MEASURES, Measure
from rules.model import Pack
from rules.wide import qualify, wide_relation

if TYPE_CHECKING:
    from rules.engine import RunContext


#: the double-counting measure (rules/cumulation.py)
OVERLAP = "cumulation.exclusive_overlap"


@dataclass(frozen=True)
class MeasureValue:
    """A measure's measured (actual), committed and planned-remaining parts."""

    measured: Decimal
    committed: Decimal
    planned: Decimal
    evidence_count: int

    @property
    def projected(self) -> Decimal:
        return self.measured + self.committed + self.planned


def _sums(where: str, amount: str, i: int | str) -> list[str]:
    """Actual and committed sums and the actual count of the rows passing `where`."""
    return [
        f"coalesce(sum({amount}) FILTER ({where} AND status = 'actual'), 0)::DECIMAL(18,2) AS a{i}",
        f"coalesce(sum({amount}) FILTER ({where} AND status = 'committed'), 0)::DECIMAL(18,2) AS c{i}",
        f"count(*) FILTER ({where} AND status = 'actual') AS n{i}",
    ]


def _aggregate_sql(names: list[str], specs: list[SchemeTests], overlap: bool) -> str:
    """Every measure (and the double counting) in one pass over the wide eligibility rows."""
    present = {s.scheme for s in specs}
    cols = []
    for i, name in enumerate(names):
        m = MEASURES[name]
        if m.scheme in present:  # a scheme outside the relation has no rows: zero
            cols += _sums(qualify(m.where, m.scheme), qualify(m.amount, m.scheme), i)
        else:
            cols += [f"0::DECIMAL(18,2) AS a{i}", f"0::DECIMAL(18,2) AS c{i}", f"0 AS n{i}"]
    if overlap:
        test = f"{overlap_test(present)} AND status = 'actual'"
        cols += [
            f"sum(amount) FILTER ({test}) AS overlap",
            f"count(*) FILTER ({test}) AS n_overlap",
        ]
    return f"SELECT {', '.join(cols)} FROM {wide_relation(specs)}"


def _territory_matches(territory: pl.Expr, patterns: tuple[str, ...]) -> pl.Expr:
    test = pl.lit(False)
    for p in patterns:
        test = test | (territory.str.starts_with(p[:-1]) if p.endswith("*") else territory == p)
    return test.fill_null(False)


def planned_remaining(lines: pl.DataFrame, measure: Measure, pack: Pack | None) -> Decimal:
    """Estimate to complete of the budget lines planned in the measure's territory.

    Lines with no planned territory are not counted (conservative). Lines whose category or
    class the scheme excludes are not counted either.
    """
    keep = _territory_matches(pl.col("territory"), measure.plan_territories)
    el = pack.eligibility if pack else None
    if el is not None:
        keep = keep & ~pl.col("category").is_in(el.excluded_categories).fill_null(False)
        keep = keep & ~pl.col("ts_class").is_in(el.excluded_ts_classes).fill_null(False)
    if measure.plan_ts_classes:
        keep = keep & pl.col("ts_class").is_in(list(measure.plan_ts_classes)).fill_null(False)
    total = lines.filter(keep)["estimate_to_complete"].sum()
    return Decimal(total) if total is not None else ZERO


def measure_values(
    con: duckdb.DuckDBPyConnection, ctx: RunContext, names: list[str], overlap: bool = False
) -> dict[str, MeasureValue]:
    """Every named measure of the run from one pass over its eligibility rows; with `overlap`,
    also the double counting (cumulation.exclusive_overlap: the expenses counted by two
    exclusive schemes, each once, at its amount)."""
    if not names and not overlap:
        return {}
    sql = _aggregate_sql(names, ctx.schemes, overlap)
    row = con.sql(sql, params={"pid": ctx.manifest.id, "at": ctx.at}).fetchall()[0]
    lines, packs = ctx.lines, ctx.packs
    out = {}
    for i, name in enumerate(names):
        m = MEASURES[name]
        out[name] = MeasureValue(
            Decimal(row[3 * i]),
            Decimal(row[3 * i + 1]),
            planned_remaining(lines, m, packs.get(m.scheme)),
            int(row[3 * i + 2]),
        )
    if overlap:
        total, count = row[-2:]
        out[OVERLAP] = MeasureValue(Decimal(total or 0), ZERO, ZERO, int(count))
    return out


def evidence(con: duckdb.DuckDBPyConnection, production_id: str, measure_name: str) -> pl.DataFrame:
    """The expenses behind a measure in the latest run, with what each contributes; they add up
    to its value."""
    from rules.relation import latest_relation

    m = MEASURES[measure_name]
    relation, params, _ = latest_relation(con, production_id)
    frame: pl.DataFrame = con.sql(
        f"""SELECT l.expense_id, ({m.amount})::DECIMAL(18,2) AS counted, l.amount, l.reasons
            FROM {relation} l WHERE l.production_id = $pid AND l.scheme = '{m.scheme}'
              AND ({m.where}) AND l.status = 'actual' ORDER BY l.doc_date, l.expense_id""",
        params=params,
    ).pl()
    return frame
