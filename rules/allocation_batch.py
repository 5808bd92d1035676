"""The allocation as the check computes it, for a set of productions at once (a portfolio's check,
or one production's: the same code over a set of one).

The claims come from each production's draft and results (no query); every production's matrix
is read in one query over the wide relation of their plan (rules/allocation_matrix.py); only the
solver runs per production (HiGHS, milliseconds). The check keeps the figures and, as lines, only
the invoices whose counting the allocation changed (rules/allocation_store.py rebuilds the
others, the naive allocation's, when a file or `cineledger allocate` reads it): at a million
expenses that is a few thousand lines instead of a million and a half built and stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import duckdb
import numpy as np
import polars as pl

from rules.allocation import Allocation, changed_rows, line_frame, solved
from rules.allocation_claims import Claim, draft_claims
from rules.allocation_matrix import Ints, cell_sql, problem_of, read_matrices
from rules.allocation_solver import Problem, Solution, solve
from rules.engine import RuleResult
from rules.measures import measure_columns
from rules.narrow import Columns, Narrow, narrow_rows
from rules.plan import Plan
from rules.setwise import Draft, measured, plan_of
from rules.wide import wide_relation

#: the check's allocations carry no moved or split invoices (`cineledger allocate` describes them)
_NO_MOVES = pl.DataFrame()


@contextmanager
def shared_rows(
    con: duckdb.DuckDBPyConnection, drafts: list[Draft], plan: Plan, at: date
) -> Iterator[Narrow | None]:
    """The drafts' wide rows (`plan` is theirs) scanned once for the check's measures and the
    allocation's matrix (rules/narrow.py), where a production may need an allocation (it checks
    double counting); None where none may (the measures' own scan is then the only one).

    The claims' cells are known before the evaluation: they come from the drafts alone (the
    results give the claims their thresholds and figures, not their SQL). A production whose
    claims the table does not hold is read from the relation (`read_matrices`)."""
    may = [d for d in drafts if d.overlap]
    if not may:
        yield None
        return
    columns = Columns()
    names, overlap = measured(drafts)
    measure_columns(names, plan, overlap, columns)
    for sql in cell_sql({d.manifest.id: draft_claims(d, []) for d in may}):
        columns(sql)
    with narrow_rows(con, plan, columns, at) as narrow:
        yield narrow


def allocate_checked(
    con: duckdb.DuckDBPyConnection,
    drafts: list[Draft],
    results: list[list[RuleResult]],
    at: date,
    narrow: Narrow | None = None,
) -> list[Allocation]:
    """Each production's allocation as at `at` (its draft, its check's results), in their
    order, with its changed lines only (`Allocation.lines`). With `narrow` (`shared_rows` of a
    plan holding them), the matrices are read from it."""
    if not drafts:
        return []
    claims = {d.manifest.id: draft_claims(d, r) for d, r in zip(drafts, results, strict=True)}
    shared = narrow is not None and narrow.holds(cell_sql(claims))
    relation = "" if shared else wide_relation(plan_of(drafts))  # not built when not read
    matrices = read_matrices(con, relation, claims, at, narrow=narrow)
    answers = []
    for pid, found in claims.items():
        p = problem_of(found, matrices[pid])
        answers.append((p, solve(p)))
    lines = _changed_lines(list(claims.values()), [m.ids for m in matrices.values()], answers)
    # by id: a production asked for twice is allocated once
    of = {pid: (*answer, ln) for pid, answer, ln in zip(claims, answers, lines, strict=True)}
    out = []
    for d, res in zip(drafts, results, strict=True):
        p, s, ln = of[d.manifest.id]
        out.append(
            solved(d.manifest.id, at, claims[d.manifest.id], res, p, s, (_NO_MOVES, _NO_MOVES, ln))
        )
    return out


def _changed_lines(
    claims: list[list[Claim]], ids: list[Ints], answers: list[tuple[Problem, Solution]]
) -> list[pl.DataFrame]:
    """Each production's changed lines, built as one frame for all (a frame per production
    costs more than its few lines) and cut by production."""
    cells = []
    offset = 0
    for found, of, (p, s) in zip(claims, ids, answers, strict=True):
        rows = changed_rows(p, s)
        counted, naive = s.counted[rows], p.naive[rows]
        at, cell = np.nonzero((counted != 0) | (naive != 0))
        cells.append(
            (of[rows][at], cell + offset, counted[at, cell], naive[at, cell], s.split[rows][at])
        )
        offset += len(found)
    every = [c for found in claims for c in found]
    frame = line_frame(every, *(np.concatenate([c[k] for c in cells]) for k in range(5)))
    owner = np.repeat(np.arange(len(cells)), [len(c[0]) for c in cells])
    parts = frame.with_columns(owner=owner).partition_by("owner", as_dict=True, include_key=False)
    return [parts.get((k,), frame.clear()) for k in range(len(cells))]
