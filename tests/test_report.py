"""The cost report and the check on the demo: the contract's JSON, exact money, evidence."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from finance.checks import run_check
from finance.reports.cost_report import cost_report
from finance.reports.output import report_json
from finance.store import queries
from finance.store.db import connect
from finance.store.productions import add_production, list_productions
from finance.store.sql import literal
from rules import PACKS_DIR
from rules.measures import budget_rows
from rules.output import check_table, portfolio_table
from rules.runs import run_json
from tests.conftest import DEMO_AT

REQUIRED = {
    "be_tax_shelter.belgian_spend",
    "be_tax_shelter.direct_share",
    "be_tax_shelter.eea_cap",
    "be_tax_shelter.budget_share",
    "wallimage.walloon_spend",
    "screen_brussels.brussels_spend",
    "cnc_acm.french_spend",
}


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    return path


def test_report_json_follows_the_contract(demo_db: Path) -> None:
    data = report_json(cost_report(demo_db, "dernier-tram", DEMO_AT))
    assert data["production"] == "dernier-tram" and data["currency"] == "EUR"
    for key in (
        "budget",
        "actual",
        "committed",
        "estimate_to_complete",
        "estimate_at_completion",
        "variance",
    ):
        assert isinstance(data["totals"][key], str) and data["totals"][key].count(".") == 1
        assert len(data["totals"][key].split(".")[1]) == 2
    chapters = data["chapters"]
    assert [c["code"] for c in chapters][:3] == ["1", "2", "3"]
    line_sum = sum(Decimal(line["actual"]) for c in chapters for line in c["lines"])
    assert line_sum == Decimal(data["totals"]["actual"])
    assert sum(Decimal(c["estimate_at_completion"]) for c in chapters) == Decimal(
        data["totals"]["estimate_at_completion"]
    )
    burn = data["burn"]
    assert {"weekly", "trailing_4_weeks", "budget_runs_out_on"} <= set(burn)
    actual_weeks = [w for w in burn["weekly"] if w["actual"] is not None]
    assert Decimal(actual_weeks[-1]["cumulative_actual"]) == Decimal(data["totals"]["actual"])
    assert "float" not in json.dumps(data)


def test_check_gives_every_required_rule_with_its_evidence(demo_copy: Path) -> None:
    run = run_check(demo_copy, "dernier-tram", DEMO_AT)
    data = run_json(run)
    results = {r["rule_id"]: r for r in data["results"]}
    assert set(results) >= REQUIRED
    assert data["rulebook"] and data["at"] == DEMO_AT.isoformat()
    for rule_id in REQUIRED:
        r = results[rule_id]
        for key in (
            "measured",
            "threshold",
            "shortfall",
            "projected",
            "explanation",
            "parameters",
            "evidence_count",
        ):
            assert key in r, (rule_id, key)
        assert all(
            {"confidence", "verified", "source", "valid_from"} <= set(p) for p in r["parameters"]
        )
    # the evidence adds up to each measured figure: tests/test_evidence.py, on the code users run


def test_each_result_says_which_inputs_are_not_verified(demo_copy: Path) -> None:
    run = run_check(demo_copy, "dernier-tram", DEMO_AT)
    results = {r["rule_id"]: r for r in run_json(run)["results"]}
    belgian = results["be_tax_shelter.belgian_spend"]
    assert belgian["verified"] is False
    assert belgian["unverified"] == [
        "producer_fee_cap",
        "window_months_before",
        "window_months_after_animation",
        "not_before_signing (medium)",
        "abroad_regime (medium-high)",
        "class_mapping (medium)",
    ]
    # everything a rule depends on (issue 16, point 18): the direct share rests on the Belgian
    # spend's windows and fee cap too, listed with their sources after its own ratio
    direct = results["be_tax_shelter.direct_share"]
    assert [p["name"] for p in direct["parameters"]] == [
        "direct_share_min",
        "window_months_before",
        "window_months_after",
        "window_months_after_animation",
        "producer_fee_cap",
    ]
    assert direct["unverified"][:3] == [
        "window_months_before",
        "window_months_after_animation",
        "producer_fee_cap",
    ]
    # a rule that reads no spend rests on its own parameters only
    assert results["wallimage.max_investment"]["unverified"] == ["max_investment"]
    assert results["cumulation.exclusive_overlap"]["verified"] is True
    assert results["cumulation.exclusive_overlap"]["unverified"] == []
    # a rule's own reading of the text counts as an input when below high (the EU ceilings)
    assert results["eu.budget_share"]["unverified"] == ["reading (medium)"]
    # a regional fund's eligibility choices count as an input, with their confidence
    assert "eligibility (medium)" in results["wallimage.walloon_spend"]["unverified"]
    table = check_table(run, "en").splitlines()
    assert table[0].split()[-1] == "verified"
    row = {line.split()[0]: line.split()[-1] for line in table[2 : 2 + len(results)]}
    assert row["cumulation.exclusive_overlap"] == "yes"
    assert row["be_tax_shelter.belgian_spend"] == "NO"
    assert row == {k: "yes" if r["verified"] else "NO" for k, r in results.items()}
    # the same column, and every sentence, in the reader's language
    french = check_table(run, "fr").splitlines()
    assert french[0].split()[-1] == "vérifié"
    row = {line.split()[0]: line.split()[-1] for line in french[2 : 2 + len(results)]}
    assert row == {k: "oui" if r["verified"] else "NON" for k, r in results.items()}
    assert "[chiffre NON VÉRIFIÉ : eea_cap_ratio, " in check_table(run, "fr")
    assert "niet getoetst aan de wettekst" in check_table(run, "nl")
    portfolio = portfolio_table([run]).splitlines()
    column = portfolio[0].split().index("unverified")
    unverified = sum(not r["verified"] for r in results.values())
    assert portfolio[2].split()[column] == str(unverified) and unverified > 0


def test_runs_are_stored_for_comparison(demo_copy: Path) -> None:
    first = run_check(demo_copy, "dernier-tram", DEMO_AT)
    second = run_check(demo_copy, "dernier-tram", DEMO_AT)
    assert second.run_id == first.run_id + 1
    with connect(demo_copy, read_only=True) as con:
        stored = con.execute(
            "SELECT count(*) FROM rule_results WHERE run_id = ?", [second.run_id]
        ).fetchall()
    assert stored[0][0] == len(second.results)


def test_changing_a_parameter_in_a_pack_changes_the_result(
    demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packs = tmp_path / "packs"
    shutil.copytree(PACKS_DIR, packs)
    param = packs / "wallimage" / "parameters" / "min_walloon_spend_ratio.yaml"
    param.write_text(param.read_text().replace('value: "1.50"', 'value: "5.00"'))
    before = {r.rule_id: r for r in run_check(demo_copy, "dernier-tram", DEMO_AT).results}
    monkeypatch.setenv("CINELEDGER_RULES_DIR", str(packs))
    after = {r.rule_id: r for r in run_check(demo_copy, "dernier-tram", DEMO_AT).results}
    assert before["wallimage.walloon_spend"].threshold == Decimal("1200000.00")
    assert after["wallimage.walloon_spend"].threshold == Decimal("1500000.00")


def test_the_rules_and_the_report_read_one_definition_of_each_figure(demo_db: Path) -> None:
    report = cost_report(demo_db, "dernier-tram", DEMO_AT)
    scope = f"production_id = {literal('dernier-tram')}"
    with connect(demo_db, read_only=True) as con:
        devis, eac = budget_rows(con, scope, [], DEMO_AT)["dernier-tram"][:2]
        budgets = queries.frame(con, "figures.production_budget").row(0, named=True)
        listed = list_productions(con).row(0, named=True)
    assert devis == report.totals["budget"] and eac == report.totals["estimate_at_completion"]
    # no budget_total in the demo's manifest: the production budget is the devis total
    assert budgets["budget_total"] is None and budgets["budget"] == report.totals["budget"]
    assert listed["budget"] == budgets["budget"]
    totals = report.totals
    assert totals["estimate_at_completion"] == (
        totals["actual"] + totals["committed"] + totals["estimate_to_complete"]
    )
    assert totals["variance"] == totals["budget"] - totals["estimate_at_completion"]


def test_the_production_budget_is_the_manifest_total_when_it_gives_one(
    db: Path, manifest_file: Path
) -> None:
    manifest_file.write_text(manifest_file.read_text() + "budget_total: 1234567.89\n")
    add_production(db, manifest_file)
    with connect(db, read_only=True) as con:
        row = queries.frame(con, "figures.production_budget").row(0, named=True)
        listed = list_productions(con).row(0, named=True)
    assert row["budget"] == Decimal("1234567.89") and row["devis"] is None
    assert listed["budget"] == row["budget"]


def test_the_demo_check_shows_each_tax_shelter_agreement(demo_copy: Path) -> None:
    """Issue 16's acceptance: per agreement, its window, its measured spend and its supportable
    V, in JSON and in the table, in the reader's language."""
    run = run_check(demo_copy, "dernier-tram", DEMO_AT)
    results = {r["rule_id"]: r for r in run_json(run)["results"]}
    belgian = results["be_tax_shelter.belgian_spend"]
    (agreement,) = belgian["agreements"]
    assert agreement["signed_on"] == "2026-02-16" and agreement["fiscal_value"] == "900000.00"
    assert agreement["window"]["start"] == "2026-02-16"  # no reason recorded: opens on signing
    assert agreement["window"]["end"] == "2027-08-16"
    assert agreement["measured"] == belgian["measured"]
    assert agreement["threshold"] == "810000.00"
    assert belgian["supportable_value"] == agreement["supportable_value"] == "900000.00"
    assert results["be_tax_shelter.eea_cap"]["supportable"]["work_limit"] is not None
    french = check_table(run, "fr").replace("\u202f", " ").replace("\xa0", " ")
    assert "convention 1 (signée le 16/02/2026) · période du 16/02/2026 au 16/08/2027" in french
    assert "V supportable 900 000,00 €" in french
    assert "agreement 1 (signed on 2026-02-16) · window 2026-02-16 to 2027-08-16" in check_table(
        run, "en"
    )
