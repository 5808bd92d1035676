"""Which spent invoice goes in which funder's file: a production's allocation of its actual
expenses to its obligations (issue 20), solved by rules/allocation_solver.py.

The claims (obligations) come from the packs (rules/allocation_claims.py); claims conflict where
the cumulation policy makes their schemes exclusive and between two agreements of one scheme.
The expense x claim matrix is read by rules/allocation_matrix.py (for a set of productions at
once where the check allocates: rules/allocation_batch.py).

The naive allocation is the check's counting without the double counting: each expense counts
in full for every claim it is eligible for, in the plan's order, a claim excluded by one that
already took the expense leaving it, an agreement taking what the check's fill gave it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import polars as pl

from finance.domain.money import ZERO
from finance.store.db import read_frame
from rules.allocation_claims import CENT, Claim, money, production_claims
from rules.allocation_matrix import problem_of, read_matrices
from rules.allocation_solver import Problem, Solution, double_counted, solve
from rules.cumulation import overlap_measure
from rules.engine import RuleResult
from rules.loader import load_packs

__all__ = ["Allocation", "Claim", "ClaimFigures", "allocate", "production_claims"]
_CENT_LIT = pl.lit(CENT, dtype=pl.Decimal(18, 2))
#: the columns of `Allocation.lines`
LINE_SCHEMA: dict[str, pl.DataType] = {
    "expense_id": pl.Int64(),
    "claim": pl.String(),
    "scheme": pl.String(),
    "agreement": pl.Int64(),
    "counted": pl.Decimal(18, 2),
    "naive": pl.Decimal(18, 2),
    "split": pl.Boolean(),
}


@dataclass(frozen=True)
class ClaimFigures:
    """A claim's figures after the allocation and in the naive one (cents -> Decimal)."""

    claim: Claim
    allocated: Decimal
    naive: Decimal
    invoices: int
    split: int

    @property
    def margin(self) -> Decimal | None:
        """Allocated minus required (negative: the shortfall); None without a threshold."""
        return None if self.claim.required is None else self.allocated - self.claim.required

    @property
    def naive_margin(self) -> Decimal | None:
        return None if self.claim.required is None else self.naive - self.claim.required

    @property
    def short(self) -> bool:
        return self.margin is not None and self.margin < 0


@dataclass(frozen=True)
class Allocation:
    """A production's allocation as at a date: each claim's figures; the invoices moved from
    the naive allocation (`moves`: expense_id, doc_date, supplier, invoice_ref, amount, lost,
    gained) and those split (`parts`: expense_id, ..., claim, counted); the check's double
    counting and what the allocation counts twice (always 0); the solver's figures."""

    production: str
    at: date
    claims: list[ClaimFigures]
    moves: pl.DataFrame
    parts: pl.DataFrame
    check_overlap: Decimal | None
    double_counted: Decimal
    shortfall: Decimal
    naive_shortfall: Decimal
    bound: Decimal
    kept_naive: bool
    #: what each expense counts for each claim, in the allocation and the naive one (the cells
    #: where either is not zero: expense_id, claim, scheme, agreement, counted, naive, split)
    lines: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=LINE_SCHEMA))

    @property
    def short(self) -> list[ClaimFigures]:
        """The claims still short after the allocation."""
        return [c for c in self.claims if c.short]

    @property
    def gap(self) -> Decimal:
        """How far the weighted shortfall is above the relaxation's bound (whole invoices)."""
        return max(self.shortfall - self.bound, ZERO)


def allocate(
    con: duckdb.DuckDBPyConnection,
    production_id: str,
    at: date,
    results: list[RuleResult] | None = None,
    described: bool = True,
) -> Allocation:
    """The allocation of the production's actual expenses as at `at` (module docstring); the
    check's `results` as at `at` when the caller has them (else they are evaluated). Without
    `described`, the moved and split invoices have their ids only (the check stores the lines;
    what is read back is described then)."""
    claims, results, problem, ids = allocation_problem(con, production_id, at, results)
    solution = solve(problem)
    return _allocation(con, production_id, at, claims, results, problem, solution, ids, described)


