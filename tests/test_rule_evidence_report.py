"""The evidence the dashboard shows for one rule (finance/reports/evidence.py): for every rule of
the demo's check measured on expenses, the double counting included, the expenses it counts are
as many as the run counted and add up to its measured figure to the cent; each agreement's add up
to its own; those not counted are the others of the scheme, each with its reasons."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from finance.checks import run_check
from finance.reports.evidence import has_evidence, rule_evidence
from finance.store.db import connect
from tests.conftest import DEMO_AT

PRODUCTION = "dernier-tram"


def test_every_rule_s_evidence_adds_up_to_its_measured_figure(
    demo_db: Path, tmp_path: Path
) -> None:
    import shutil

    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    results = run_check(db, PRODUCTION, DEMO_AT).results
    seen = []
    with connect(db, read_only=True) as con:
        for r in results:
            if not has_evidence(r.rule_id) or r.measured is None:
                continue
            ev = rule_evidence(con, PRODUCTION, r.rule_id, DEMO_AT, limit=10)
            # the double counting once the invoices are allocated (issue 20): its evidence is the
            # spend eligible twice, which the allocation counts once (measured: what it counts
            # twice, nothing)
            decided = r.details.get("allocation")
            figure = decided["eligible_twice"] if decided else r.measured
            assert (ev.count, ev.total) == (r.evidence_count, figure), r.rule_id
            assert ev.rows.height == min(10, ev.count)
            left_out = rule_evidence(con, PRODUCTION, r.rule_id, DEMO_AT, counted=False, limit=5)
            if left_out.count and not r.rule_id.startswith("cumulation."):
                assert (left_out.rows["reasons"].list.len() > 0).all(), r.rule_id
            seen.append(r.rule_id)
    assert "cumulation.exclusive_overlap" in seen  # the double counting, non-empty on the demo
    assert {"wallimage.walloon_spend", "screen_brussels.brussels_spend"} <= set(seen)


def test_a_rule_on_the_plan_has_no_expense_evidence() -> None:
    assert not has_evidence("eu.budget_share")
    assert not has_evidence("wallimage.max_investment")
    assert not has_evidence("nothing.at_all")
    assert has_evidence("cumulation.exclusive_overlap")


def test_the_per_agreement_evidence_adds_up_to_each_agreement(
    demo_db: Path, tmp_path: Path
) -> None:
    import shutil

    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    results = {r.rule_id: r for r in run_check(db, PRODUCTION, DEMO_AT).results}
    shelter = results["be_tax_shelter.belgian_spend"]
    with connect(db, read_only=True) as con:
        one = rule_evidence(con, PRODUCTION, shelter.rule_id, DEMO_AT, agreement=1, limit=1)
    assert one.total == Decimal(str(shelter.measured))  # the demo has one agreement
