"""Which spent invoice goes in which funder's file: a production's allocation of its actual
expenses to its obligations (issue 20), solved by rules/allocation_solver.py.

The claims come from the packs, never from a scheme named here: every scheme of the plan with
eligibility tests is a claim; where its pack names a `territorial_obligation`, the rule measured
on a spend measure against that threshold gives what the claim must reach (per agreement where
the scheme's agreements stand on their own, each agreement a claim with its own window and
threshold), else the claim has no threshold (a tax credit's base: what is left goes there).
Claims conflict where the cumulation policy makes their schemes exclusive and between two
agreements of one scheme. What an expense counts for a claim is the check's own figure (the
measure's `where` and `amount` over the wide eligibility rows, rules/wide.py), restricted to the
agreement's window for an agreement.

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
import polars as pl

from finance.domain.money import ZERO
from finance.store.db import read_frame
from finance.store.productions import get_manifest
from rules.allocation_solver import Problem, Solution, double_counted, solve
from rules.cumulation import exclusive_pairs, overlap_measure
from rules.eligibility import col, scheme_lines, separate_agreements
from rules.engine import RuleResult
from rules.loader import load_measures, load_packs
from rules.model import Pack, RuleDecl
from rules.setwise import draft, evaluate_all, plan_of
from rules.wide import qualify, wide_relation

CENT = Decimal("0.01")
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
class Claim:
    """One obligation (or a scheme's base): its scheme, its agreement where agreements stand on
    their own, what it must reach (None: no threshold), what a euro short costs, the rule it
    comes from and the check's figure (every expense counted for every scheme)."""

    scheme: str
    agreement: int | None
    label: str | None
    required: Decimal | None
    weight: Decimal
    rule_id: str | None
    check_figure: Decimal | None
    where: str
    amount: str
    naive_where: str

    @property
    def key(self) -> str:
        """`scheme` or `scheme/k` (an agreement)."""
        return self.scheme if self.agreement is None else f"{self.scheme}/{self.agreement}"


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


def _obligation_rule(pack: Pack) -> RuleDecl | None:
    """The rule measured on a spend measure of the pack against its territorial obligation."""
    if pack.territorial_obligation is None:
        return None
    threshold = f"{pack.scheme}.{pack.territorial_obligation}"
    measures = load_measures()
    return next(
        (r for r in pack.rules if r.threshold == threshold and r.measured in measures), None
    )


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT)


def _claims_of(
    pack: Pack, results: dict[str, RuleResult], fill: int, manifest_lines: dict[int, str | None]
) -> list[Claim]:
    """The claims of one scheme of the plan."""
    scheme = pack.scheme
    rule = _obligation_rule(pack)
    weight = pack.shortfall_weight
    seq = col(scheme, "agreement_seq")
    if rule is None:
        where, amount = col(scheme, "counts"), col(scheme, "eligible_amount")
        return [Claim(scheme, None, None, None, weight, None, None, where, amount, where)]
    measure = load_measures()[rule.measured]
    where, amount = qualify(measure.where, scheme), qualify(measure.amount, scheme)
    result = results.get(f"{scheme}.{rule.id}")
    if not (separate_agreements(pack) and measure.per_agreement):
        required = _money(result.threshold) if result else None
        measured = _money(result.measured) if result else None
        rid = result.rule_id if result else None
        return [Claim(scheme, None, None, required, weight, rid, measured, where, amount, where)]
    entries = {e["agreement"]: e for e in (result.agreements if result else [])}
    out = []
    for k, label in manifest_lines.items():
        held = col(scheme, f"held{k}") if fill >= 2 else f"{seq} = {k}"
        entry = entries.get(k, {})
        out.append(
            Claim(
                scheme,
                k,
                label,
                _money(entry.get("threshold")),
                weight,
                result.rule_id if result else None,
                _money(entry.get("measured")),
                f"({where}) AND coalesce({held}, FALSE)",
                amount,
                f"({where}) AND {seq} = {k}",
            )
        )
    return out


def production_claims(
    con: duckdb.DuckDBPyConnection,
    production_id: str,
    at: date,
    results: list[RuleResult] | None = None,
) -> tuple[list[Claim], str, list[RuleResult]]:
    """The production's claims in the plan's order, the wide relation they are read from, and
    the check's results as at `at` (evaluated, not stored, unless the caller has them)."""
    manifest = get_manifest(con, production_id)
    d = draft(manifest, at)
    plan = plan_of([d])
    if results is None:
        results = evaluate_all(con, [manifest], at)[0]
    by_id = {r.rule_id: r for r in results}
    specs = {s.scheme: s for s in plan.specs}
    order = list(dict.fromkeys(str(f.scheme) for f in manifest.financing))
    claims: list[Claim] = []
    for scheme in order:
        pack = d.packs.get(scheme)
        if pack is None or pack.eligibility is None or scheme not in specs:
            continue
        lines = {k: f.label for k, f in scheme_lines(manifest, pack)}
        claims += _claims_of(pack, by_id, specs[scheme].fill, lines)
    return claims, wide_relation(plan), results


