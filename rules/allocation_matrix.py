"""The allocation's input read for a set of productions at once: one query over the wide
relation (rules/wide.py) of their plan, one row per actual expense, sorted by production.

A portfolio check allocates every production that needs it; reading each production's matrix
with its own query (its plan, its relation, its scan) cost about 90 ms a production. The claims
of two productions with the same schemes are the same SQL (the measure's `where` and `amount`,
an agreement's test), so the query computes each distinct (condition, amount) once and every
production reads the columns of its own claims. The rows come sorted by production and id, so a
production's matrix is a slice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt

from rules.allocation_claims import Claim
from rules.allocation_solver import Problem
from rules.cumulation import exclusive_pairs
from rules.narrow import Narrow

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Matrix:
    """One production's actual expenses (`ids`, sorted) with their amounts, what each counts for
    each claim (`eligible`, the allocation's candidates) and what the check's counting gives it
    (`checked`, before the naive allocation leaves what a conflicting claim took). Cents."""

    ids: Ints
    amount: Ints
    eligible: Ints
    checked: Ints


def _cents(column: str) -> str:
    return f"CAST(({column}) * 100 AS BIGINT)"


def _cells(claims: Mapping[str, list[Claim]], eligible: bool) -> dict[tuple[str, str], int]:
    """Each distinct (condition, amount) of the claims, numbered: the query's columns (the
    check's counting only, without `eligible`)."""
    cells: dict[tuple[str, str], int] = {}
    for found in claims.values():
        for c in found:
            for where in (c.where, c.naive_where) if eligible else (c.naive_where,):
                cells.setdefault((where, c.amount), len(cells))
    return cells


def _cell(where: str, amount: str) -> str:
    """What an expense counts for a claim, in cents, as SQL over the wide rows."""
    return f"CASE WHEN {where} THEN {_cents(amount)} ELSE 0 END"


def cell_sql(claims: Mapping[str, list[Claim]], eligible: bool = True) -> list[str]:
    """The SQL of each distinct cell `read_matrices` reads for `claims` (what a table of the
    wide rows' expressions must hold for it to read there, rules/narrow.py)."""
    return [_cell(w, a) for w, a in _cells(claims, eligible)]


def read_matrices(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    claims: Mapping[str, list[Claim]],
    at: date,
    eligible: bool = True,
    narrow: Narrow | None = None,
) -> dict[str, Matrix]:
    """Each production's matrix (production id -> its claims, in the plan's order), read from
    `relation` (the wide relation of a plan holding those productions) in one query. Without
    `eligible`, what the check counts only (`Matrix.eligible` is the same: a reader rebuilding
    the naive allocation needs no more). With `narrow` (a table of the same plan's wide rows)
    holding every cell, read from it instead: no second scan of the relation."""
    if not claims:
        return {}
    pids = list(claims)
    cells = _cells(claims, eligible)
    sqls = [_cell(w, a) for w, a in cells]
    params: dict[str, Any] = {"pids": pids, "at": at}
    if narrow is not None and narrow.holds(sqls):
        relation, params = narrow.table, {"pids": pids}
        cols = [f"r.{narrow.ref(c)} AS c{i}" for i, c in enumerate(sqls)]
    else:
        cols = [f"{c} AS c{i}" for i, c in enumerate(sqls)]
    # each production's number from a join with the (small) list of ids: a list look-up per
    # row costs a scan of the list, 500 productions times 10 million rows
    sql = (
        f"SELECT k.alloc_seq, r.id, {_cents('r.amount')} AS amount, {', '.join(cols)} FROM {relation} r "
        "JOIN (SELECT unnest($pids::VARCHAR[]) AS production_id, "
        "generate_subscripts($pids::VARCHAR[], 1) AS alloc_seq) k USING (production_id) "
        "WHERE r.status = 'actual' ORDER BY k.alloc_seq, r.id"
    )
    data = con.execute(sql, params).fetchnumpy()
    of = np.asarray(data["alloc_seq"], dtype=np.int64)
    bounds = np.searchsorted(of, np.arange(1, len(pids) + 2))
    ids, amount = np.asarray(data["id"], np.int64), np.asarray(data["amount"], np.int64)
    table = np.zeros((len(ids), len(cells)), np.int64)
    for i in range(len(cells)):
        table[:, i] = np.asarray(data[f"c{i}"], np.int64)
    out = {}
    for k, pid in enumerate(pids):
        rows = slice(int(bounds[k]), int(bounds[k + 1]))
        checked = _take(table, rows, [cells[(c.naive_where, c.amount)] for c in claims[pid]])
        found = (
            _take(table, rows, [cells[(c.where, c.amount)] for c in claims[pid]])
            if eligible
            else checked
        )
        out[pid] = Matrix(ids[rows], amount[rows], found, checked)
    return out


def _take(table: Ints, rows: slice, columns: list[int]) -> Ints:
    """The rows' columns, as a matrix of its own (zero columns where there are no claims)."""
    part: Any = table[rows][:, columns] if columns else np.zeros((rows.stop - rows.start, 0))
    return np.ascontiguousarray(part, dtype=np.int64)


def conflicts(claims: list[Claim]) -> npt.NDArray[np.bool_]:
    """(c, c): the claims that may not share a euro (exclusive schemes, two agreements of one
    scheme)."""
    pairs = set(exclusive_pairs())
    schemes = [c.scheme for c in claims]
    out = np.zeros((len(claims), len(claims)), bool)
    for i, a in enumerate(schemes):
        for j, b in enumerate(schemes):
            out[i, j] = (i != j and a == b) or tuple(sorted((a, b))) in pairs
    return out


def naive_of(checked: Ints, conflict: npt.NDArray[np.bool_]) -> Ints:
    """The check's counting without double counting: a claim leaves an expense an earlier
    conflicting claim (in the plan's order) already took."""
    out = checked.copy()
    for j in range(out.shape[1]):
        for i in range(j):
            if conflict[i, j]:
                out[:, j] = np.where(out[:, i] > 0, 0, out[:, j])
    return out


def problem_of(claims: list[Claim], m: Matrix) -> Problem:
    """The allocation problem of a production's matrix, its naive allocation included."""
    conflict = conflicts(claims)
    required = np.array(
        [-1 if x.required is None else int(x.required * 100) for x in claims], dtype=np.int64
    )
    weight = np.array([float(x.weight) for x in claims])
    schemes = np.array([x.scheme for x in claims])
    whole = (schemes[:, None] == schemes[None, :]) & ~np.eye(len(claims), dtype=bool)
    naive = naive_of(m.checked, conflict)
    return Problem(m.amount, m.eligible, conflict, required, weight, naive, whole)
