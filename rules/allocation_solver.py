"""Which expense counts for which obligation: the allocation as an optimisation problem, solved
with HiGHS (issue 20).

The input is a matrix: one row per expense, one column per *claim* (a scheme's obligation, or
one agreement's where the scheme's agreements stand on their own, or a scheme with no threshold
whose spend still counts, a tax credit's base), each cell the expense's eligible amount for the
claim in cents (0 where it does not count). Two claims *conflict* when they may not count the
same euro: their schemes exclude each other (the cumulation policy) or they are two agreements of
one scheme. The answer is the amount of each expense counted for each claim.

The problem is solved in two steps, both with HiGHS:

1. **The relaxation over groups.** Expenses with the same pattern (the claims they count for,
   each at their whole amount) are one group: the model has one variable per group and per set
   of claims that may share a euro (an independent set of the conflict graph), the euros of the
   group sent to that set; a group's euros are spent once. Its size depends on the number of
   patterns, not of expenses. An expense counted below its amount for some claim (a capped
   producer fee, a hotel night) is a group of its own. Objectives, in order (each solved, then
   held as a constraint): the total shortfall against the claims' required spend, weighted;
   the smallest margin among the claims the spend can meet; the total counted.
2. **Whole invoices.** In each group the invoices are laid end to end (smallest first) and the
   group's euros cut into the sets' shares: every invoice that falls in one share goes there
   whole. The few that straddle two shares (at most one per cut) are decided by a small mixed
   integer model: each goes whole to one set, or is split, at most one split invoice per claim;
   in order the weighted shortfall, the number of split invoices (a split only where the
   shortfall needs it: a split invoice is harder to justify), the smallest margin, the total
   counted. The shortfall may then exceed the relaxation's by less than the straddling
   invoices: that is the optimality gap reported.

A credit note (a negative amount) is not allocated: it counts where the naive allocation puts
it. The result is never worse than the naive allocation (the caller's feasible one, counted in
the plan's order): where rounding would make it so, the naive allocation is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import highspy
import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

#: how far a level's optimum may move when the next level is solved (euros)
_TOL = 1e-4
#: the seconds one mixed-integer solve may take (the straddling invoices are few)
_MIP_SECONDS = 20.0
_INF = highspy.kHighsInf
#: the most patterns (3 ** claims) counted in a table rather than sorted (`_dense_unique`)
_DENSE = 3**12


@dataclass(frozen=True)
class Problem:
    """An allocation problem. Money in cents.

    `amount` (n,): each expense's amount; `eligible` (n, c): what it counts for each claim (0:
    not eligible; never more than its amount); `conflict` (c, c): claims that may not share a
    euro; `required` (c,): each claim's required spend, -1 where it has none; `weight` (c,):
    what a euro of its shortfall costs; `naive` (n, c): a feasible allocation to compare with
    (the caller's: each expense counted in full where the plan's order puts it); `whole`
    (c, c): claims between which an invoice is never split (two agreements of one scheme: an
    expense counts for one agreement only), none when not given."""

    amount: Ints
    eligible: Ints
    conflict: Bools
    required: Ints
    weight: Floats
    naive: Ints
    whole: Bools | None = None


@dataclass(frozen=True)
class Solution:
    """What each expense counts for each claim (cents), which expenses are split, and the
    figures of the answer: weighted shortfalls (euros) of the allocation, of the relaxation
    (the bound: the gap is their difference) and of the naive allocation; whether the naive
    allocation was kept."""

    counted: Ints
    split: Bools
    shortfall: float
    bound: float
    naive_shortfall: float
    kept_naive: bool

    @property
    def gap(self) -> float:
        """How far the rounded allocation's weighted shortfall is above the relaxation's."""
        return max(self.shortfall - self.bound, 0.0)


def independent_sets(claims: list[int], conflict: Bools, maximal: bool) -> list[tuple[int, ...]]:
    """The non-empty sets of `claims` no two of which conflict (only the maximal ones when
    `maximal`): the ways one euro of an expense may count."""
    found = [
        s
        for r in range(len(claims), 0, -1)
        for s in combinations(claims, r)
        if not any(conflict[a, b] for a, b in combinations(s, 2))
    ]
    if not maximal:
        return found
    return [s for s in found if not any(set(s) < set(t) for t in found)]


class _Model:
    """A linear model built block by block (numpy triplets), then solved level by level with
    HiGHS: each level's optimum held as a row while the next is solved."""

    def __init__(self) -> None:
        self.lower: list[Floats] = []
        self.upper: list[Floats] = []
        self.integer: list[Bools] = []
        self.n = 0
        self.rows: list[tuple[Ints, Ints, Floats]] = []
        self.row_lo: list[Floats] = []
        self.row_hi: list[Floats] = []
        self.m = 0
        self.optima: list[float] = []  # each level's optimum, once solved

    def cols(self, count: int, lo: float, hi: Floats | float, integer: bool = False) -> Ints:
        """`count` new columns between lo and hi; their numbers."""
        first = self.n
        self.n += count
        self.lower.append(np.full(count, lo, dtype=np.float64))
        self.upper.append(np.broadcast_to(np.asarray(hi, dtype=np.float64), (count,)).copy())
        self.integer.append(np.full(count, integer))
        return np.arange(first, self.n, dtype=np.int64)

    def rows_of(self, row: Ints, col: Ints, val: Floats, lo: Floats, hi: Floats) -> None:
        """A block of len(lo) rows: entries (row within the block, column, value), bounds."""
        self.rows.append((row + self.m, col, val))
        self.row_lo.append(np.asarray(lo, dtype=np.float64))
        self.row_hi.append(np.asarray(hi, dtype=np.float64))
        self.m += len(lo)

    def _lp(self) -> highspy.HighsLp:
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.n, self.m
        lp.col_cost_ = np.zeros(self.n)
        lp.col_lower_ = np.concatenate(self.lower)
        lp.col_upper_ = np.concatenate(self.upper)
        lp.row_lower_ = np.concatenate(self.row_lo) if self.row_lo else np.zeros(0)
        lp.row_upper_ = np.concatenate(self.row_hi) if self.row_hi else np.zeros(0)
        r = np.concatenate([b[0] for b in self.rows]) if self.rows else np.zeros(0, np.int64)
        c = np.concatenate([b[1] for b in self.rows]) if self.rows else np.zeros(0, np.int64)
        v = np.concatenate([b[2] for b in self.rows]) if self.rows else np.zeros(0)
        order = np.lexsort((r, c))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.concatenate(([0], np.cumsum(np.bincount(c, minlength=self.n))))
        lp.a_matrix_.index_ = r[order]
        lp.a_matrix_.value_ = v[order]
        integer = np.concatenate(self.integer)
        if integer.any():
            kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
            lp.integrality_ = [kinds[int(i)] for i in integer]
        return lp

    def solve(self, levels: list[tuple[Floats, bool]]) -> Floats | None:
        """Solve the levels in order (costs, maximise?), each optimum kept within _TOL while
        the next is solved: the last level's solution, or None when HiGHS found none."""
        h = highspy.Highs()  # type: ignore[no-untyped-call]
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("time_limit", _MIP_SECONDS)
        h.passModel(self._lp())
        every = np.arange(self.n, dtype=np.int32)
        x: Floats | None = None
        for cost, maximise in levels:
            sense = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
            h.changeObjectiveSense(sense)
            h.changeColsCost(self.n, every, cost)
            h.run()
            if not h.getInfo().primal_solution_status:
                return x
            x = np.asarray(h.getSolution().col_value, dtype=np.float64)
            best = float(cost @ x)
            self.optima.append(best)
            used = np.flatnonzero(cost).astype(np.int32)
            slack = _TOL + 1e-9 * abs(best)  # the solver's tolerances are relative too
            lo, hi = (best - slack, _INF) if maximise else (-_INF, best + slack)
            h.addRow(lo, hi, len(used), used, cost[used])
        return x


