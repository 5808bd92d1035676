"""The financing view of productions as at a date: plan balance, payments and their states,
receipts, the cash-flow plan and its low point, from one read-only connection.

`financing_views` computes every production asked for in one pass (the portfolio and the
benchmark use it); `financing_view` is the same for one, and `compare` puts a what-if's view
beside today's (finance/financing/whatif.py), without writing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from finance.domain.models import Manifest
from finance.domain.money import MONEY
from finance.financing.balance import balances, by_country, with_shares
from finance.financing.cashflow import CashInputs, cash_plan, low_points
from finance.financing.sources import payments_frame, sources_frame
from finance.financing.states import RULE_SCHEMA, payment_states
from finance.store import queries
from finance.store.db import connect
from finance.store.productions import get_manifest
from rules.setwise import evaluate_all


@dataclass(frozen=True)
class FinancingView:
    """One production's financing as at `at` (each frame that production's rows only)."""

    production_id: str
    at: date
    currency: str
    balance: dict[str, Any]
    sources: pl.DataFrame
    countries: pl.DataFrame
    payments: pl.DataFrame
    receipts: pl.DataFrame
    weeks: pl.DataFrame
    low: dict[str, Any]
    rules: pl.DataFrame

    @property
    def overdue(self) -> pl.DataFrame:
        return self.payments.filter(pl.col("overdue"))

    @property
    def at_risk(self) -> pl.DataFrame:
        return self.payments.filter(pl.col("at_risk"))

    @property
    def unscheduled(self) -> pl.DataFrame:
        return self.payments.filter(pl.col("state") == "unscheduled")


def rule_statuses(
    con: duckdb.DuckDBPyConnection, manifests: list[Manifest], at: date
) -> pl.DataFrame:
    """(production_id, rule_id, status) of the check evaluated at `at`, not stored (one pass)."""
    results = evaluate_all(con, manifests, at)
    rows = [
        {"production_id": m.id, "rule_id": r.rule_id, "status": r.status.value}
        for m, found in zip(manifests, results, strict=True)
        for r in found
    ]
    return pl.DataFrame(rows, schema=RULE_SCHEMA)


def _budgets(con: duckdb.DuckDBPyConnection, manifests: list[Manifest]) -> pl.DataFrame:
    """Per production: the current devis total, else the manifest's budget_total."""
    pids = [m.id for m in manifests]
    devis = queries.frame(con, "cash.devis_totals", {"pids": pids})
    stated = pl.DataFrame(
        {"production_id": pids, "stated": [m.budget_total for m in manifests]},
        schema={"production_id": pl.String, "stated": MONEY},
    )
    return stated.join(devis, on="production_id", how="left").select(
        "production_id",
        pl.coalesce(pl.col("devis").cast(MONEY), pl.col("stated"))
        .fill_null(0)
        .cast(MONEY)
        .alias("budget"),
        pl.when(pl.col("devis").is_not_null())
        .then(pl.lit("devis"))
        .when(pl.col("stated").is_not_null())
        .then(pl.lit("budget_total"))
        .otherwise(pl.lit("none"))
        .alias("budget_source"),
    )


def _receipts(con: duckdb.DuckDBPyConnection, pids: list[str], at: date) -> pl.DataFrame:
    found = queries.frame(con, "receipts.of", {"pids": pids, "at": at})
    return found.with_columns(pl.col("amount").cast(MONEY))


def financing_views(
    con: duckdb.DuckDBPyConnection,
    manifests: list[Manifest],
    at: date,
    rules: pl.DataFrame | None = None,
) -> dict[str, FinancingView]:
    """Every production's view as at `at`, computed in one pass over all of them. `rules`: the
    rule statuses the conditional payments read (evaluated here when not given)."""
    pids = [m.id for m in manifests]
    rules = rule_statuses(con, manifests, at) if rules is None else rules
    budgets = _budgets(con, manifests)
    sources = with_shares(sources_frame(manifests), budgets)
    receipts = _receipts(con, pids, at)
    payments = payment_states(payments_frame(manifests), sources, receipts, rules, at)
    received = payments.group_by("production_id").agg(pl.col("received").sum().cast(MONEY))
    inputs = CashInputs(
        manifests,
        payments,
        queries.frame(con, "cash.remainder_by_chapter", {"pids": pids, "at": at}),
        queries.frame(con, "cash.committed_by_week", {"pids": pids, "at": at}),
        queries.frame(con, "cash.actual_to_date", {"pids": pids, "at": at}),
        received,
    )
    weeks = cash_plan(inputs, at)
    lows = low_points(weeks)
    totals = balances(sources, budgets)
    countries = by_country(sources, budgets)
    return {
        m.id: FinancingView(
            m.id,
            at,
            m.currency,
            _one(totals, m.id),
            sources.filter(pl.col("production_id") == m.id).sort("seq"),
            countries.filter(pl.col("production_id") == m.id),
            payments.filter(pl.col("production_id") == m.id).sort("seq", "tranche_id", "rank"),
            receipts.filter(pl.col("production_id") == m.id),
            weeks.filter(pl.col("production_id") == m.id),
            _one(lows, m.id),
            rules.filter(pl.col("production_id") == m.id),
        )
        for m in manifests
    }


def _one(frame: pl.DataFrame, production_id: str) -> dict[str, Any]:
    rows = frame.filter(pl.col("production_id") == production_id).to_dicts()
    return rows[0] if rows else {}


def financing_view(
    db: Path | None, production_id: str, at: date, manifest: Manifest | None = None
) -> FinancingView:
    """One production's view (its stored manifest, or `manifest` in its place: a what-if)."""
    with connect(db, read_only=True) as con:
        stored = get_manifest(con, production_id)
        return financing_views(con, [manifest or stored], at)[production_id]
