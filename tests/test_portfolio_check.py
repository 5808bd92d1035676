"""The portfolio check (`run_checks`, `check --all`) gives each production exactly what its own
check gives: the same results, the same stored rows, the same evidence."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from finance import DATA_DIR
from finance.checks import run_check, run_checks
from finance.domain.errors import UserError
from finance.importers.budget import import_budget
from finance.importers.ingest import import_expenses
from finance.store.db import connect
from finance.store.productions import add_production, get_manifest
from rules.relation import relation_at
from rules.runs import run_json
from rules.setwise import draft, plan_of
from rules.wide import long_relation
from tests.cli_run import invoke

AT = date(2026, 11, 22)

#: productions with different plans: every territorial scheme, two Tax Shelter agreements
#: (two windows), hotel caps (fr_cic), manifest windows, a documentary, an animation, and one
#: with no expenses at all
PLANS = {
    "tram": None,  # the demo manifest as it is
    "atelier": """kind: animation
currency: EUR
financing:
  - {scheme: be_tax_shelter, amount: "200000", fiscal_value: "560000", signed_on: 2026-02-16}
  - {scheme: be_tax_shelter, amount: "100000", fiscal_value: "280000", signed_on: 2026-06-01}
  - {scheme: fr_cic, amount: "150000", signed_on: 2026-03-01}
  - {scheme: cnc_acm, amount: "100000", committed_spend: "400000"}
""",
    "voisins": """kind: documentary
currency: EUR
budget_total: "2500000"
financing:
  - {scheme: wallimage, amount: "250000", window_start: 2026-04-01, window_end: 2026-09-30}
  - {scheme: screen_brussels, amount: "150000", signed_on: 2026-02-20}
  - {scheme: other, label: Coproducteur, amount: "500000"}
""",
    "vide": """kind: feature
currency: EUR
financing:
  - {scheme: wallimage, amount: "100000", signed_on: 2026-01-10}
  - {scheme: other, label: Apport, amount: "50000"}
""",
}


def build_portfolio(db: Path, work: Path) -> list[str]:
    """The four productions above, each with the demo devis, three with the demo expenses."""
    demo = DATA_DIR / "demo"
    text = (demo / "manifest.yaml").read_text(encoding="utf-8")
    for pid, plan in PLANS.items():
        path = work / f"{pid}.yaml"
        if plan is None:
            path.write_text(text.replace("id: dernier-tram", f"id: {pid}", 1), encoding="utf-8")
        else:
            path.write_text(f"id: {pid}\ntitle: {pid.title()}\n{plan}", encoding="utf-8")
        add_production(db, path)
        import_budget(db, pid, demo / "devis.csv")
        if pid != "vide":
            import_expenses(db, pid, [demo / "expenses.csv"], skip_invalid=True)
    return sorted(PLANS)


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The portfolio, loaded once (tests copy it before writing runs)."""
    work = tmp_path_factory.mktemp("portfolio")
    db = work / "portfolio.duckdb"
    return db, build_portfolio(db, work)


@pytest.fixture
def copy(portfolio: tuple[Path, list[str]], tmp_path: Path) -> Path:
    path = tmp_path / "copy.duckdb"
    shutil.copy(portfolio[0], path)
    return path


def _stored(db: Path) -> dict[tuple[str, str], list[tuple[Any, ...]]]:
    """(production, as-at) -> its runs' stored rows without ids and times, one per run."""
    with connect(db, read_only=True) as con:
        rows = con.execute(
            """SELECT r.production_id, r.as_at::VARCHAR, r.rulebook, r.manifest_sha256,
                      r.expenses, r.parameters_json, r.ledger_state,
                      list([x.rule_id, x.scheme, x.status, x.measured::VARCHAR, x.threshold::VARCHAR,
                            x.shortfall::VARCHAR, x.projected::VARCHAR, x.spend_where,
                            x.explanation, x.evidence_count::VARCHAR, x.result_json]
                           ORDER BY x.rule_id)
               FROM rule_runs r JOIN rule_results x ON x.run_id = r.id
               GROUP BY r.id, r.production_id, r.as_at, r.rulebook, r.manifest_sha256,
                        r.expenses, r.parameters_json, r.ledger_state
               ORDER BY r.id"""
        ).fetchall()
        audit = con.execute(
            "SELECT production_id, details FROM audit_log WHERE action = 'rules.check' ORDER BY id"
        ).fetchall()
    out: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    for row in rows:
        out.setdefault((row[0], row[1]), []).append(row[2:])
    assert len(audit) == len(rows)
    return out


