"""Measure values set-wise: one pass over the wide eligibility rows (rules/wide.py) of every
production of a plan for every measure, actual and committed, and the double counting; plus the
remaining budget of the lines planned in each measure's territory, for every production in one
grouped query."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb

from finance.domain.money import ZERO
from finance.store import queries
from finance.store.sql import literal
from rules.cumulation import overlap_measure, overlap_test
from rules.eligibility import ADDRESS_BASES, col
from rules.facts import Measure, budget_exclusion
from rules.loader import load_measures, load_packs
from rules.narrow import Columns, Narrow
from rules.plan import Plan
from rules.wide import qualify, wide_relation


@dataclass(frozen=True)
class MeasureValue:
    """A measure's measured (actual), committed and planned-remaining parts."""

    measured: Decimal
    committed: Decimal
    planned: Decimal
    evidence_count: int
    #: where the scheme tests a supplier's recorded address: the measured (actual) spend by the
    #: address each expense was tested on (an ADDRESS_BASES value -> amount)
    basis: tuple[tuple[str, Decimal], ...] = ()

    @property
    def projected(self) -> Decimal:
        return self.measured + self.committed + self.planned


def _same(sql: str) -> str:
    return sql


#: what the aggregate writes for an expression over the wide rows: the expression itself, or
#: the column holding its value (rules/narrow.py)
Ref = Callable[[str], str]


#: the rows passing a filter counted: rows, or groups of rows (`_narrow_sql`)
_COUNT = "count(*) FILTER ({})"
_GROUP_ROWS = "coalesce(sum(group_rows) FILTER ({}), 0)"


def _sums(where: str, amount: str, i: int | str, rows: str = _COUNT) -> list[str]:
    """Actual and committed sums and the actual count of the rows passing `where` (`rows`:
    how rows passing a filter are counted)."""
    return [
        f"coalesce(sum({amount}) FILTER ({where} AND status = 'actual'), 0)::DECIMAL(18,2) AS a{i}",
        f"coalesce(sum({amount}) FILTER ({where} AND status = 'committed'), 0)::DECIMAL(18,2) AS c{i}",
        rows.format(f"{where} AND status = 'actual'") + f" AS n{i}",
    ]


def per_agreement(names: list[str], plan: Plan) -> list[tuple[str, int]]:
    """(measure, k) of the measures of schemes whose agreements stand on their own, for each
    agreement k the plan rows hold: what the aggregate sums per agreement too."""
    counts = {s.scheme: s.agreements for s in plan.specs if s.agreements}
    measures = load_measures()
    return [
        (name, k)
        for name in names
        if measures[name].scheme in counts and measures[name].per_agreement
        for k in range(1, counts[measures[name].scheme] + 1)
    ]


def address_basis(names: list[str], plan: Plan) -> list[str]:
    """The measures of `names` whose scheme tests a supplier's recorded address (its pack's
    `payee_address`): what the aggregate also sums by the address each expense was tested on."""
    reading = {s.scheme for s in plan.specs if s.reads_suppliers}
    measures = load_measures()
    return [name for name in names if measures[name].scheme in reading]


def _basis_sums(name: str, j: int, ref: Ref) -> list[str]:
    """The measure's actual spend on each address basis (three columns, in ADDRESS_BASES'
    order)."""
    m = load_measures()[name]
    where, amount = ref(qualify(m.where, m.scheme)), ref(qualify(m.amount, m.scheme))
    used = ref(col(m.scheme, "address_used"))
    return [
        f"coalesce(sum({amount}) FILTER ({where} AND status = 'actual' AND {used} = "
        f"{literal(basis)}), 0)::DECIMAL(18,2) AS b{j}_{k}"
        for k, basis in enumerate(ADDRESS_BASES)
    ]


