"""The allocation as the check computes it for a set of productions (rules/allocation_batch.py):
one query reads every production's matrix, each production gets the allocation it gets alone,
and the stored allocation (the changed invoices' lines only) reads back line for line as
`allocate` computes it."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import duckdb
import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from finance.checks import run_check, run_checks
from finance.store.db import connect, transaction
from finance.store.productions import get_manifest
from rules.allocation import allocate, allocation_problem
from rules.allocation_batch import shared_rows
from rules.allocation_claims import draft_claims
from rules.allocation_matrix import naive_of, read_matrices
from rules.allocation_solver import _by_group_and_amount, _unique_rows
from rules.allocation_store import stored_allocation
from rules.runs import evaluate
from rules.setwise import draft, evaluate_all, evaluate_drafts, plan_of
from rules.wide import wide_relation
from tests.test_portfolio_check import AT, PLANS, build_portfolio

#: the productions of tests/test_portfolio_check.py that the check allocates (two exclusive
#: schemes, or two agreements standing on their own)
ALLOCATED = ("atelier", "tram")


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("batch")
    db = work / "portfolio.duckdb"
    build_portfolio(db, work)
    return db


@pytest.fixture
def copy(portfolio: Path, tmp_path: Path) -> Path:
    path = tmp_path / "copy.duckdb"
    shutil.copy(portfolio, path)
    return path


def _summaries(db: Path) -> dict[str, str]:
    with connect(db, read_only=True) as con:
        rows = con.execute(
            "SELECT production_id, summary_json FROM allocations ORDER BY run_id"
        ).fetchall()
    return {str(p): str(s) for p, s in rows}


def test_one_query_reads_each_production_s_own_matrix(portfolio: Path) -> None:
    """The matrices read together, sliced by production, are those each production's own
    query reads (a production without expenses has none)."""
    pids = sorted(PLANS)
    with connect(portfolio, read_only=True) as con:
        drafts = [draft(get_manifest(con, pid), AT) for pid in pids]
        results = evaluate_all(con, [d.manifest for d in drafts], AT)
        claims = {d.manifest.id: draft_claims(d, r) for d, r in zip(drafts, results, strict=True)}
        together = read_matrices(con, wide_relation(plan_of(drafts)), claims, AT)
        for pid, res in zip(pids, results, strict=True):
            _, _, alone, ids = allocation_problem(con, pid, AT, res)
            m = together[pid]
            assert (m.ids == ids).all() and (m.amount == alone.amount).all(), pid
            assert (m.eligible == alone.eligible).all(), pid
            assert (naive_of(m.checked, alone.conflict) == alone.naive).all(), pid
    assert len(together["vide"].ids) == 0 and len(together["tram"].ids) > 1000


class _Counting:
    """A connection that counts the statements scanning the wide relation (its `valued` CTE)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con, self.scans = con, 0

    def _seen(self, sql: str) -> None:
        self.scans += "valued AS (" in sql

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        self._seen(sql)
        return self.con.execute(sql, *args, **kwargs)

    def sql(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        self._seen(sql)
        return self.con.sql(sql, *args, **kwargs)


def test_the_check_scans_the_wide_relation_once(portfolio: Path) -> None:
    """The check's measures and its allocation's matrices read one scan of the wide relation
    (a temp table of their expressions, on the read-only connection, dropped after): the same
    results and allocations as each read from the relation."""
    with connect(portfolio, read_only=True) as con:
        counting = _Counting(con)
        found = evaluate(cast(duckdb.DuckDBPyConnection, counting), None, AT)
        assert counting.scans == 1
        left = con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchall()
        assert left == [(0,)]
        assert sorted(e.production_id for e in found if e.allocation) == list(ALLOCATED)
        drafts = [draft(get_manifest(con, pid), AT) for pid in sorted(PLANS)]
        plan = plan_of(drafts)
        results = evaluate_drafts(con, drafts, AT)
        claims = {d.manifest.id: draft_claims(d, r) for d, r in zip(drafts, results, strict=True)}
        direct = read_matrices(con, wide_relation(plan), claims, AT)
        with shared_rows(con, drafts, plan, AT) as narrow:
            assert narrow is not None
            assert evaluate_drafts(con, drafts, AT, narrow, plan) == results
            # read row by row where the table's column types are not known
            unknown = replace(narrow, types={})
            assert evaluate_drafts(con, drafts, AT, unknown, plan) == results
            shared = read_matrices(con, "no_such_relation", claims, AT, narrow=narrow)
    assert list(shared) == list(direct)
    for pid, m in direct.items():
        s = shared[pid]
        for a, b in ((m.ids, s.ids), (m.amount, s.amount), (m.eligible, s.eligible)):
            assert a.shape == b.shape and (a == b).all(), pid
        assert (m.checked == s.checked).all(), pid


def test_the_portfolio_check_stores_each_production_s_own_allocation(
    copy: Path, tmp_path: Path
) -> None:
    """`check --all` stores for each production the allocation its own check stores, and each
    reads back as `allocate` computes it: every line, the moved and split invoices."""
    alone = tmp_path / "alone.duckdb"
    shutil.copy(copy, alone)
    run_checks(copy, None, AT)
    for pid in sorted(PLANS):
        run_check(alone, pid, AT)
    together, each = _summaries(copy), _summaries(alone)
    assert sorted(together) == sorted(each) == list(ALLOCATED)
    assert together == each
    with connect(copy, read_only=True) as con:
        for pid in ALLOCATED:
            found, computed = stored_allocation(con, pid, AT), allocate(con, pid, AT)
            assert found is not None, pid
            assert_frame_equal(found[0].lines, computed.lines.sort("expense_id", "claim"))
            assert_frame_equal(found[0].moves, computed.moves)
            assert found[0].claims == computed.claims
            stored = con.execute(
                "SELECT count(*) FROM allocation_lines WHERE run_id = ?", [found[1]]
            ).fetchall()[0][0]
            assert 0 < stored < computed.lines.height, pid


def test_an_allocation_stored_with_every_line_reads_the_same(copy: Path) -> None:
    """An allocation stored before the check kept the changed lines only (every line stored)
    reads back the same: the stored lines cover every expense, none is rebuilt twice."""
    run = run_check(copy, "tram", AT)
    with connect(copy, read_only=True) as con:
        computed = allocate(con, "tram", AT)
        before = stored_allocation(con, "tram", AT)
    assert before is not None
    every = computed.lines.with_columns(run_id=pl.lit(run.run_id, pl.Int64))
    with connect(copy) as con, transaction(con):
        con.execute("DELETE FROM allocation_lines")
        con.register("every_line", every.to_arrow())
        con.execute(
            "INSERT INTO allocation_lines SELECT run_id, expense_id, claim, scheme, agreement, "
            "counted, naive, split FROM every_line"
        )
    with connect(copy, read_only=True) as con:
        after = stored_allocation(con, "tram", AT)
    assert after is not None
    assert_frame_equal(after[0].lines, before[0].lines)
    assert json.dumps(str(after[0].claims)) == json.dumps(str(before[0].claims))


@pytest.mark.parametrize(("n", "c"), [(1, 1), (60, 3), (2000, 4), (5000, 6)])
def test_patterns_counted_in_a_table_are_the_row_sort_s_groups(n: int, c: int) -> None:
    """Where no row is a group of its own, the patterns counted in a table (`_dense_unique`)
    give numpy's row sort's groups in the same order; the rows by group and amount come in
    the three-key lexsort's order."""
    rng = np.random.default_rng(n)
    key = np.concatenate([rng.integers(0, 2, (n, c)), np.full((n, 1), -1)], axis=1)
    uniq, of_row = np.unique(key, axis=0, return_inverse=True)
    found, found_of_row = _unique_rows(key)
    assert (found == uniq).all() and (found_of_row == of_row.reshape(-1)).all()
    amount = rng.integers(1, 50, n)
    expected = np.lexsort((np.arange(n), amount, found_of_row))
    assert (_by_group_and_amount(found_of_row, amount) == expected).all()


def test_a_production_asked_for_twice_is_allocated_once_and_stored_twice(copy: Path) -> None:
    runs = run_checks(copy, ["tram", "tram"], AT)
    assert [r.production_id for r in runs] == ["tram", "tram"]
    assert runs[0].results == runs[1].results
    with connect(copy, read_only=True) as con:
        found = stored_allocation(con, "tram", AT)
    assert found is not None and found[1] == runs[1].run_id
