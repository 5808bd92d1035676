"""The allocation of the invoices stored with the rule run, the double-counting rule's verdict
after it, and the justification workbooks that follow it (issue 20, point 2)."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner
from polars.testing import assert_frame_equal

from finance.checks import run_check
from finance.cli.main import cli
from finance.domain import i18n
from finance.domain.fmt import jsonable
from finance.exports.run import export
from finance.store.db import connect
from rules.allocation import allocate
from rules.allocation_output import allocation_json
from rules.allocation_solver import _unique_rows
from rules.allocation_store import stored_allocation
from rules.cumulation import exclusive_pairs
from rules.runs import result_json
from rules.sentences import result_sentences
from tests.test_allocation import AT, BRUSSELS, PARIS_TAXABLE_IN_BE, production, ts

PRODUCTION = "dernier-tram"
SCHEMES = ["be_tax_shelter", "wallimage", "screen_brussels", "cnc_acm", "screen_flanders"]
OVERLAP = "cumulation.exclusive_overlap"
CENT = Decimal("0.01")


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    """A copy of the demo database this test may write to."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    return path


def _json(value: Any) -> Any:
    """As `--format json` prints it (money as strings, dates in ISO)."""
    return json.loads(json.dumps(jsonable(value)))


def _allocate_json(db: Path, *extra: str) -> dict[str, Any]:
    args = ["allocate", PRODUCTION, "--at", AT.isoformat(), "--db", str(db), "--format", "json"]
    out = CliRunner().invoke(cli, [*args, *extra])
    assert out.exit_code in (0, 1), out.output
    return dict(json.loads(out.output))


def test_the_check_stores_the_allocation_and_allocate_reads_it_while_it_matches(
    demo_copy: Path,
) -> None:
    """The check stores the allocation with its run; `allocate` reads it back (the same figures
    as computed) while the ledger is as the run found it, and computes it again once it is not."""
    run = run_check(demo_copy, PRODUCTION, AT)
    with connect(demo_copy, read_only=True) as con:
        found = stored_allocation(con, PRODUCTION, AT)
        computed = allocate(con, PRODUCTION, AT)
    assert found is not None and found[1] == run.run_id
    assert allocation_json(found[0]) == allocation_json(computed)
    said = _allocate_json(demo_copy)
    assert said["run_id"] == run.run_id
    assert said["obligations"] == _json(allocation_json(computed))["obligations"]
    assert said["moved"] == _json(allocation_json(computed))["moved"]
    with connect(demo_copy) as con:  # the ledger changes: one invoice corrected
        con.execute(
            "UPDATE expenses SET amount = amount + 1 WHERE id = (SELECT min(id) FROM expenses)"
        )
    again = _allocate_json(demo_copy)
    assert again["run_id"] is None
    with connect(demo_copy, read_only=True) as con:
        assert stored_allocation(con, PRODUCTION, AT) is None


def test_the_double_counting_becomes_allocated_without_overlap(
    demo_db: Path, tmp_path: Path
) -> None:
    """On the demo the check counted EUR 91,206.71 for two exclusive schemes at once (63,695.01
    for the Tax Shelter and the CNC, 27,511.70 for screen.brussels and Screen Flanders); with the
    allocation no euro counts twice and no obligation the check's counting met is left short:
    the rule passes, measures what the files count twice (nothing), keeps its evidence (the 115
    invoices) and the figure in its details, and says so in fr, nl and en."""
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    run = run_check(db, PRODUCTION, AT)
    r = next(x for x in run.results if x.rule_id == OVERLAP)
    assert r.status.value == "pass" and r.measured == 0 and r.shortfall == 0
    assert r.evidence_count == 115
    assert r.details["allocation"]["eligible_twice"] == Decimal("91206.71")
    assert r.details["allocation"]["short"] == []
    stored = result_json(r)
    assert result_sentences(stored, "en")[1].startswith("Allocated without overlap: EUR 91,206.71")
    assert result_sentences(stored, "fr")[1].startswith(
        "Répartition sans chevauchement : 91\u202f206,71"
    )
    assert result_sentences(stored, "nl")[1].startswith("Toegewezen zonder overlap: €\xa091.206,71")


