"""Cached reads of the database. Connections are opened and closed per read (never held between
reruns: the CLI can import while a dashboard is open); results are cached on a data version
(file size and modification time), so new data shows on the next rerun."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from finance.checks import evaluate_check
from finance.domain.errors import UserError
from finance.domain.models import Manifest
from finance.financing.run import FinancingView, financing_views
from finance.financing.states import RULE_SCHEMA
from finance.financing.whatif import Comparison, WhatIf, compare
from finance.reports.cost_report import CostReport, build_report
from finance.reports.territories import territory_figures
from finance.store import queries
from finance.store.audit import trail
from finance.store.db import connect, default_db_path
from finance.store.productions import get_manifest
from rules import relation as rules_relation
from rules.runs import result_json

Version = tuple[str, int, int]


def db_path() -> Path:
    """The database the dashboard reads: $CINELEDGER_DB or ./cineledger.duckdb."""
    return Path(os.environ.get("CINELEDGER_DB") or default_db_path()).resolve()


def version() -> Version:
    """Changes whenever the database file does (WAL included)."""
    path = db_path()
    stats = [p.stat() for p in (path, Path(f"{path}.wal")) if p.exists()]
    return (str(path), sum(s.st_mtime_ns for s in stats), sum(s.st_size for s in stats))


@st.cache_data(show_spinner=False, max_entries=64)
def productions(v: Version) -> pl.DataFrame:
    """Id and title of every production, for the picker every page shows: no expense is read
    (the portfolio's sizes and spend are the Portfolio page's own query)."""
    if not Path(v[0]).exists():
        return pl.DataFrame()
    with connect(Path(v[0]), read_only=True) as con:
        return queries.frame(con, "productions.titles")


@st.cache_data(show_spinner=False, max_entries=64)
def manifest(v: Version, production_id: str) -> Manifest:
    with connect(Path(v[0]), read_only=True) as con:
        return get_manifest(con, production_id)


@st.cache_data(show_spinner=False, max_entries=32)
def report(v: Version, production_id: str, at: date) -> CostReport:
    with connect(Path(v[0]), read_only=True) as con:
        return build_report(con, production_id, at)


@st.cache_data(show_spinner=False, max_entries=16)
def territories(v: Version, production_id: str, at: date) -> pl.DataFrame:
    """Actual spend, plan to date and plan at completion per territory."""
    with connect(Path(v[0]), read_only=True) as con:
        return territory_figures(con, production_id, at, get_manifest(con, production_id))


@st.cache_data(show_spinner=False, max_entries=16)
def audit_trail(v: Version, production_id: str) -> pl.DataFrame:
    """The production's audit entries and the database-wide ones, newest first."""
    with connect(Path(v[0]), read_only=True) as con:
        return trail(con, production_id)


@st.cache_data(show_spinner=False, max_entries=16)
def eligibility_at(v: Version, production_id: str, at: date, scheme: str | None = None) -> str:
    """The SQL of the eligibility relation as at a date (parameters $pid and $at), of every
    scheme or of `scheme` alone (the same rows, computed for that scheme only)."""
    with connect(Path(v[0]), read_only=True) as con:
        return rules_relation.relation_at(con, production_id, at, scheme)[0]


@st.cache_data(show_spinner=False, max_entries=16)
def latest_run_date(v: Version, production_id: str) -> date | None:
    """The as-at date of the production's latest check (None before the first)."""
    with connect(Path(v[0]), read_only=True) as con:
        try:
            return rules_relation.latest_run(con, production_id)[1]
        except UserError:
            return None


@st.cache_data(show_spinner=False, max_entries=16)
def ledger_changed(v: Version, production_id: str) -> bool:
    """Whether the ledger changed since the latest check: its evidence is then recomputed from
    today's ledger at the run's date, and may no longer add up to the stored figures."""
    with connect(Path(v[0]), read_only=True) as con:
        try:
            _, _, state = rules_relation.latest_run(con, production_id)
        except UserError:
            return False
        return state is not None and state != rules_relation.ledger_state(con, production_id)


@st.cache_data(show_spinner=False, max_entries=16)
def financing(v: Version, production_id: str, at: date) -> FinancingView:
    """The production's financing as at `at`: the plan against the devis, the tranches and
    their states, the receipts, the cash-flow plan and its low point (read-only). A tranche
    waiting on a funder's rule reads that rule's status in the latest stored check, as the
    Overview's funders strip does (evaluating every rule again would double the Overview's
    first render at a million expenses); before any check, the rules are evaluated here,
    without storing them."""
    run, results = latest_results(v, production_id)
    with connect(Path(v[0]), read_only=True) as con:
        manifest = get_manifest(con, production_id)
        rules = None
        if run is not None:
            rules = pl.DataFrame(
                {
                    "production_id": [production_id] * len(results),
                    "rule_id": [r["rule_id"] for r in results],
                    "status": [r["status"] for r in results],
                },
                schema=RULE_SCHEMA,
            )
        return financing_views(con, [manifest], at, rules)[production_id]


@st.cache_data(show_spinner=False, max_entries=32)
def what_if(
    v: Version,
    production_id: str,
    at: date,
    shift_weeks: int,
    delays: tuple[tuple[str, int], ...],
    drops: tuple[str, ...],
) -> Comparison:
    """Today's financing beside a what-if's (finance.financing.whatif), computed on a copy of
    the manifest: nothing is written."""
    scenario = WhatIf(shift_weeks, dict(delays), frozenset(drops))
    return compare(Path(v[0]), production_id, at, scenario)


Pairs = tuple[tuple[str, Any], ...]


@st.cache_data(show_spinner=False, max_entries=64)
def named(v: Version, name: str, params: Pairs = (), parts: Pairs = ()) -> pl.DataFrame:
    """A named query of the store's query layer (finance/store/queries), read-only; parameters
    and template parts as tuples of pairs, hashable for the cache (a tuple value is bound as a
    list)."""
    with connect(Path(v[0]), read_only=True) as con:
        return queries.frame(
            con,
            name,
            {k: list(x) if isinstance(x, tuple) else x for k, x in params},
            dict(parts),
        )


def latest_results(
    v: Version, production_id: str
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The latest stored rule run and its results as the JSON of `check`."""
    runs = named(v, "dashboard.latest_run", (("pid", production_id),))
    if runs.height == 0:
        return None, []
    run = runs.row(0, named=True)
    rows = named(v, "dashboard.run_results", (("run", run["id"]),))
    return run, [json.loads(text) for text in rows["result_json"]]


@st.cache_data(show_spinner=False, max_entries=16)
def unstored_results(v: Version, production_id: str, at: date) -> list[dict[str, Any]]:
    """The production's results as at `at`, evaluated read-only and not stored (as the JSON of
    `check`): what the Funders page shows before any check was run, without writing."""
    return [result_json(r) for r in evaluate_check(Path(v[0]), production_id, at)]


def clear() -> None:
    """Forget every cached read (after this session wrote to the database)."""
    st.cache_data.clear()
