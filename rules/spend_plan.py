"""Where the remaining budget should be spent: the territorial spend planner (issue 20, points 3
and 4), a linear model solved with HiGHS.

The obligations are the allocation's claims with a threshold (rules/allocation.py: from the
packs, per agreement where agreements stand on their own). Each is projected as the check
projects it: actual and committed eligible spend plus the estimate to complete of the devis
lines planned in its measure's territories (rules/measures.py, `planned_where`: the line's
territory, category and class), against the projected threshold. The options file says where
each open line could go instead, at what price (rules/spend_options.py).

Variables: for each open line i and each territory t it may go to, the devis euros of its
remaining work done in t (w_it; the line's devis territory is always an option), and each
obligation's shortfall. Rows: a line's work is done once (sum_t w_it = its estimate to
complete); an obligation counts the spend of the lines planned in its territories (w_it times
the price factor f_it) plus its shortfall, at least its requirement less what the rest of the
projection gives it. Objective: the weighted shortfall (the packs' shortfall_weight) before any
cost, then the spend at its price (a move costs (f_it - 1) per euro moved; a move that saves
money is kept, equal prices never move a line). The weighted shortfall is first minimised
alone; the plan's model weighs it by a penalty large enough to reach that minimum (checked).

The explanation reads the solver's dual values and ranging: an obligation's row dual is what one
more euro counted for it is worth (the penalty times its weight while it stays short, the extra
cost it saves where its threshold binds, nothing where it has room), valid over the ranging's
interval of the row's bound (`until`). Figures are rounded to the cent after solving; the
projected states after the plan are recomputed exactly (Decimal) from the rounded amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb
import highspy
import numpy as np
import polars as pl

from finance.domain import i18n
from finance.domain.errors import Problem
from finance.domain.money import ZERO
from finance.store import queries
from finance.store.db import read_frame
from rules.allocation import Claim, production_claims
from rules.engine import RuleResult
from rules.loader import load_measures, load_packs
from rules.measures import planned_where
from rules.spend_options import SpendOptions

CENT = Decimal("0.01")
_INF = highspy.kHighsInf
#: a move's tie-break per euro (equal prices never move a line)
_STAY = 1e-6
#: how far the plan's weighted shortfall may sit above the minimum (euros)
_TOL = 0.005


@dataclass(frozen=True)
class Obligation:
    """One obligation's projection at completion before and after the plan, and what the
    solver says of it: its row dual (per euro counted), the ranging's extra euros over which
    the dual holds (None: unbounded or not given), whether the remaining budget counts for it."""

    claim: Claim
    required: Decimal
    before: Decimal
    after: Decimal
    territories: tuple[str, ...]
    receives: bool
    dual: float
    until: Decimal | None

    @property
    def before_margin(self) -> Decimal:
        return self.before - self.required

    @property
    def after_margin(self) -> Decimal:
        return self.after - self.required

    @property
    def short_before(self) -> bool:
        return self.before_margin < 0

    @property
    def short_after(self) -> bool:
        return self.after_margin < 0

    @property
    def binds(self) -> str:
        """`fixed` (the remaining budget does not count for it), `short`, `threshold` (met,
        its requirement costs extra) or `slack`."""
        if not self.receives:
            return "fixed"
        if self.short_after:
            return "short"
        return "threshold" if self.dual > 1e-6 else "slack"

    def counts_in(self, territory: str) -> bool:
        return territory_matches(self.territories, territory)


@dataclass(frozen=True)
class SpendPlan:
    """The plan: the open lines (code, label, category, devis territory, estimate to complete),
    the moves (code, label, from, to, moved: devis euros, amount: spent there, extra), every
    option with the euros the plan puts there and its reduced cost, the obligations, the lines
    of the file with nothing left to spend, and the totals."""

    production: str
    at: date
    options_name: str
    lines: pl.DataFrame
    moves: pl.DataFrame
    options: pl.DataFrame
    obligations: list[Obligation]
    spent: list[str]
    extra_cost: Decimal
    shortfall_before: Decimal
    shortfall_after: Decimal
    territories: list[str]

    @property
    def short(self) -> list[Obligation]:
        return [o for o in self.obligations if o.short_after]


def territory_matches(patterns: tuple[str, ...], territory: str) -> bool:
    """A planned territory matched by a measure's plan_territories (`BE-*`, `FR*`, `BE-WAL`)."""
    return any(
        territory.startswith(p[:-1]) if p.endswith("*") else territory == p for p in patterns
    )