def _claim_rows(
    m: _Model,
    claim: Ints,
    col: Ints,
    val: Floats,
    need: Floats,
    has: Bools,
    weight: Floats,
    margin_of: Bools,
) -> list[tuple[Floats, bool]]:
    """Each claim j with a requirement (`has`) counts sum(val) over its entries (claim, col):
    that sum + short_j >= need_j, and, for the claims in `margin_of`, sum - t >= need_j. Returns
    the first levels: the weighted shortfall, then (if any claim has a margin) the smallest
    margin. Call once every column is added (the costs are as long as the model)."""
    c = len(need)
    short = m.cols(c, 0.0, np.where(has, _INF, 0.0))
    idx = np.flatnonzero(has)
    pos = np.full(c, -1)
    pos[idx] = np.arange(len(idx))
    keep = pos[claim] >= 0
    m.rows_of(
        np.concatenate([pos[claim[keep]], np.arange(len(idx))]),
        np.concatenate([col[keep], short[idx]]),
        np.concatenate([val[keep], np.ones(len(idx))]),
        need[idx],
        np.full(len(idx), _INF),
    )
    margin = np.flatnonzero(has & margin_of)
    t = m.cols(1, -_INF, _INF)[0] if len(margin) else None
    first = np.zeros(m.n)
    first[short] = weight
    levels = [(first, False)]
    if t is not None:
        pos = np.full(c, -1)
        pos[margin] = np.arange(len(margin))
        keep = pos[claim] >= 0
        m.rows_of(
            np.concatenate([pos[claim[keep]], np.arange(len(margin))]),
            np.concatenate([col[keep], np.full(len(margin), t)]),
            np.concatenate([val[keep], -np.ones(len(margin))]),
            need[margin],
            np.full(len(margin), _INF),
        )
        second = np.zeros(m.n)
        second[t] = 1.0
        levels.append((second, True))
    return levels