def _aggregate_sql(
    names: list[str],
    plan: Plan,
    overlap: bool,
    ref: Ref = _same,
    source: str | None = None,
    rows: str = _COUNT,
) -> str:
    """Every measure (and the double counting) of every production in one pass over the wide
    eligibility rows, then each measure of a scheme whose agreements stand on their own per
    agreement, then each measure of a scheme testing a supplier's address per address basis. A
    production without a measure's scheme has no window for it, and every measure requires the
    window or the plan (`counts`, `in_window` or `in_plan`): it sums nothing there.

    With `ref` and `source`, over a table of the wide rows' expressions (rules/narrow.py): each
    condition and amount is the column `ref` names for it. A condition is a conjunction (the
    spend facts', rules/facts.py), so reading it as one column keeps the filter's meaning;
    `rows` is how the source's rows are counted (a source of groups counts their rows)."""
    present = {s.scheme for s in plan.specs}
    cols = []
    measures = load_measures()
    for i, name in enumerate(names):
        m = measures[name]
        if m.scheme in present:  # a scheme outside the relation has no rows: zero
            where, amount = qualify(m.where, m.scheme), qualify(m.amount, m.scheme)
            cols += _sums(ref(where), ref(amount), i, rows)
        else:
            cols += [f"0::DECIMAL(18,2) AS a{i}", f"0::DECIMAL(18,2) AS c{i}", f"0 AS n{i}"]
    for j, (name, k) in enumerate(per_agreement(names, plan)):
        m = measures[name]
        where = f"{qualify(m.where, m.scheme)} AND {col(m.scheme, 'agreement_seq')} = {k}"
        cols += _sums(ref(where), ref(qualify(m.amount, m.scheme)), f"_{j}", rows)
    for j, name in enumerate(address_basis(names, plan)):
        cols += _basis_sums(name, j, ref)
    if overlap:
        test = f"{ref(overlap_test(present))} AND status = 'actual'"
        cols += [
            f"sum(amount) FILTER ({test}) AS overlap",
            f"{rows.format(test)} AS n_overlap",
        ]
    relation = source or wide_relation(plan)
    return f"SELECT production_id, {', '.join(cols)} FROM {relation} GROUP BY production_id"


def measure_columns(names: list[str], plan: Plan, overlap: bool, columns: Columns) -> None:
    """Register in `columns` every expression the measures' aggregate reads (`measure_rows`
    over a table of them)."""
    if names or overlap:
        _aggregate_sql(names, plan, overlap, columns)


def _narrow_sql(names: list[str], plan: Plan, overlap: bool, narrow: Narrow) -> str:
    """The aggregate over a table of the wide rows' expressions, through its groups: the rows
    grouped by production, status and every condition (and address) the aggregate reads, each
    amount summed and the rows counted. A filter reads only the group's keys, so a sum over the
    groups passing it is the sum over their rows: the same figures (exact DECIMAL sums), from
    a few groups per production instead of every row (a table whose columns are not conditions,
    addresses and DECIMAL amounts is read row by row)."""
    used: dict[str, str] = {}

    def ref(sql: str) -> str:
        column = narrow.ref(sql)
        used[column] = narrow.types.get(column, "")
        return column

    flat = _aggregate_sql(names, plan, overlap, ref, narrow.table)
    keys = [c for c, t in used.items() if t in ("BOOLEAN", "VARCHAR")]
    sums = [c for c, t in used.items() if t.startswith("DECIMAL(")]
    if len(keys) + len(sums) != len(used):
        return flat
    grouped = ", ".join(["production_id", "status", *keys])
    summed = ", ".join(f"sum({c}) AS {c}" for c in [*sums, "amount"])
    groups = (
        f"(SELECT {grouped}, {summed}, count(*) AS group_rows FROM {narrow.table} "
        f"GROUP BY {grouped})"
    )
    return _aggregate_sql(names, plan, overlap, narrow.ref, groups, _GROUP_ROWS)


def measure_rows(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    names: list[str],
    overlap: bool,
    at: date,
    narrow: Narrow | None = None,
) -> dict[str, tuple[Any, ...]]:
    """Production id -> its aggregated row (`measure_values` reads it); a production with no
    expense as at `at` has no row. With `narrow`, read from that table of the plan's wide rows
    (built with `measure_columns`' expressions) instead of scanning the relation."""
    if not names and not overlap:
        return {}
    if narrow is not None:
        rows = con.sql(_narrow_sql(names, plan, overlap, narrow)).fetchall()
    else:
        rows = con.sql(_aggregate_sql(names, plan, overlap), params={"at": at}).fetchall()
    return {r[0]: r[1:] for r in rows}


def empty_row(names: list[str], overlap: bool, agreements: int = 0) -> tuple[Any, ...]:
    """The aggregated row of a production with no expense (what the SQL gives over no rows)."""
    return (ZERO, ZERO, 0) * (len(names) + agreements) + ((None, 0) if overlap else ())


def _territory_matches(patterns: tuple[str, ...]) -> str:
    tests = [
        f"starts_with(territory, {literal(p[:-1])})"
        if p.endswith("*")
        else f"territory = {literal(p)}"
        for p in patterns
    ]
    return f"coalesce({' OR '.join(tests) or 'FALSE'}, FALSE)"


def _not_in(column: str, values: list[str]) -> str:
    return f"NOT coalesce(list_contains({literal(values)}, {column}), FALSE)" if values else "TRUE"