def _money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _open_lines(
    con: duckdb.DuckDBPyConnection, production_id: str, at: date, options: SpendOptions, lang: str
) -> tuple[pl.DataFrame, list[str]]:
    """The devis lines the options name with their estimate to complete (figures.lines), and the
    codes of those with nothing left; a code not in the current devis is an error."""
    lines = read_frame(
        con, queries.sql("figures.report_lines"), {"pid": production_id, "at": at}
    ).filter(pl.col("budget") > 0)
    known = set(lines["code"].to_list())
    problems = [
        Problem(
            i18n.text("plan.options.no_line", lang),
            options.name,
            o.row,
            "code" if o.row else f"{o.where}.code",
            o.code,
        )
        for o in options.lines
        if o.code not in known
    ]
    if problems:
        raise i18n.error("plan.options.invalid", problems, name=options.name)
    wanted = [o.code for o in options.lines]
    chosen = lines.filter(pl.col("code").is_in(wanted))
    spent = chosen.filter(pl.col("estimate_to_complete") <= 0)["code"].to_list()
    keep = chosen.filter(pl.col("estimate_to_complete") > 0).select(
        "code", "label", "category", "ts_class", "territory", "estimate_to_complete"
    )
    order = {c: i for i, c in enumerate(wanted)}
    keep = keep.with_columns(
        pl.col("code").replace_strict(order, return_dtype=pl.Int64).alias("_order")
    )
    return keep.sort("_order").drop("_order"), spent


def _candidates(lines: pl.DataFrame, options: SpendOptions) -> pl.DataFrame:
    """One row per open line and territory it may be spent in (its devis territory first)."""
    by_code = {o.code: o for o in options.lines}
    rows: dict[str, list[Any]] = {k: [] for k in ("line", "territory", "factor", "stays")}
    for i, (code, devis) in enumerate(lines.select("code", "territory").iter_rows()):
        option = by_code[code]
        for t in dict.fromkeys([devis, *option.territories]):
            rows["line"].append(i)
            rows["territory"].append(t)
            rows["factor"].append(options.factor(option, t, devis) if t else Decimal(1))
            rows["stays"].append(t == devis)
    return pl.DataFrame(
        rows,
        schema={
            "line": pl.Int64,
            "territory": pl.String,
            "factor": pl.Decimal(18, 6),
            "stays": pl.Boolean,
        },
    )