def _pad(levels: list[tuple[Floats, bool]], n: int) -> list[tuple[Floats, bool]]:
    """The levels' costs as long as the model (columns added after them cost nothing)."""
    out = []
    for cost, maximise in levels:
        full = np.zeros(n)
        full[: len(cost)] = cost
        out.append((full, maximise))
    return out


@dataclass(frozen=True)
class _Groups:
    """The allocated rows grouped by pattern (a capped row alone): each group's rows, amount and
    eligible amounts, its pattern, and each pattern's sets of claims."""

    of_row: Ints
    amount: Ints
    eligible: Ints
    pattern: Ints
    patterns: list[list[tuple[int, ...]]]


def _unique_rows(key: Ints) -> tuple[Ints, Ints]:
    """`np.unique(key, axis=0, return_inverse=True)` for a key of codes 0-2 then a row index
    or -1: each row read as one number (the codes in base 3, then the index), which orders the
    rows as the lexicographic sort does, so the groups come in the same order, about ten times
    faster at a million rows. Where the number would not fit in 63 bits, the row sort."""
    n, width = key.shape
    c = width - 1
    if n == 0 or 3**c * (n + 1) >= 2**62:
        uniq, of_row = np.unique(key, axis=0, return_inverse=True)
        return uniq, of_row.reshape(-1)
    number = np.zeros(n, np.int64)
    for j in range(c):
        number = number * 3 + key[:, j]
    if 3**c <= _DENSE and (key[:, c] < 0).all():
        return _dense_unique(number, c)
    number = number * (n + 1) + (key[:, c] + 1)
    _, first, of_row = np.unique(number, return_index=True, return_inverse=True)
    return key[first], of_row.reshape(-1)