def planned_where(measure: Measure) -> str:
    """SQL over budget lines: the line's estimate to complete counts in the measure's projection.

    Lines planned in the measure's territory only (lines with no planned territory are not
    counted: conservative), and not those whose category or class the scheme excludes."""
    keep = [_territory_matches(measure.plan_territories)]
    pack = load_packs().get(measure.scheme)
    el = pack.eligibility if pack else None
    if el is not None:
        keep += [
            _not_in("category", el.every_exclusion()),
            _not_in("ts_class", el.excluded_ts_classes),
        ]
    if measure.plan_ts_classes:
        keep.append(
            f"coalesce(list_contains({literal(list(measure.plan_ts_classes))}, ts_class), FALSE)"
        )
    return " AND ".join(keep)


def budget_exclusions() -> list[str]:
    """The exclusions of every budget base the packs name (facts.budget_exclusion's keys)."""
    return sorted(
        {
            budget_exclusion(d.args)
            for p in load_packs().values()
            for d in p.thresholds.values()
            if d.fact == "share_of_budget_excluding"
        }
    )


def _excluded_where(key: str) -> str:
    """The devis lines an exclusion leaves out, as a filter (chapter codes or categories)."""
    chapters, _, categories = key.partition("|")
    parts = [
        f"list_contains({literal([x.strip() for x in group.split(',') if x.strip()])}, {column})"
        for group, column in ((chapters, "chapter_code"), (categories, "category"))
        if group.strip()
    ]
    return " OR ".join(parts) or "FALSE"


def budget_rows(
    con: duckdb.DuckDBPyConnection,
    scope: str,
    names: list[str],
    at: date,
    exclusions: list[str] | None = None,
) -> dict[str, tuple[Any, ...]]:
    """Production id -> (devis total, estimate at completion, the planned remaining of each
    measure in `names`, the devis left out by each of `exclusions`), for every production
    `scope` selects, in one grouped query."""
    measures = load_measures()
    planned = [
        f"coalesce(sum(estimate_to_complete) FILTER ({planned_where(measures[n])}), 0) AS p{i}"
        for i, n in enumerate(names)
    ]
    planned += [
        f"coalesce(sum(budget) FILTER ({_excluded_where(key)}), 0) AS x{i}"
        for i, key in enumerate(exclusions or [])
    ]
    lines = queries.sql("figures.lines", scope=scope)  # the cost report's lines and figures
    sql = f"""SELECT production_id, coalesce(sum(budget), 0), coalesce(sum(estimate_at_completion), 0)
                     {"".join(", " + p for p in planned)}
              FROM ({lines}) GROUP BY production_id"""
    return {r[0]: r[1:] for r in con.sql(sql, params={"at": at}).fetchall()}


def measure_values(
    row: tuple[Any, ...],
    planned: tuple[Any, ...],
    names: list[str],
    wanted: list[str],
    overlap: bool,
) -> dict[str, MeasureValue]:
    """The measures in `wanted` of one production, from its aggregated row and its planned
    remaining per measure (both in the order of `names`); with `overlap`, also the double
    counting (the overlap pack's exclusive_overlap: the expenses counted by two exclusive schemes,
    each once, at its amount)."""
    at = {name: i for i, name in enumerate(names)}
    out = {}
    for name in wanted:
        i = at[name]
        out[name] = MeasureValue(
            Decimal(row[3 * i]), Decimal(row[3 * i + 1]), Decimal(planned[i]), int(row[3 * i + 2])
        )
    overlap_name = overlap_measure()
    if overlap and overlap_name:
        total, count = row[-2:]
        out[overlap_name] = MeasureValue(Decimal(total or 0), ZERO, ZERO, int(count))
    return out


def agreement_values(
    row: tuple[Any, ...], names: list[str], pairs: list[tuple[str, int]]
) -> dict[tuple[str, int], MeasureValue]:
    """(measure, k) -> the measure's actual, committed and count for agreement k alone, from the
    aggregated row (the planned remaining is the engine's to place: it knows the windows)."""
    base = 3 * len(names)
    return {
        pair: MeasureValue(
            Decimal(row[base + 3 * j]),
            Decimal(row[base + 3 * j + 1]),
            ZERO,
            int(row[base + 3 * j + 2]),
        )
        for j, pair in enumerate(pairs)
    }


def basis_values(
    row: tuple[Any, ...], names: list[str], pairs: int, basis: list[str]
) -> dict[str, tuple[tuple[str, Decimal], ...]]:
    """Measure -> its actual spend on each address basis (those with spend), from the
    aggregated row: after the measures and the `pairs` per-agreement sums."""
    base = 3 * (len(names) + pairs)
    out = {}
    for j, name in enumerate(basis):
        found = zip(ADDRESS_BASES, row[base + 3 * j : base + 3 * j + 3], strict=True)
        out[name] = tuple((b, Decimal(v)) for b, v in found if v)
    return out