def _counting(
    con: duckdb.DuckDBPyConnection, lines: pl.DataFrame, cand: pl.DataFrame, measures: list[str]
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """(candidate, obligation): the line's remaining spend in that territory counts in the
    obligation's projection (the check's own test over the line's territory, category and
    class), in one query."""
    if not measures or not cand.height:
        return np.zeros((cand.height, len(measures)), bool)
    table = load_measures()
    idx = cand["line"].to_numpy()
    tests = ", ".join(
        f"coalesce({planned_where(table[m])}, FALSE) AS c{j}" for j, m in enumerate(measures)
    )
    params = {
        "territory": cand["territory"].to_list(),
        "category": [lines["category"][int(i)] for i in idx],
        "ts_class": [lines["ts_class"][int(i)] for i in idx],
    }
    sql = (
        f"SELECT {tests} FROM (SELECT unnest($territory::VARCHAR[]) AS territory, "
        "unnest($category::VARCHAR[]) AS category, unnest($ts_class::VARCHAR[]) AS ts_class)"
    )
    found = con.execute(sql, params).fetchnumpy()
    return np.stack([np.asarray(found[f"c{j}"], dtype=bool) for j in range(len(measures))], 1)


def _last_open(entries: list[dict[str, Any]], at: date) -> int | None:
    """The agreement whose window stays open longest (the check places the planned remaining
    there), from a result's agreements."""
    best: tuple[date, int] | None = None
    for e in entries:
        end = e.get("window", {}).get("end")
        day = date.fromisoformat(end) if end else date.max
        if day >= at and (best is None or (day, e["agreement"]) > best):
            best = (day, e["agreement"])
    return best[1] if best else None


@dataclass(frozen=True)
class _Target:
    claim: Claim
    measure: str
    required: Decimal
    projected: Decimal
    receives: bool


def _targets(claims: list[Claim], results: list[RuleResult], at: date) -> list[_Target]:
    """The obligations with a projection: the claims with a threshold whose check result
    projects them."""
    packs = load_packs()
    by_id = {r.rule_id: r for r in results}
    out = []
    for c in claims:
        result = by_id.get(c.rule_id or "")
        if c.required is None or result is None:
            continue
        pack = packs[c.scheme]
        rule = next(r for r in pack.rules if f"{c.scheme}.{r.id}" == c.rule_id)
        projected, required, receives = result.projected, result.projected_threshold, True
        if c.agreement is not None:
            entry = next((e for e in result.agreements if e["agreement"] == c.agreement), None)
            if entry is None:
                continue
            projected, required = entry["projected"], entry["projected_threshold"]
            receives = _last_open(result.agreements, at) == c.agreement
        if projected is None or required is None:
            continue
        out.append(_Target(c, rule.measured, Decimal(required), Decimal(projected), receives))
    return out


@dataclass(frozen=True)
class _Answer:
    work: np.ndarray[Any, np.dtype[np.float64]]
    dual: np.ndarray[Any, np.dtype[np.float64]]
    reduced: np.ndarray[Any, np.dtype[np.float64]]
    until: list[float | None]
    penalty: float


def _solve(
    e: np.ndarray[Any, Any],
    line: np.ndarray[Any, Any],
    factor: np.ndarray[Any, Any],
    stays: np.ndarray[Any, Any],
    counts: np.ndarray[Any, Any],
    need: np.ndarray[Any, Any],
    weight: np.ndarray[Any, Any],
) -> _Answer:
    """The model (module docstring): columns w (one per candidate) then the shortfalls; rows the
    lines then the obligations."""
    v, c = counts.shape
    n_l = len(e)
    cols = np.arange(v)
    rows_l = line
    ob_r, ob_c = np.nonzero(counts.T)  # (obligation, candidate)
    r = np.concatenate([rows_l, n_l + ob_r, n_l + np.arange(c)])
    k = np.concatenate([cols, ob_c, v + np.arange(c)])
    val = np.concatenate([np.ones(v), factor[ob_c], np.ones(c)])
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = v + c, n_l + c
    lp.col_lower_ = np.zeros(v + c)
    lp.col_upper_ = np.full(v + c, _INF)
    lp.row_lower_ = np.concatenate([e, need])
    lp.row_upper_ = np.concatenate([e, np.full(c, _INF)])
    order = np.lexsort((r, k))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.concatenate(([0], np.cumsum(np.bincount(k, minlength=v + c))))
    lp.a_matrix_.index_ = r[order]
    lp.a_matrix_.value_ = val[order]
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    lp.col_cost_ = np.concatenate([np.zeros(v), weight])
    h.passModel(lp)
    h.run()
    least = float(h.getInfo().objective_function_value)
    spread = float(factor.max() / factor.min()) if v else 1.0
    penalty = 1000.0 * spread / max(float(weight.min()) if c else 1.0, 1e-3)
    cost = np.concatenate([factor + np.where(stays, 0.0, _STAY), np.zeros(c)])
    for _ in range(4):
        cost[v:] = penalty * weight
        h.changeColsCost(v + c, np.arange(v + c, dtype=np.int32), cost)
        h.run()
        x = np.asarray(h.getSolution().col_value)
        if float(weight @ x[v:]) <= least + _TOL:
            break
        penalty *= 100.0
    solution = h.getSolution()
    dual = np.asarray(solution.row_dual)[n_l:]
    reduced = np.asarray(solution.col_dual)[:v]
    until: list[float | None] = [None] * c
    status, ranging = h.getRanging()
    if status == highspy.HighsStatus.kOk:
        low = np.asarray(ranging.row_bound_dn.value_)[n_l:]
        for j in range(c):
            if np.isfinite(low[j]) and abs(low[j]) < _INF:
                until[j] = max(float(need[j] - low[j]), 0.0)
    return _Answer(x[:v], dual, reduced, until, penalty)


def _round_work(
    work: np.ndarray[Any, Any],
    line: np.ndarray[Any, Any],
    e_cents: np.ndarray[Any, Any],
    stays: np.ndarray[Any, Any],
) -> np.ndarray[Any, Any]:
    """The solver's euros per candidate in cents, each line's total its estimate to complete
    exactly (what rounding gains or loses stays in the devis territory, else the largest)."""
    cents: np.ndarray[Any, Any] = np.rint(np.maximum(work, 0.0) * 100).astype(np.int64)
    for i in range(len(e_cents)):
        mine = np.flatnonzero(line == i)
        diff = int(e_cents[i] - cents[mine].sum())
        if diff:
            home = mine[stays[mine]]
            target = (
                home[0]
                if len(home) and cents[home[0]] + diff >= 0
                else mine[np.argmax(cents[mine])]
            )
            cents[target] += diff
    return cents


def plan_spend(
    con: duckdb.DuckDBPyConnection,
    production_id: str,
    at: date,
    options: SpendOptions,
    lang: str = "en",
) -> SpendPlan:
    """The plan for the production's open lines as at `at` (module docstring)."""
    lines, spent = _open_lines(con, production_id, at, options, lang)
    claims, _, results = production_claims(con, production_id, at)
    targets = _targets(claims, results, at)
    cand = _candidates(lines, options)
    measures = [t.measure for t in targets]
    counts = _counting(con, lines, cand, measures)
    receives = np.array([t.receives for t in targets], dtype=bool)
    counts &= receives[None, :]
    line = cand["line"].to_numpy().astype(np.int64)
    stays = cand["stays"].to_numpy().astype(bool)
    factors = [Decimal(f) for f in cand["factor"].to_list()]
    factor = np.array([float(f) for f in factors])
    e_dec = [Decimal(x) for x in lines["estimate_to_complete"].to_list()]
    e = np.array([float(x) for x in e_dec])
    e_cents = np.array([int(x * 100) for x in e_dec], dtype=np.int64)
    # what the open lines give each projection where the devis plans them
    now = [
        sum((e_dec[int(line[s])] for s in np.flatnonzero(stays & counts[:, j])), ZERO)
        for j in range(len(targets))
    ]
    base = [t.projected - now[j] for j, t in enumerate(targets)]
    # a cent per counting option above the requirement: the rounding never leaves one short
    slack = counts.sum(axis=0) * 0.01
    need = np.array([float(t.required - base[j]) for j, t in enumerate(targets)]) + slack
    weight = np.array([float(t.claim.weight) for t in targets])
    answer = _solve(e, line, factor, stays, counts, need, weight)
    cents = _round_work(answer.work, line, e_cents, stays)
    work = [Decimal(int(x)) / 100 for x in cents]
    amount = [
        (w * f).quantize(CENT, rounding=ROUND_HALF_UP) for w, f in zip(work, factors, strict=True)
    ]
    table = load_measures()
    obligations = []
    for j, t in enumerate(targets):
        after = base[j] + sum((amount[s] for s in np.flatnonzero(counts[:, j])), ZERO)
        until = answer.until[j]
        if until is not None and answer.dual[j] >= answer.penalty * weight[j] * (1 - 1e-6):
            until = max(until - float(slack[j]), 0.0)  # short: until the true requirement
        obligations.append(
            Obligation(
                t.claim,
                t.required,
                t.projected,
                after,
                table[t.measure].plan_territories,
                t.receives,
                float(answer.dual[j]) if len(answer.dual) else 0.0,
                None if until is None else _money(until),
            )
        )
    codes, labels = lines["code"].to_list(), lines["label"].to_list()
    devis = lines["territory"].to_list()
    options_frame = pl.DataFrame(
        {
            "code": [codes[i] for i in line],
            "label": [labels[i] for i in line],
            "from": [devis[i] for i in line],
            "to": cand["territory"].to_list(),
            "factor": [str(f.normalize()) for f in factors],
            "moved": work,
            "amount": amount,
            "extra": [a - w for a, w in zip(amount, work, strict=True)],
            "reduced_cost": [_money(x) for x in answer.reduced] if len(answer.reduced) else [],
            "stays": stays,
        },
        schema={
            "code": pl.String,
            "label": pl.String,
            "from": pl.String,
            "to": pl.String,
            "factor": pl.String,
            "moved": pl.Decimal(18, 2),
            "amount": pl.Decimal(18, 2),
            "extra": pl.Decimal(18, 2),
            "reduced_cost": pl.Decimal(18, 2),
            "stays": pl.Boolean,
        },
    )
    moves = options_frame.filter(~pl.col("stays") & (pl.col("moved") > 0)).drop(
        "stays", "reduced_cost", "factor"
    )
    extra = sum(moves["extra"].to_list(), ZERO)
    weights = [t.claim.weight for t in targets]

    def total(values: list[Decimal]) -> Decimal:
        return sum((max(-m, ZERO) * w for m, w in zip(values, weights, strict=True)), ZERO)

    territories = list(dict.fromkeys(t for t in cand["territory"].to_list() if t))
    return SpendPlan(
        production_id,
        at,
        options.name,
        lines,
        moves,
        options_frame,
        obligations,
        spent,
        extra,
        total([o.before_margin for o in obligations]),
        total([o.after_margin for o in obligations]),
        territories,
    )
