"""The evidence adds up to the measured figure, to the cent, for every rule of the demo check
that has evidence, on the code users run: `finance.checks.rule_evidence` (the CLI's
`cineledger evidence`) and the one-scheme relation of `rules.relation` (the dashboard's Funders
page reads it for the run's date and lists the rows that count)."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
import yaml

from finance.checks import rule_evidence, run_check
from finance.domain.errors import UserError
from finance.importers.budget import import_budget
from finance.importers.ingest import import_expenses
from finance.store import queries
from finance.store.db import connect, read_frame
from finance.store.productions import add_production
from rules.engine import RuleResult
from rules.evidence import measure_of
from rules.loader import load_measures
from rules.relation import latest_relation, latest_run, relation_at
from tests.conftest import DEMO_AT
from tests.scenarios import connections_to, fresh_database

PRODUCTION = "dernier-tram"
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def checked(
    demo_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, RuleResult]]:
    """A copy of the demo with one check run, and the results of the rules that have evidence."""
    path = tmp_path_factory.mktemp("evidence") / "demo.duckdb"
    shutil.copy(demo_db, path)
    run = run_check(path, PRODUCTION, DEMO_AT)
    with_evidence = {}
    for r in run.results:
        try:
            measure_of(r.rule_id)
        except UserError:  # a rule measured on the plan or the budget: no expense evidence
            continue
        if r.measured is not None:  # not a rule the demo is concerned by (no partner country)
            with_evidence[r.rule_id] = r
    return path, with_evidence


def test_every_spend_rule_of_the_demo_has_evidence(
    checked: tuple[Path, dict[str, RuleResult]],
) -> None:
    _, results = checked
    assert set(results) >= {
        "be_tax_shelter.belgian_spend",
        "be_tax_shelter.direct_share",
        "be_tax_shelter.eea_cap",
        "wallimage.walloon_spend",
        "screen_brussels.brussels_spend",
        "cnc_acm.french_spend",
    }
    assert all(r.evidence_count > 0 for r in results.values()), results


def test_the_cli_evidence_adds_up_to_the_measured_figure(
    checked: tuple[Path, dict[str, RuleResult]],
) -> None:
    db, results = checked
    for rule_id, result in results.items():
        rows = rule_evidence(db, PRODUCTION, rule_id)
        assert Decimal(rows["counted"].sum()).quantize(CENT) == result.measured, rule_id
        assert rows["expense_id"].is_unique().all(), rule_id
        # every actual expense examined for the scheme is listed, those that count among them
        assert rows.height >= result.evidence_count > 0, rule_id


def test_the_dashboard_relation_of_one_scheme_adds_up_to_the_measured_figure(
    checked: tuple[Path, dict[str, RuleResult]],
) -> None:
    """The Funders page reads the relation of one scheme at the run's date (`relation_at`); the
    rows that pass each measure are the same as in the relation of every scheme (the CLI's), as
    many as the run counted, and add up to the measure. Where the measure is the eligible amount
    of the rows that count, the page's own query (dashboard.examined) lists those rows."""
    db, results = checked
    with connect(db, read_only=True) as con:
        _, at, _ = latest_run(con, PRODUCTION)
        every, params, stale = latest_relation(con, PRODUCTION)
        assert not stale and at == DEMO_AT
        listed = 0
        for rule_id, result in results.items():
            measure = load_measures()[measure_of(rule_id)]
            one, one_params = relation_at(con, PRODUCTION, at, measure.scheme)
            rows = {}
            for name, relation, p in (("one", one, one_params), ("every", every, params)):
                rows[name] = read_frame(
                    con,
                    f"SELECT expense_id, ({measure.amount})::DECIMAL(18,2) AS counted "
                    f"FROM {relation} WHERE production_id = $pid AND scheme = $scheme "
                    f"AND status = 'actual' AND ({measure.where}) ORDER BY expense_id",
                    {**p, "scheme": measure.scheme},
                )
            assert rows["one"].equals(rows["every"]), rule_id
            assert rows["one"].height == result.evidence_count, rule_id
            assert Decimal(rows["one"]["counted"].sum()).quantize(CENT) == result.measured, rule_id
            if (measure.where, measure.amount) == ("counts", "eligible_amount"):
                shown = queries.frame(  # what the Funders page lists as counting
                    con,
                    "dashboard.examined",
                    {**one_params, "s": measure.scheme, "c": True, "n": 1_000_000},
                    {"relation": one},
                )
                total = Decimal(shown["eligible_amount"].sum()).quantize(CENT)
                assert (total, shown.height) == (result.measured, result.evidence_count), rule_id
                listed += 1
    assert listed >= 4, "the territorial schemes and the Belgian spend are listed by the page"


def test_each_agreement_s_evidence_adds_up_to_its_own_figure(tmp_path: Path) -> None:
    """Two Tax Shelter agreements with overlapping windows (issue 16, point 2): every expense
    counts for one agreement, and each agreement's rows add up to its measured spend."""
    manifest = {
        "id": "deux-conventions",
        "title": "Deux conventions",
        "kind": "feature",
        "financing": [
            {
                "scheme": "be_tax_shelter",
                "amount": "100000",
                "fiscal_value": "300000",
                "signed_on": "2026-02-16",
            },
            {
                "scheme": "be_tax_shelter",
                "amount": "100000",
                "fiscal_value": "300000",
                "signed_on": "2026-06-01",
            },
        ],
    }
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    (tmp_path / "devis.csv").write_text(
        "code,label,amount,category\n2.01,Équipe,900000.00,crew\n", encoding="utf-8"
    )
    rows = [
        ("2026-03-02", "200000.00"),
        ("2026-06-15", "90000.00"),
        ("2026-07-01", "100000.00"),
        ("2026-09-01", "180000.00"),
    ]
    (tmp_path / "e.csv").write_text(
        "date,supplier,country,postcode,budget_code,amount,invoice_ref,payee_type\n"
        + "".join(f"{d},Studio,BE,1050,2.01,{a},F-{i},company\n" for i, (d, a) in enumerate(rows)),
        encoding="utf-8",
    )
    db = tmp_path / "x.duckdb"
    con = fresh_database()
    try:
        with connections_to(con):
            add_production(db, tmp_path / "m.yaml")
            import_budget(db, "deux-conventions", tmp_path / "devis.csv")
            import_expenses(db, "deux-conventions", [tmp_path / "e.csv"])
            run = run_check(db, "deux-conventions", date(2026, 11, 22))
            evidence = rule_evidence(db, "deux-conventions", "be_tax_shelter.belgian_spend")
    finally:
        con.close()
    result = next(r for r in run.results if r.rule_id == "be_tax_shelter.belgian_spend")
    per = {a["agreement"]: a["measured"] for a in result.agreements}
    assert per == {1: Decimal("290000.00"), 2: Decimal("280000.00")}  # 270,000 filled first
    sums = evidence.group_by("agreement").agg(pl.col("counted").sum()).sort("agreement")
    assert dict(zip(sums["agreement"], sums["counted"], strict=True)) == per
    assert Decimal(evidence["counted"].sum()) == result.measured == Decimal("570000.00")