def _split_scenario(tmp_path: Path) -> Any:
    """The Tax Shelter needs 90,000 and has 50,000 of Belgian spend of its own; the CNC needs
    75,000; a French actor taxable in Belgium (80,000) can count for either, not both. The check,
    counting the actor twice, meets both; the best allocation splits the actor and leaves
    35,000 short (tests/test_allocation.py)."""
    financing = [
        ts("100000", "2026-02-16"),
        {"scheme": "cnc_acm", "amount": "150000", "signed_on": "2026-01-26"},
    ]
    expenses = [
        BRUSSELS | {"date": "2026-06-15", "amount": "50000.00"},
        PARIS_TAXABLE_IN_BE | {"date": "2026-06-20", "amount": "80000.00"},
    ]
    return production(tmp_path, financing, expenses)


def _eligible(path: Path) -> dict[tuple[Any, ...], tuple[Decimal, str]]:
    """(supplier, invoice ref, date, payment date, budget line, amount: one expense in the
    demo and in the scenario) -> (eligible amount, reason) of a workbook's eligible lines."""
    book = openpyxl.load_workbook(path, data_only=True)
    sheet = book[i18n.text("export.sheet.eligible", "fr")]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    at = {k: header.index(i18n.text(f"export.col.{k}", "fr")) for k in _COLUMNS}
    out = {}
    for row in rows[1:]:
        if row[at["doc_date"]] is None:  # a subtotal or the total
            continue
        key = tuple(row[at[k]] for k in _KEY)
        assert key not in out
        out[key] = (Decimal(str(row[at["eligible_amount"]])).quantize(CENT), row[at["reasons"]])
    return out


_KEY = ("supplier", "invoice_ref", "doc_date", "paid_on", "budget_code", "amount")
_COLUMNS = (*_KEY, "eligible_amount", "reasons")


def test_a_shortfall_the_exclusivity_leaves_is_named_and_the_split_invoice_is_in_both_files(
    tmp_path: Path,
) -> None:
    """The exclusivity costs 35,000 that the check's counting does not see: the rule warns and
    names the obligation left short; the split actor's invoice is in both files, each with its
    part and the reason, the parts adding up to the invoice."""
    with _split_scenario(tmp_path) as con:
        db = tmp_path / "scenario.duckdb"
        run = run_check(db, "scenario", AT)
        books = {
            s: export(db, "scenario", s, tmp_path / f"{s}.xlsx", AT)
            for s in ("be_tax_shelter", "cnc_acm")
        }
        a = allocate(con, "scenario", AT)
    r = next(x for x in run.results if x.rule_id == OVERLAP)
    assert r.status.value == "warn" and r.shortfall == Decimal("35000.00") and r.measured == 0
    short = {s["claim"]: s["shortfall"] for s in r.details["allocation"]["short"]}
    assert sum(short.values()) == Decimal("35000.00")
    sentence = result_sentences(result_json(r), "en")[1]
    assert "Even with the best allocation, short:" in sentence
    lines = {s: _eligible(b.path) for s, b in books.items()}
    actor = {s: next(v for k, v in found.items() if k[1] == "F-2") for s, found in lines.items()}
    assert sum(v for v, _ in actor.values()) == Decimal("80000.00")
    assert all(0 < v < Decimal("80000.00") for v, _ in actor.values())
    assert "Facture répartie" in actor["be_tax_shelter"][1]
    assert "CNC" in actor["be_tax_shelter"][1] and "Tax Shelter" in actor["cnc_acm"][1]
    for f in a.claims:
        assert sum(v for v, _ in lines[f.claim.scheme].values()) == f.allocated