@pytest.mark.parametrize("at", [AT, date(2026, 6, 30)])
def test_run_checks_gives_each_production_its_own_check(copy: Path, at: date) -> None:
    together = run_checks(copy, None, at)
    alone = [run_check(copy, pid, at) for pid in sorted(PLANS)]
    assert [r.production_id for r in together] == sorted(PLANS)
    for a, b in zip(together, alone, strict=True):
        first, second = run_json(a), run_json(b)
        assert first.pop("run_id") != second.pop("run_id")
        assert first == second, a.production_id
    stored = _stored(copy)
    for pid in PLANS:
        runs = stored[(pid, at.isoformat())]
        assert len(runs) == 2 and runs[0] == runs[1], pid
    statuses = {r.production_id: {x.rule_id: x.status.value for x in r.results} for r in alone}
    assert statuses["atelier"]["fr_cic.eligible_base"] in ("pass", "warn", "fail")
    assert statuses["vide"]["wallimage.walloon_spend"] != "not_applicable"


def test_run_checks_of_some_productions_in_the_order_asked(copy: Path) -> None:
    runs = run_checks(copy, ["voisins", "tram"], AT)
    assert [r.production_id for r in runs] == ["voisins", "tram"]
    with pytest.raises(UserError, match="unknown production 'nope'"):
        run_checks(copy, ["tram", "nope"], AT)


def test_one_relation_for_the_portfolio_has_each_production_s_own_rows(
    portfolio: tuple[Path, list[str]],
) -> None:
    """The eligibility relation over every production's plan row is the union of each one's:
    a production has rows for the schemes of its own plan only."""
    query = """SELECT production_id, scheme, count(*), count(*) FILTER (counts),
                      sum(eligible_amount), list_sort(list(DISTINCT array_to_string(reasons, ',')))
               FROM {relation} GROUP BY ALL ORDER BY ALL"""
    with connect(portfolio[0], read_only=True) as con:
        drafts = [draft(get_manifest(con, pid), AT) for pid in sorted(PLANS)]
        together = con.sql(
            query.format(relation=long_relation(plan_of(drafts))), params={"at": AT}
        ).fetchall()
        alone = []
        for pid in sorted(PLANS):
            relation, params = relation_at(con, pid, AT)
            params.pop("pid")
            alone += con.sql(query.format(relation=relation), params=params).fetchall()
    assert together == sorted(alone)
    assert {(r[0], r[1]) for r in together if r[0] == "voisins"} == {
        ("voisins", "screen_brussels"),
        ("voisins", "wallimage"),
    }


def _cli(*args: str) -> Result:
    return invoke(*args)


def test_check_all_prints_every_production(copy: Path) -> None:
    out = _cli("check", "--all", "--at", "2026-11-22", "--format", "json", "--db", str(copy))
    runs = json.loads(out.stdout)
    assert [r["production"] for r in runs] == sorted(PLANS)
    one = json.loads(
        _cli("check", "tram", "--at", "2026-11-22", "--format", "json", "--db", str(copy)).stdout
    )
    tram = next(r for r in runs if r["production"] == "tram")
    assert {**tram, "run_id": 0} == {**one, "run_id": 0}
    failed = any(x["status"] == "fail" for r in runs for x in r["results"])
    assert out.exit_code == (1 if failed else 0)
    table = _cli("check", "--all", "--at", "2026-11-22", "--lang", "en", "--db", str(copy))
    assert table.exit_code == out.exit_code
    lines = table.stdout.splitlines()
    assert lines[0].split()[:2] == ["production", "status"]
    dutch = _cli("check", "--all", "--at", "2026-11-22", "--lang", "nl", "--db", str(copy))
    assert dutch.stdout.splitlines()[0].split()[:2] == ["productie", "status"]
    assert "met een mislukte regel" in dutch.stdout
    assert [line.split()[0] for line in lines[2 : 2 + len(PLANS)]] == sorted(PLANS)


@pytest.mark.parametrize("args", [("check",), ("check", "tram", "--all")])
def test_check_needs_a_production_or_all(copy: Path, args: tuple[str, ...]) -> None:
    out = _cli(*args, "--db", str(copy))
    assert out.exit_code == 2 and "PRODUCTION or --all" in out.stderr