def allocation_problem(
    con: duckdb.DuckDBPyConnection,
    production_id: str,
    at: date,
    results: list[RuleResult] | None = None,
) -> tuple[list[Claim], list[RuleResult], Problem, np.ndarray[Any, Any]]:
    """The claims, the check's results, the problem (with its naive allocation) and the
    expenses' ids: everything the allocation reads, before the solver."""
    claims, relation, results = production_claims(con, production_id, at, results)
    m = read_matrices(con, relation, {production_id: claims}, at)[production_id]
    return claims, results, problem_of(claims, m), m.ids


def _decimal(cents: Any) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT)


def changed_rows(p: Problem, s: Solution) -> npt.NDArray[np.bool_]:
    """The expenses whose counting differs from the naive allocation in some claim, or split:
    the only lines a check stores (the others are the naive allocation's, rebuilt on reading)."""
    return np.asarray((s.counted != p.naive).any(axis=1) | s.split, dtype=bool)


def lines_of(
    claims: list[Claim],
    ids: npt.NDArray[np.int64],
    p: Problem,
    s: Solution,
    rows: npt.NDArray[np.bool_] | None = None,
) -> pl.DataFrame:
    """What each expense (of `rows`, else all) counts for each claim, in the allocation and the
    naive one: the cells where either is not zero (LINE_SCHEMA)."""
    counted, naive, split = s.counted, p.naive, s.split
    if rows is not None:
        ids, counted, naive, split = ids[rows], counted[rows], naive[rows], split[rows]
    at, cell = np.nonzero((counted != 0) | (naive != 0))
    return line_frame(claims, ids[at], cell, counted[at, cell], naive[at, cell], split[at])


def line_frame(
    claims: list[Claim],
    ids: npt.NDArray[np.int64],
    cell: npt.NDArray[Any],
    counted: npt.NDArray[np.int64],
    naive: npt.NDArray[np.int64],
    split: npt.NDArray[np.bool_],
) -> pl.DataFrame:
    """Lines (LINE_SCHEMA) from cells: expense, claim number, cents counted and naive, split."""
    of_claim = pl.DataFrame(
        {
            "cell": range(len(claims)),
            "claim": [c.key for c in claims],
            "scheme": [c.scheme for c in claims],
            "agreement": [c.agreement for c in claims],
        },
        schema={"cell": pl.Int64, "claim": pl.String, "scheme": pl.String, "agreement": pl.Int64},
    )
    cents = pl.DataFrame(
        {
            "expense_id": ids,
            "cell": cell.astype(np.int64),
            "counted": counted,
            "naive": naive,
            "split": split,
        },
        schema={
            "expense_id": pl.Int64,
            "cell": pl.Int64,
            "counted": pl.Int64,
            "naive": pl.Int64,
            "split": pl.Boolean,
        },
    )
    return (
        cents.join(of_claim, on="cell", how="left", maintain_order="left")
        .with_columns(
            (pl.col(k).cast(pl.Decimal(18, 2)) * _CENT_LIT).cast(pl.Decimal(18, 2))
            for k in ("counted", "naive")
        )
        .select(list(LINE_SCHEMA))
        .cast(pl.Schema(LINE_SCHEMA))
    )


def _overlap(results: list[RuleResult]) -> Decimal | None:
    """The check's double counting (the measured figure of the rule on the overlap measure)."""
    overlap = overlap_measure()
    measured_on = {
        f"{pk.scheme}.{r.id}"
        for pk in load_packs().values()
        for r in pk.rules
        if r.measured == overlap
    }
    found = [r for r in results if r.rule_id in measured_on]
    return money(found[0].measured) if found else None