def test_the_five_demo_workbooks_sum_to_the_allocation_with_no_euro_counted_twice(
    demo_copy: Path, tmp_path: Path
) -> None:
    """Acceptance (issue 20): on the demo, after `allocate`, each of the five workbooks lists the
    invoices allocated to its scheme; its eligible total is the allocation's; an invoice is never
    in two files whose schemes exclude each other (a credit note reduces each); the 63 invoices the check
    counted twice are in the CNC's file only, the Tax Shelter's giving them as counted there."""
    said = _allocate_json(demo_copy)
    books = {s: export(demo_copy, PRODUCTION, s, tmp_path / f"{s}.xlsx", AT) for s in SCHEMES}
    with connect(demo_copy, read_only=True) as con:
        found = stored_allocation(con, PRODUCTION, AT)
    assert found is not None
    a = found[0]
    assert said["obligations"] == _json(allocation_json(a))["obligations"]
    lines = {s: _eligible(b.path) for s, b in books.items()}
    for f in a.claims:
        assert sum(v for v, _ in lines[f.claim.scheme].values()) == f.allocated
    per_invoice: dict[tuple[Any, ...], dict[str, Decimal]] = defaultdict(dict)
    for scheme, found_lines in lines.items():
        for key, (value, _) in found_lines.items():
            per_invoice[key][scheme] = value
    # a credit note (negative) is not allocated: it reduces every file it is eligible for, so it
    # may sit in two exclusive files, never to the producer's advantage (allocation_solver)
    for x, y in exclusive_pairs():
        assert not [k for k, v in per_invoice.items() if x in v and y in v and k[5] > 0], (x, y)
    assert sum(lines["cnc_acm"][k][0] for k in per_invoice if "cnc_acm" in per_invoice[k]) == (
        Decimal("262308.49")
    )
    book = openpyxl.load_workbook(books["be_tax_shelter"].path, data_only=True)
    excluded = book[i18n.text("export.sheet.excluded", "fr")]
    moved = [row for row in excluded.iter_rows(values_only=True) if "CNC" in str(row)]
    assert len(moved) == 63


def test_the_check_keeps_the_lines_of_the_latest_allocation_only(demo_copy: Path) -> None:
    """Two checks: the first allocation keeps its figures, the second its lines too (those of
    the invoices it changed only: the others, the naive allocation's, are rebuilt on reading,
    line for line those `allocate` computes); an allocation as at another date than the latest
    is computed again, not read."""
    first = run_check(demo_copy, PRODUCTION, AT)
    second = run_check(demo_copy, PRODUCTION, AT)
    with connect(demo_copy, read_only=True) as con:
        runs = dict(
            con.execute("SELECT run_id, count(*) FROM allocation_lines GROUP BY 1").fetchall()
        )
        kept = {r[0] for r in con.execute("SELECT run_id FROM allocations").fetchall()}
        found = stored_allocation(con, PRODUCTION, AT)
        earlier = stored_allocation(con, PRODUCTION, AT.replace(day=1))
        computed = allocate(con, PRODUCTION, AT)
    assert set(runs) == {second.run_id} and 0 < runs[second.run_id] < 1000
    assert {first.run_id, second.run_id} <= kept
    assert found is not None and found[1] == second.run_id and earlier is None
    assert found[0].lines.height > 4000
    assert_frame_equal(found[0].lines, computed.lines.sort("expense_id", "claim"))
    assert_frame_equal(found[0].moves, computed.moves)
    assert_frame_equal(found[0].parts, computed.parts)


@pytest.mark.parametrize(("n", "c"), [(1, 1), (60, 3), (2000, 4), (5000, 6)])
def test_the_solver_groups_rows_as_the_row_sort_does(n: int, c: int) -> None:
    """The solver's grouping by pattern read as one number per row gives numpy's row sort's
    groups, in the same order (rules/allocation_solver.py `_unique_rows`)."""
    rng = np.random.default_rng(n)
    code = rng.integers(0, 3, (n, c))
    partial = (code == 2).any(axis=1)
    key = np.concatenate([code, np.where(partial, np.arange(n), -1)[:, None]], axis=1)
    uniq, of_row = np.unique(key, axis=0, return_inverse=True)
    found, found_of_row = _unique_rows(key)
    assert (found == uniq).all() and (found_of_row == of_row.reshape(-1)).all()
