"""The allocation stored with the rule run (issue 20): the check computes it with the results
it stores, the justification files and `cineledger allocate` read it back, so that the file and
the check agree.

A stored allocation names the inputs it rests on (`inputs_hash`: the ledger state, which holds
the manifest's hash, the date and the rulebook); it is read back only while they are the
current ones, else the allocation is computed again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, fields
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
import numpy as np
import polars as pl

from finance.domain.fmt import jsonable
from finance.store.db import read_frame
from finance.store.productions import get_manifest
from rules import RULEBOOK_VERSION
from rules.allocation import (
    LINE_SCHEMA,
    Allocation,
    Claim,
    ClaimFigures,
    _details,
    allocate,
    line_frame,
)
from rules.allocation_matrix import conflicts, naive_of, read_matrices
from rules.cumulation import exclusive_pairs
from rules.relation import ledger_state
from rules.setwise import draft, plan_of
from rules.wide import wide_relation


def inputs_hash(state: str, at: date) -> str:
    """What an allocation rests on, hashed: the ledger state (expenses, corrections, devis, the
    manifest's hash), the date and the rulebook."""
    return hashlib.sha256(f"{state}|{at.isoformat()}|{RULEBOOK_VERSION}".encode()).hexdigest()


def _summary(a: Allocation) -> str:
    claims = [
        {
            "claim": {
                **{k: jsonable(v) for k, v in asdict(f.claim).items()},
                "weight": str(f.claim.weight),  # as the pack writes it, not as money
            },
            "allocated": jsonable(f.allocated),
            "naive": jsonable(f.naive),
            "invoices": f.invoices,
            "split": f.split,
        }
        for f in a.claims
    ]
    figures = {
        k: jsonable(getattr(a, k))
        for k in ("check_overlap", "double_counted", "shortfall", "naive_shortfall", "bound")
    }
    return json.dumps({"claims": claims, **figures, "kept_naive": a.kept_naive})


def store_allocations(
    con: duckdb.DuckDBPyConnection, stored: list[tuple[int, Allocation, str]]
) -> None:
    """Each (run id, allocation, inputs hash) with its lines (inside the run's transaction): the
    check's allocation holds the lines of the invoices it changed only (rules/allocation_batch.py),
    the others being the naive allocation's, rebuilt on reading (`stored_allocation`). Only a
    production's latest allocation keeps its lines: the earlier ones keep their figures, and an
    earlier run's evidence is recomputed anyway (rules/relation.py)."""
    if not stored:
        return
    con.execute(
        "DELETE FROM allocation_lines WHERE run_id IN (SELECT run_id FROM allocations "
        "WHERE production_id IN (SELECT unnest($1::VARCHAR[])))",
        [[a.production for _, a, _ in stored]],
    )
    rows = [[run_id, a.production, a.at, inputs, _summary(a)] for run_id, a, inputs in stored]
    columns: list[list[Any]] = [list(c) for c in zip(*rows, strict=True)]
    con.execute(
        "INSERT INTO allocations (run_id, production_id, as_at, inputs_sha256, summary_json) "
        "SELECT unnest($1), unnest($2), unnest($3), unnest($4), unnest($5)",
        columns,
    )
    lines = pl.concat(
        [a.lines.with_columns(run_id=pl.lit(run_id, pl.Int64)) for run_id, a, _ in stored]
    )
    con.register("allocation_lines_new", lines.to_arrow())
    try:
        con.execute(
            "INSERT INTO allocation_lines (run_id, expense_id, claim, scheme, agreement, counted, "
            "naive, split) SELECT run_id, expense_id, claim, scheme, agreement, counted, naive, "
            "split FROM allocation_lines_new"
        )
    finally:
        con.unregister("allocation_lines_new")


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _claim(data: dict[str, Any]) -> Claim:
    money = {"required", "weight", "check_figure"}
    values: dict[str, Any] = {
        f.name: _money(data[f.name]) if f.name in money else data[f.name] for f in fields(Claim)
    }
    return Claim(**values)


def stored_allocation(
    con: duckdb.DuckDBPyConnection, production_id: str, at: date
) -> tuple[Allocation, int] | None:
    """The production's latest stored allocation and its run, if it is as at `at` and the
    inputs it rests on are the current ones; else None."""
    inputs = inputs_hash(ledger_state(con, production_id), at)
    found = con.execute(
        "SELECT run_id, summary_json, as_at, inputs_sha256 FROM allocations "
        "WHERE production_id = ? ORDER BY run_id DESC LIMIT 1",
        [production_id],
    ).fetchall()
    if not found or found[0][2] != at or found[0][3] != inputs:
        return None
    row = found[0]
    run_id, summary = int(row[0]), json.loads(row[1])
    changed = read_frame(
        con,
        "SELECT expense_id, claim, scheme, agreement, counted, naive, split "
        "FROM allocation_lines WHERE run_id = $run",
        {"run": run_id},
    ).cast(pl.Schema(LINE_SCHEMA))
    claims = [
        ClaimFigures(
            _claim(c["claim"]),
            Decimal(c["allocated"]),
            Decimal(c["naive"]),
            int(c["invoices"]),
            int(c["split"]),
        )
        for c in summary["claims"]
    ]
    lines = every_line(con, production_id, at, [f.claim for f in claims], changed)
    order = [f.claim.key for f in claims]
    moves, parts = _moves(con, lines, order)
    allocation = Allocation(
        production_id,
        at,
        claims,
        moves,
        parts,
        _money(summary["check_overlap"]),
        Decimal(summary["double_counted"]),
        Decimal(summary["shortfall"]),
        Decimal(summary["naive_shortfall"]),
        Decimal(summary["bound"]),
        bool(summary["kept_naive"]),
        lines,
    )
    return allocation, run_id


def every_line(
    con: duckdb.DuckDBPyConnection,
    production_id: str,
    at: date,
    claims: list[Claim],
    changed: pl.DataFrame,
) -> pl.DataFrame:
    """Every line of a stored allocation: the `changed` invoices' stored lines and, for every
    other expense, the naive allocation's (what the check counts, a claim leaving an expense an
    earlier conflicting claim took), read again from the ledger, which the inputs hash says is
    the one the allocation was computed on. By expense and claim."""
    d = draft(get_manifest(con, production_id), at)
    relation = wide_relation(plan_of([d]))
    m = read_matrices(con, relation, {production_id: claims}, at, eligible=False)[production_id]
    naive = naive_of(m.checked, conflicts(claims))
    keep = ~np.isin(m.ids, changed["expense_id"].to_numpy())
    ids, naive = m.ids[keep], naive[keep]
    rows, cell = np.nonzero(naive)
    same = naive[rows, cell]
    kept = line_frame(claims, ids[rows], cell, same, same, np.zeros(len(rows), bool))
    return pl.concat([kept, changed]).sort("expense_id", "claim")


def _moves(
    con: duckdb.DuckDBPyConnection, lines: pl.DataFrame, order: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The invoices moved from the naive allocation and the split ones, as `allocate` gives
    them, from the stored lines (claims in the plan's order)."""
    rank = {k: i for i, k in enumerate(order)}
    ranked = lines.with_columns(rank=pl.col("claim").replace_strict(rank, return_dtype=pl.Int64))
    zero = pl.lit(0, pl.Decimal(18, 2))
    per = (
        ranked.sort("expense_id", "rank")
        .group_by("expense_id", maintain_order=True)
        .agg(
            lost=pl.col("claim").filter((pl.col("naive") > zero) & (pl.col("counted") == zero)),
            gained=pl.col("claim").filter((pl.col("counted") > zero) & (pl.col("naive") == zero)),
            split=pl.col("split").any(),
        )
        .filter((pl.col("lost").list.len() > 0) | (pl.col("gained").list.len() > 0) | "split")
    )
    details = _details(con, per["expense_id"].to_numpy())
    moves = details.join(per, on="expense_id", how="right").select(
        "expense_id", "doc_date", "supplier", "invoice_ref", "amount", "lost", "gained", "split"
    )
    cut = (
        ranked.filter(pl.col("split") & (pl.col("counted") > zero))
        .sort("expense_id", "rank")
        .select("expense_id", "claim", "counted")
    )
    parts = details.join(cut, on="expense_id", how="right").select(
        "expense_id", "doc_date", "supplier", "invoice_ref", "amount", "claim", "counted"
    )
    return moves, parts


def current_allocation(
    con: duckdb.DuckDBPyConnection, production_id: str, at: date
) -> tuple[Allocation, int | None]:
    """The stored allocation and its run while it matches the current inputs, else the
    allocation computed now (no run)."""
    found = stored_allocation(con, production_id, at)
    if found is not None:
        return found
    return allocate(con, production_id, at), None


def scheme_lines(a: Allocation, scheme: str) -> pl.DataFrame:
    """Per expense the allocation decided: what it counts for `scheme` (null: nothing), the
    agreement it counts for, whether it is split, and the other claims it counts for (`|`-joined);
    the columns the justification files join on (finance/store/queries/exports.py). The other
    claims named are those that may not share a euro with `scheme` (the cumulation policy)."""
    zero = pl.lit(0, pl.Decimal(18, 2))
    mine = pl.col("scheme") == scheme
    rivals = [b if a == scheme else a for a, b in exclusive_pairs() if scheme in (a, b)]
    rival = pl.col("scheme").is_in(rivals)
    counted = pl.col("counted") != zero
    return (
        a.lines.filter(counted)
        .group_by("expense_id")
        .agg(
            a_counted=pl.col("counted").filter(mine).sum().cast(pl.Decimal(18, 2)),
            a_mine=mine.any(),
            a_agreement=pl.col("agreement").filter(mine).first(),
            a_split=pl.col("split").any(),
            a_elsewhere=pl.col("claim").filter(rival).sort().str.join("|"),
        )
        .with_columns(a_counted=pl.when("a_mine").then("a_counted"))
        .drop("a_mine")
        .sort("expense_id")
    )


def claim_figures(a: Allocation, scheme: str) -> list[ClaimFigures]:
    """The allocation's figures of the claims of `scheme` (one, or one per agreement)."""
    return [f for f in a.claims if f.claim.scheme == scheme]