def solved(
    production_id: str,
    at: date,
    claims: list[Claim],
    results: list[RuleResult],
    p: Problem,
    s: Solution,
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> Allocation:
    """The allocation from the solver's answer: the claims' figures and the solver's, with the
    given (moves, parts, lines)."""
    counted, naive = s.counted, p.naive
    used = counted > 0
    totals = zip(
        counted.sum(axis=0).tolist(),
        naive.sum(axis=0).tolist(),
        used.sum(axis=0).tolist(),
        (used & s.split[:, None]).sum(axis=0).tolist(),
        strict=True,
    )
    figures = [
        ClaimFigures(claim, _decimal(a), _decimal(b), int(k), int(x))
        for claim, (a, b, k, x) in zip(claims, totals, strict=True)
    ]
    return Allocation(
        production_id,
        at,
        figures,
        *frames[:2],
        _overlap(results),
        _decimal(double_counted(p, counted).sum()),
        Decimal(str(s.shortfall)).quantize(CENT),
        Decimal(str(s.naive_shortfall)).quantize(CENT),
        Decimal(str(s.bound)).quantize(CENT),
        s.kept_naive,
        frames[2],
    )


def _allocation(
    con: duckdb.DuckDBPyConnection,
    production_id: str,
    at: date,
    claims: list[Claim],
    results: list[RuleResult],
    p: Problem,
    s: Solution,
    ids: np.ndarray[Any, Any],
    described: bool = True,
) -> Allocation:
    """The whole allocation: figures, the moved and split invoices, every line."""
    moves, parts = _moves(con, claims, p, s, ids, described)
    lines = lines_of(claims, ids, p, s)
    return solved(production_id, at, claims, results, p, s, (moves, parts, lines))


def _moves(
    con: duckdb.DuckDBPyConnection,
    claims: list[Claim],
    p: Problem,
    s: Solution,
    ids: np.ndarray[Any, Any],
    described: bool,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The invoices moved from the naive allocation and the split ones (`Allocation`)."""
    counted, naive = s.counted, p.naive
    keys = [c.key for c in claims]
    lost = (naive > 0) & (counted == 0)
    gained = (counted > 0) & (naive == 0)
    moved = np.flatnonzero(lost.any(axis=1) | gained.any(axis=1) | s.split)
    details = _details(con, ids[moved]) if described else _ids_only(ids[moved])

    def names(mask: np.ndarray[Any, Any]) -> list[list[str]]:
        return [[keys[j] for j in np.flatnonzero(row)] for row in mask[moved]]

    moves = pl.DataFrame(
        {
            "expense_id": ids[moved],
            "lost": names(lost),
            "gained": names(gained),
            "split": s.split[moved],
        },
        schema={
            "expense_id": pl.Int64,
            "lost": pl.List(pl.String),
            "gained": pl.List(pl.String),
            "split": pl.Boolean,
        },
    )
    moves = details.join(moves, on="expense_id", how="right").select(
        "expense_id", "doc_date", "supplier", "invoice_ref", "amount", "lost", "gained", "split"
    )
    cut = np.flatnonzero(s.split)
    rows, claim_of = np.nonzero(counted[cut] > 0)
    parts = pl.DataFrame(
        {
            "expense_id": ids[cut][rows],
            "claim": [keys[j] for j in claim_of],
            "counted": [_decimal(v) for v in counted[cut][rows, claim_of]],
        },
        schema={"expense_id": pl.Int64, "claim": pl.String, "counted": pl.Decimal(18, 2)},
    )
    parts = details.join(parts, on="expense_id", how="right").select(
        "expense_id", "doc_date", "supplier", "invoice_ref", "amount", "claim", "counted"
    )
    return moves, parts


def _ids_only(ids: np.ndarray[Any, Any]) -> pl.DataFrame:
    """`_details`' columns with the ids only."""
    return pl.DataFrame({"expense_id": ids}, schema={"expense_id": pl.Int64}).with_columns(
        pl.lit(None, pl.Date).alias("doc_date"),
        pl.lit(None, pl.String).alias("supplier"),
        pl.lit(None, pl.String).alias("invoice_ref"),
        pl.lit(None, pl.Decimal(18, 2)).alias("amount"),
    )


def _details(con: duckdb.DuckDBPyConnection, ids: np.ndarray[Any, Any]) -> pl.DataFrame:
    """Date, supplier, reference and amount of the expenses `ids`."""
    return read_frame(
        con,
        "SELECT id AS expense_id, doc_date, supplier, invoice_ref, amount FROM v_expenses "
        "WHERE id IN (SELECT unnest($ids::BIGINT[])) ORDER BY doc_date, id",
        {"ids": [int(i) for i in ids]},
    )