def _dense_unique(number: Ints, c: int) -> tuple[Ints, Ints]:
    """`_unique_rows` where no row is a group of its own: the patterns (base-3 numbers below
    _DENSE) counted in a table instead of sorting a million rows; the same groups in the same
    order (ascending numbers), each pattern's codes read back from its number."""
    seen = np.flatnonzero(np.bincount(number, minlength=3**c))
    slot = np.zeros(3**c, np.int64)
    slot[seen] = np.arange(len(seen))
    digits = (seen[:, None] // 3 ** np.arange(c - 1, -1, -1)[None, :]) % 3
    uniq = np.concatenate([digits, np.full((len(seen), 1), -1)], axis=1).astype(np.int64)
    return uniq, slot[number]


def _groups(amount: Ints, eligible: Ints, conflict: Bools) -> _Groups:
    n, c = eligible.shape
    code = np.where(eligible > 0, np.where(eligible >= amount[:, None], 1, 2), 0)
    partial = (code == 2).any(axis=1)
    key = np.concatenate([code, np.where(partial, np.arange(n), -1)[:, None]], axis=1)
    uniq, of_row = _unique_rows(key)
    g = len(uniq)
    pats, pattern = np.unique(uniq[:, :c], axis=0, return_inverse=True)
    patterns = [
        independent_sets([int(j) for j in np.flatnonzero(p)], conflict, not bool((p == 2).any()))
        for p in pats
    ]
    sums = [np.bincount(of_row, weights=eligible[:, j], minlength=g) for j in range(c)]
    return _Groups(
        of_row.astype(np.int64),
        np.rint(np.bincount(of_row, weights=amount, minlength=g)).astype(np.int64),
        np.rint(np.stack(sums, axis=1)).astype(np.int64),
        pattern.reshape(-1).astype(np.int64),
        patterns,
    )


def _entries(patterns: list[list[tuple[int, ...]]], pattern: Ints, sets: Ints) -> tuple[Ints, Ints]:
    """(claim, variable) of variables each holding one set of its pattern: the claims its set
    holds. Loops over the patterns' sets, not over the variables."""
    claims, owners = [], []
    for k, ss in enumerate(patterns):
        for s, members in enumerate(ss):
            hit = np.flatnonzero((pattern == k) & (sets == s))
            for j in members:
                claims.append(np.full(len(hit), j, dtype=np.int64))
                owners.append(hit)
    if not claims:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(claims), np.concatenate(owners).astype(np.int64)


@dataclass(frozen=True)
class _Relaxed:
    """The group model's answer: euros per variable, each variable's group and set, the
    weighted shortfall and each claim's total (euros)."""

    y: Floats
    group: Ints
    set_: Ints
    shortfall: float
    totals: Floats


def _relaxation(gr: _Groups, p: Problem, margin_of: Bools, fixed: Ints) -> _Relaxed:
    """The group model (module docstring) solved level by level; `fixed` (c,) is what the rows
    left out of it (credit notes) already count for each claim (cents)."""
    m = _Model()
    c = p.eligible.shape[1]
    per = np.array([len(ss) for ss in gr.patterns], dtype=np.int64)[gr.pattern]
    vg = np.repeat(np.arange(len(gr.amount)), per)
    vs = np.arange(len(vg)) - np.repeat(np.cumsum(per) - per, per)
    y = m.cols(len(vg), 0.0, gr.amount[vg] / 100.0)
    # a group's euros are spent once
    m.rows_of(vg, y, np.ones(len(vg)), np.full(len(gr.amount), -_INF), gr.amount / 100.0)
    claim, var = _entries(gr.patterns, gr.pattern[vg], vs)
    # a capped row (a group of its own) counts at most its eligible amount for a claim
    eg = vg[var]
    capped = gr.eligible[eg, claim] < gr.amount[eg]
    if capped.any():
        keys, row = np.unique(eg[capped] * c + claim[capped], return_inverse=True)
        m.rows_of(
            row.reshape(-1),
            y[var[capped]],
            np.ones(int(capped.sum())),
            np.full(len(keys), -_INF),
            gr.eligible.reshape(-1)[keys] / 100.0,
        )
    need = (p.required - fixed) / 100.0
    levels = _claim_rows(
        m, claim, y[var], np.ones(len(claim)), need, p.required >= 0, p.weight, margin_of
    )
    total = np.zeros(m.n)
    np.add.at(total, y[var], 1.0)
    levels = [*_pad(levels, m.n), (total, True)]
    x = m.solve(levels)
    assert x is not None, "the relaxation always has a solution (nothing counted)"
    totals = np.zeros(c)
    np.add.at(totals, claim, x[y[var]])
    return _Relaxed(x[y], vg, vs, m.optima[0], totals + fixed / 100.0)


def _cut(gr: _Groups, amount: Ints, r: _Relaxed) -> Ints:
    """Lay each group's rows end to end (smallest first) and cut the group's euros into its
    sets' shares (cents), then what is left: each row's set where it falls whole in one share,
    -1 where it falls whole in what is left (counted nowhere), -2 where it straddles two."""
    n_g = len(gr.amount)
    share = np.floor(r.y * 100 + 0.5).astype(np.int64)
    over = np.maximum(np.bincount(r.group, weights=share, minlength=n_g) - gr.amount, 0)
    if over.any():  # rounding past the group's euros: taken from its largest share
        biggest = np.lexsort((-share, r.group))
        first = biggest[np.searchsorted(r.group[biggest], np.flatnonzero(over))]
        share[first] -= over[np.flatnonzero(over)].astype(np.int64)
    left = gr.amount - np.rint(np.bincount(r.group, weights=share, minlength=n_g)).astype(np.int64)
    bin_group = np.concatenate([r.group, np.arange(n_g)])
    bin_set = np.concatenate([r.set_, np.full(n_g, -1)])
    bin_size = np.concatenate([share, left])
    order = np.lexsort((np.arange(len(bin_group)), bin_group))
    bin_set, bin_size = bin_set[order], bin_size[order]
    bin_start = np.cumsum(bin_size) - bin_size
    rows = _by_group_and_amount(gr.of_row, amount)
    ends = np.cumsum(amount[rows])
    starts = ends - amount[rows]
    first_bin = np.searchsorted(bin_start, starts, side="right") - 1
    last_bin = np.searchsorted(bin_start, ends - 1, side="right") - 1
    out = np.empty(len(amount), np.int64)
    out[rows] = np.where(first_bin == last_bin, bin_set[first_bin], -2)
    return out


def _by_group_and_amount(group: Ints, amount: Ints) -> Ints:
    """The rows by group, then amount, then position: one stable sort of one number where it
    fits in 63 bits (a third of the three-key lexsort's time at a million rows)."""
    top = int(amount.max()) + 1 if len(amount) else 1
    if len(amount) and int(group.max()) < 2**62 // top and int(amount.min()) >= 0:
        return np.argsort(group * top + amount, kind="stable")
    return np.lexsort((np.arange(len(amount)), amount, group))


def solve(p: Problem) -> Solution:
    """The allocation of the expenses of `p` (module docstring)."""
    n, c = p.eligible.shape
    eligible = np.minimum(np.maximum(p.eligible, 0), np.maximum(p.amount, 0)[:, None])
    rows = np.flatnonzero(p.amount > 0)
    counted = np.zeros((n, c), np.int64)
    counted[p.amount <= 0] = p.naive[p.amount <= 0]
    split = np.zeros(n, bool)
    naive_short = weighted_shortfall(p, p.naive)
    if not len(rows) or not c:
        return Solution(counted, split, naive_short, naive_short, naive_short, False)
    gr = _groups(p.amount[rows], eligible[rows], p.conflict)
    has = p.required >= 0
    # first which claims the spend can meet, then the smallest margin among them
    fixed = counted.sum(axis=0)
    first = _relaxation(gr, p, np.zeros(c, bool), fixed)
    met = has & (first.totals + _TOL >= p.required / 100.0)
    relaxed = _relaxation(gr, p, met, fixed) if met.any() else first
    where = _cut(gr, p.amount[rows], relaxed)
    pattern = gr.pattern[gr.of_row]
    claim, hit = _entries(gr.patterns, pattern, where)
    counted[rows[hit], claim] = eligible[rows[hit], claim]
    straddling = np.flatnonzero(where == -2)
    if len(straddling):
        _round(p, eligible, counted, split, rows[straddling], gr.patterns, pattern[straddling], met)
    short = weighted_shortfall(p, counted)
    if short > naive_short + _TOL:
        return Solution(
            p.naive.copy(), np.zeros(n, bool), naive_short, relaxed.shortfall, naive_short, True
        )
    return Solution(counted, split, short, relaxed.shortfall, naive_short, False)


def _round(
    p: Problem,
    eligible: Ints,
    counted: Ints,
    split: Bools,
    rows: Ints,
    patterns: list[list[tuple[int, ...]]],
    pattern: Ints,
    met: Bools,
) -> None:
    """Decide the straddling rows with a mixed-integer model (module docstring): each goes
    whole to one set of its pattern, or is split, at most one split row per claim. Writes into
    `counted` and `split`."""
    c = p.eligible.shape[1]
    s_n = len(rows)
    base = counted.sum(axis=0) / 100.0
    amount = p.amount[rows] / 100.0
    per = np.array([len(ss) for ss in patterns], dtype=np.int64)[pattern]
    owner = np.repeat(np.arange(s_n), per)
    set_ = np.arange(len(owner)) - np.repeat(np.cumsum(per) - per, per)
    m = _Model()
    b = m.cols(len(owner), 0.0, 1.0, integer=True)  # the row goes whole to the set
    q = m.cols(len(owner), 0.0, amount[owner])  # euros of a split row counted for the set
    sigma = m.cols(s_n, 0.0, 1.0, integer=True)  # the row is split
    tau = m.cols(s_n * c, 0.0, 1.0, integer=True).reshape(s_n, c)  # ... with a part for claim
    one = np.ones(len(owner))
    # whole to one set, or split, or nowhere
    m.rows_of(
        np.concatenate([owner, np.arange(s_n)]),
        np.concatenate([b, sigma]),
        np.ones(len(owner) + s_n),
        np.full(s_n, -_INF),
        np.ones(s_n),
    )
    # a split row's parts add up to its amount at most
    m.rows_of(
        np.concatenate([owner, np.arange(s_n)]),
        np.concatenate([q, sigma]),
        np.concatenate([one, -amount]),
        np.full(s_n, -_INF),
        np.zeros(s_n),
    )
    claim, var = _entries(patterns, pattern[owner], set_)
    who = owner[var]
    # a split part counts at most the row's eligible amount for a claim, and only with tau
    keys, row = np.unique(who * c + claim, return_inverse=True)
    row = row.reshape(-1)
    ks, kj = keys // c, keys % c
    k_n = len(keys)
    m.rows_of(
        np.concatenate([row, np.arange(k_n)]),
        np.concatenate([q[var], tau[ks, kj]]),
        np.concatenate([np.ones(len(row)), -eligible[rows[ks], kj] / 100.0]),
        np.full(k_n, -_INF),
        np.zeros(k_n),
    )
    m.rows_of(
        np.concatenate([np.arange(k_n), np.arange(k_n)]),
        np.concatenate([tau[ks, kj], sigma[ks]]),
        np.concatenate([np.ones(k_n), -np.ones(k_n)]),
        np.full(k_n, -_INF),
        np.zeros(k_n),
    )
    # at most one split row per claim
    m.rows_of(kj, tau[ks, kj], np.ones(k_n), np.full(c, -_INF), np.ones(c))
    # never split between two claims that take an invoice whole (two agreements of a scheme)
    if p.whole is not None:
        at = np.full((s_n, c), -1)
        at[ks, kj] = np.arange(k_n)
        for j, k in zip(*np.nonzero(np.triu(p.whole, 1)), strict=True):
            both = np.flatnonzero((at[:, j] >= 0) & (at[:, k] >= 0))
            if len(both):
                m.rows_of(
                    np.tile(np.arange(len(both)), 2),
                    np.concatenate([tau[both, j], tau[both, k]]),
                    np.ones(2 * len(both)),
                    np.full(len(both), -_INF),
                    np.ones(len(both)),
                )
    # what each claim counts: a whole row its eligible amount, a split part its euros
    cols = np.concatenate([b[var], q[var]])
    vals = np.concatenate([eligible[rows[who], claim] / 100.0, np.ones(len(var))])
    claims = np.concatenate([claim, claim])
    levels = _claim_rows(
        m, claims, cols, vals, p.required / 100.0 - base, p.required >= 0, p.weight, met
    )
    splits = np.zeros(m.n)
    splits[sigma] = 1.0
    total = np.zeros(m.n)
    np.add.at(total, cols, vals)
    # a split only where the shortfall needs it: fewest splits before the smallest margin
    padded = _pad(levels, m.n)
    x = m.solve([padded[0], (splits, False), *padded[1:], (total, True)])
    if x is None:  # no answer in time: each row whole to its pattern's first set
        x = np.zeros(m.n)
        x[b[set_ == 0]] = 1.0
    whole = x[b[var]] > 0.5
    counted[rows[who[whole]], claim[whole]] = eligible[rows[who[whole]], claim[whole]]
    cut = np.flatnonzero(x[sigma] > 0.5)
    # each split row's parts in cents: floored, then the cents the floors lost given back to
    # the parts that lost most (the parts still add up to the euros the solver split)
    euros = x[q] * 100
    cents = np.floor(euros + 1e-4).astype(np.int64)
    for i in cut:
        mine = np.flatnonzero(owner == i)
        lost = min(int(np.rint(euros[mine].sum())), int(p.amount[rows[i]])) - int(cents[mine].sum())
        if lost > 0:
            order = mine[np.argsort(-(euros[mine] - cents[mine]), kind="stable")]
            cents[order[:lost]] += 1
    part = np.zeros((s_n, c), np.int64)
    np.add.at(part, (who, claim), cents[var])
    counted[rows[cut]] = np.minimum(part[cut], eligible[rows[cut]])
    split[rows[cut]] = True


def weighted_shortfall(p: Problem, counted: Ints) -> float:
    """The allocation's shortfall against every claim's required spend, weighted (euros)."""
    total = counted.sum(axis=0)
    short = np.where(p.required >= 0, np.maximum(p.required - total, 0), 0)
    return float((short * p.weight).sum()) / 100.0


def double_counted(p: Problem, counted: Ints) -> Ints:
    """Per expense, the cents counted beyond its amount by claims that pairwise conflict (the
    largest such excess over every clique of the conflict graph; 0 when none)."""
    c = p.eligible.shape[1]
    out = np.zeros(len(p.amount), np.int64)
    for r in range(2, c + 1):
        for s in combinations(range(c), r):
            if all(p.conflict[a, b] for a, b in combinations(s, 2)):
                over = counted[:, list(s)].sum(axis=1) - np.maximum(p.amount, 0)
                out = np.maximum(out, np.where(p.amount > 0, over, 0))
    return out