def _conflicts(claims: list[Claim]) -> np.ndarray[Any, np.dtype[np.bool_]]:
    pairs = set(exclusive_pairs())
    c = len(claims)
    out = np.zeros((c, c), bool)
    for i, a in enumerate(claims):
        for j, b in enumerate(claims):
            same = i != j and a.scheme == b.scheme
            out[i, j] = same or tuple(sorted((a.scheme, b.scheme))) in pairs
    return out


def _naive(naive: np.ndarray[Any, Any], conflict: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The check's counting without double counting: a claim leaves an expense an earlier
    conflicting claim (in the plan's order) already took."""
    out = naive.copy()
    for j in range(out.shape[1]):
        for i in range(j):
            if conflict[i, j]:
                out[:, j] = np.where(out[:, i] > 0, 0, out[:, j])
    return out


def _cents(column: str) -> str:
    return f"CAST(({column}) * 100 AS BIGINT)"


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
    cols = [f"{_cents('amount')} AS amount"]
    for j, claim in enumerate(claims):
        amount_ = _cents(claim.amount)
        cols.append(f"CASE WHEN {claim.where} THEN {amount_} ELSE 0 END AS e{j}")
        cols.append(f"CASE WHEN {claim.naive_where} THEN {amount_} ELSE 0 END AS n{j}")
    sql = (
        f"SELECT id, {', '.join(cols)} FROM {relation} "
        "WHERE production_id = $pid AND status = 'actual' ORDER BY id"
    )
    data = con.execute(sql, {"pid": production_id, "at": at}).fetchnumpy()
    n = len(data["id"])
    ids = np.asarray(data["id"], dtype=np.int64)
    amount = np.asarray(data["amount"], dtype=np.int64)
    c = len(claims)
    eligible = np.zeros((n, c), np.int64)
    checked = np.zeros((n, c), np.int64)
    for j in range(c):
        eligible[:, j] = np.asarray(data[f"e{j}"], dtype=np.int64)
        checked[:, j] = np.asarray(data[f"n{j}"], dtype=np.int64)
    conflict = _conflicts(claims)
    required = np.array(
        [-1 if x.required is None else int(x.required * 100) for x in claims], dtype=np.int64
    )
    weight = np.array([float(x.weight) for x in claims])
    schemes = np.array([x.scheme for x in claims])
    whole = (schemes[:, None] == schemes[None, :]) & ~np.eye(len(claims), dtype=bool)
    problem = Problem(
        amount, eligible, conflict, required, weight, _naive(checked, conflict), whole
    )
    return claims, results, problem, ids


def _decimal(cents: Any) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT)


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
    counted, naive = s.counted, p.naive
    figures = [
        ClaimFigures(
            claim,
            _decimal(counted[:, j].sum()),
            _decimal(naive[:, j].sum()),
            int((counted[:, j] > 0).sum()),
            int(((counted[:, j] > 0) & s.split).sum()),
        )
        for j, claim in enumerate(claims)
    ]
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
    overlap = overlap_measure()
    measured_on = {
        f"{pk.scheme}.{r.id}"
        for pk in load_packs().values()
        for r in pk.rules
        if r.measured == overlap
    }
    found = [r for r in results if r.rule_id in measured_on]
    rows, cell = np.nonzero((counted != 0) | (naive != 0))
    of_claim = pl.DataFrame(
        {
            "cell": range(len(claims)),
            "claim": keys,
            "scheme": [c.scheme for c in claims],
            "agreement": [c.agreement for c in claims],
        },
        schema={"cell": pl.Int64, "claim": pl.String, "scheme": pl.String, "agreement": pl.Int64},
    )
    lines = (
        pl.DataFrame(
            {
                "expense_id": ids[rows],
                "cell": cell.astype(np.int64),
                "counted": counted[rows, cell],
                "naive": naive[rows, cell],
                "split": s.split[rows],
            }
        )
        .join(of_claim, on="cell", how="left", maintain_order="left")
        .with_columns(
            (pl.col(k).cast(pl.Decimal(18, 2)) * _CENT_LIT).cast(pl.Decimal(18, 2))
            for k in ("counted", "naive")
        )
    )
    return Allocation(
        production_id,
        at,
        figures,
        moves,
        parts,
        _money(found[0].measured) if found else None,
        _decimal(double_counted(p, counted).sum()),
        Decimal(str(s.shortfall)).quantize(CENT),
        Decimal(str(s.naive_shortfall)).quantize(CENT),
        Decimal(str(s.bound)).quantize(CENT),
        s.kept_naive,
        lines.select(list(LINE_SCHEMA)).cast(pl.Schema(LINE_SCHEMA)),
    )


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
