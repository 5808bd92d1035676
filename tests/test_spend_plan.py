"""The territorial spend planner (issue 20, points 3 and 4): a planner case whose optimum is
computed by hand, an infeasible one naming the obligation left short, the demo's shipped options,
the explanation in the three languages, and bad options files (exit 2, the row or field named)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from finance.cli.main import cli
from finance.store.db import connect
from rules.spend_options import read_options
from rules.spend_plan import SpendPlan, plan_spend
from tests.scenarios import BASE_MANIFEST, loaded_production

AT = date(2026, 11, 22)
DEMO_OPTIONS = Path(__file__).resolve().parents[1] / "data" / "demo" / "spend-options.yaml"
SCHEDULE = {
    "prep_start": "2026-03-02",
    "shoot_start": "2026-06-01",
    "shoot_end": "2026-07-24",
    "post_end": "2027-03-26",
}
#: Wallimage invests 100,000: it requires 150 % of it, 150,000 of Walloon spend; 100,000 is
#: spent in Liège, the rest of the devis is planned elsewhere: 50,000 short at completion
BUDGET = [
    {"code": "2.01", "label": "Équipe", "amount": "100000.00", "category": "crew", "territory": "BE-WAL"},
    {"code": "8.01", "label": "Post-production", "amount": "60000.00", "category": "post", "territory": "BE-BRU"},
    {"code": "5.06", "label": "Studio", "amount": "80000.00", "category": "studio", "territory": "FR-75"},
    {"code": "8.04", "label": "Effets visuels", "amount": "70000.00", "category": "vfx", "territory": "EEA"},
]  # fmt: skip
LIEGE = {"country": "BE", "postcode": "4000", "payee_type": "company", "av_company": "oui"}
FINANCING = [{"scheme": "wallimage", "amount": "100000", "signed_on": "2026-02-02"}]
#: post-production to Wallonia at 5 % more, the studio at 20 % more, the effects at 10 % more
OPTIONS = {
    "lines": [
        {"code": "8.01", "territories": ["BE-WAL"], "factors": {"BE-WAL": "1.05"}},
        {"code": "5.06", "territories": ["BE-WAL"], "factors": {"BE-WAL": "1.20"}},
        {"code": "8.04", "territories": ["BE-WAL"], "factors": {"BE-WAL": "1.10"}},
    ]
}


@contextmanager
def production(tmp_path: Path) -> Iterator[Any]:
    """The scenario production in a fresh in-memory database (every `connect` answers with it)."""
    manifest = {**BASE_MANIFEST, "schedule": SCHEDULE, "financing": FINANCING}
    rows = [
        LIEGE
        | {"date": "2026-06-15", "amount": "100000.00", "supplier": "Liège Studio"}
        | {"status": "actual", "budget_code": "2.01", "invoice_ref": "F-1"}
    ]
    with loaded_production(tmp_path, manifest, BUDGET, rows) as con:
        yield con


def write_options(tmp_path: Path, options: dict[str, Any], name: str = "options.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(options), encoding="utf-8")
    return path


def run(tmp_path: Path, options: Path, *extra: str) -> Any:
    db = str(tmp_path / "scenario.duckdb")
    args = ["plan-spend", "scenario", "--options", str(options), "--at", "2026-11-22"]
    return CliRunner().invoke(cli, [*args, "--db", db, *extra])


def plain(text: str) -> str:
    """The output with French and Dutch thin and non-breaking spaces as plain ones."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def wallimage(plan: SpendPlan) -> Any:
    return next(o for o in plan.obligations if o.claim.scheme == "wallimage")


def test_moving_post_production_to_wallonia_meets_wallimage_at_the_least_cost(
    tmp_path: Path,
) -> None:
    """By hand: 50,000 more Walloon spend is needed. A euro counted in Wallonia costs 0.05/1.05
    (0.0476) from the post-production, 0.10/1.10 (0.0909) from the effects, 0.20/1.20 (0.1667)
    from the studio: the post-production goes, 50,000 / 1.05 = 47,619.05 of its devis euros,
    spent there as 50,000, for 2,380.95 more (the plan keeps a cent per option above the
    requirement: at most 3 cents more). Any other move costs more: the effects 4,545.45, the
    studio 8,333.33."""
    path = write_options(tmp_path, OPTIONS)
    with production(tmp_path) as con:
        plan = plan_spend(con, "scenario", AT, read_options(path))
        table = run(tmp_path, path, "--lang", "en")
        as_json = run(tmp_path, path, "--format", "json")
    w = wallimage(plan)
    assert (w.required, w.before) == (Decimal("150000.00"), Decimal("100000.00"))
    assert w.short_before and not w.short_after
    assert Decimal("0") <= w.after_margin <= Decimal("0.03")
    moves = plan.moves.to_dicts()
    assert [(m["code"], m["from"], m["to"]) for m in moves] == [("8.01", "BE-BRU", "BE-WAL")]
    assert Decimal("47619.05") <= moves[0]["moved"] <= Decimal("47619.08")
    assert Decimal("2380.95") <= plan.extra_cost <= Decimal("2381.00")
    assert plan.extra_cost < Decimal("4545.45") < Decimal("8333.33")
    # the threshold binds; a euro counted in Wallonia is worth what it saves: 0.05 / 1.05
    assert w.binds == "threshold"
    assert w.dual == pytest.approx(0.05 / 1.05, abs=1e-6)
    assert w.until is not None and abs(w.until - Decimal("50000.00")) <= Decimal("0.05")
    # the options left aside cost more per euro than the one used (their reduced costs)
    used = {(r["code"], r["to"]): r for r in plan.options.to_dicts()}
    assert used[("5.06", "BE-WAL")]["moved"] == 0 and used[("5.06", "BE-WAL")]["reduced_cost"] > 0
    assert used[("8.04", "BE-WAL")]["moved"] == 0 and used[("8.04", "BE-WAL")]["reduced_cost"] > 0
    assert table.exit_code == 0, table.output
    assert "8.01 Post-production" in table.output
    assert "Every obligation is met at completion with this plan." in table.output
    assert "its threshold binds" in table.output
    assert (
        "Each extra euro spent in Wallonia saves EUR 0.05 of the plan's extra cost" in table.output
    )
    data = json.loads(as_json.output)
    assert data["moves"][0]["to"] == "BE-WAL" and data["short"] == []
    (ob,) = data["obligations"]
    assert ob["state_before"] == "short" and ob["state_after"] == "met"
    assert ob["required"] == "150000.00" and ob["before"] == "100000.00"


def test_an_infeasible_plan_names_the_obligation_left_short_and_by_how_much(
    tmp_path: Path,
) -> None:
    """Only the post-production may move, at 75 % of its Brussels price in Wallonia: all of it
    goes (60,000 devis euros, 45,000 spent there, 15,000 saved) and Wallimage stays short by
    50,000 - 45,000 = 5,000.00; each extra euro in Wallonia reduces that shortfall by one euro
    until it is closed."""
    options = {"lines": [{"code": "8.01", "territories": ["BE-WAL"], "factors": {"BE-WAL": 0.75}}]}
    path = write_options(tmp_path, options)
    with production(tmp_path) as con:
        plan = plan_spend(con, "scenario", AT, read_options(path))
        out = {lang: run(tmp_path, path, "--lang", lang) for lang in ("en", "fr", "nl")}
    said = {k: plain(r.output) for k, r in out.items()}
    w = wallimage(plan)
    assert w.after == Decimal("145000.00") and w.after_margin == Decimal("-5000.00")
    assert [o.claim.key for o in plan.short] == ["wallimage"]
    assert plan.extra_cost == Decimal("-15000.00")
    assert plan.shortfall_before == Decimal("50000.00")
    assert plan.shortfall_after == Decimal("5000.00")
    assert w.binds == "short" and w.until == Decimal("5000.00")
    assert all(r.exit_code == 1 for r in out.values()), out["en"].output
    assert "Short even with the best plan: Wallimage, by EUR 5,000.00." in said["en"]
    assert (
        "Each extra euro spent in Wallonia reduces the Wallimage shortfall by one euro until "
        "EUR 5,000.00." in said["en"]
    )
    assert "Insuffisant même avec le meilleur plan : Wallimage, de 5 000,00 €." in said["fr"]
    assert (
        "Chaque euro de plus dépensé en Wallonie réduit le manque de Wallimage d'un euro, "
        "jusqu'à 5 000,00 €." in said["fr"]
    )
    assert "Onvoldoende, zelfs met het beste plan: Wallimage, met € 5.000,00." in said["nl"]
    assert (
        "Elke extra euro uitgegeven in Wallonië verkleint het tekort van Wallimage met één euro, "
        "tot € 5.000,00." in said["nl"]
    )
    assert "Spend in Brussels does not count for Wallimage." in said["en"]


def test_equal_prices_never_move_a_line_that_no_obligation_needs(tmp_path: Path) -> None:
    """Wallimage met already (its requirement lowered by a commitment of 0 is not possible: an
    option to Paris at the devis price), so the studio stays where the devis plans it."""
    options = {"lines": [{"code": "8.04", "territories": ["FR-75", "BE-BRU"]}]}
    path = write_options(tmp_path, options)
    with production(tmp_path) as con:
        plan = plan_spend(con, "scenario", AT, read_options(path))
        table = run(tmp_path, path, "--lang", "en")
    assert plan.moves.height == 0
    assert "No move: the devis as it stands is the best plan" in table.output
    assert table.exit_code == 1  # Wallimage stays short: no option reaches Wallonia


def test_the_demo_options_meet_every_obligation_they_can_reach(demo_db: Path) -> None:
    """The shipped options file: the post-production booked in Paris and part of the Brussels
    effects go to Wallonia, grading, mixing, the score and the subtitles partly to Flanders;
    Wallimage (short by 74,850.72) is met at completion and the obligations met stay met.
    Screen Flanders stays short: the open lines cannot bring its EUR 250,000 minimum into
    Flanders; the plan takes it from 135,992.23 to 91,168.58 short, names it and exits 1."""
    runner = CliRunner()
    args = ["plan-spend", "dernier-tram", "--options", str(DEMO_OPTIONS), "--at", "2026-11-22"]
    table = runner.invoke(cli, [*args, "--db", str(demo_db), "--lang", "en"])
    as_json = runner.invoke(cli, [*args, "--db", str(demo_db), "--format", "json"])
    assert table.exit_code == 1, table.output
    assert "Short even with the best plan: Screen Flanders, by EUR 91,168.58." in table.output
    data = json.loads(as_json.output)
    assert data["short"] == ["screen_flanders"]
    states = {o["claim"]: (o["state_before"], o["state_after"]) for o in data["obligations"]}
    assert states.pop("wallimage") == ("short", "met")
    assert states.pop("screen_flanders") == ("short", "short")
    assert all(after == "met" for _, after in states.values())
    margins = {o["claim"]: (o["margin_before"], o["margin_after"]) for o in data["obligations"]}
    assert margins["wallimage"][0] == "-74850.72"
    assert margins["screen_flanders"] == ("-135992.23", "-91168.58")
    assert {m["to"] for m in data["moves"]} == {"BE-WAL", "BE-VLG"}
    assert {"8.03", "8.07"} <= {m["code"] for m in data["moves"]}
    assert data["nothing_left"] == ["5.06"]
    # the moves add up: each line's devis euros are spent once
    with connect(demo_db, read_only=True) as con:
        plan = plan_spend(con, "dernier-tram", AT, read_options(DEMO_OPTIONS))
    for code, rows in plan.options.group_by("code"):
        etc = plan.lines.filter(plan.lines["code"] == code[0])["estimate_to_complete"][0]
        assert sum(rows["moved"].to_list()) == etc


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "lines:\n  - code: '8.01'\n    territories: [BE-XX]\n",
            "en",
            "field 'lines[1].territories' value 'BE-XX': not a territory",
        ),
        (
            "lines:\n  - code: '8.01'\n    territories: [BE-WAL]\n    factors: {BE-WAL: 30}\n",
            "fr",
            "champ « lines[1].factors.BE-WAL » valeur « 30 » : un facteur de prix est un nombre de 0,1 à 10",
        ),
        (
            "lines:\n  - code: '9.99'\n    territories: [BE-WAL]\n",
            "en",
            "field 'lines[1].code' value '9.99'",
        ),
        ("price_index: {BE-WAL: 1}\n", "nl", "het bestand moet een lijst van lijnen geven"),
    ],
)
def test_a_bad_options_file_names_the_field_and_exits_2(
    tmp_path: Path, text: str, lang: str, expected: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with production(tmp_path):
        result = run(tmp_path, path, "--lang", lang)
    assert result.exit_code == 2, result.output
    assert expected in plain(result.output)


def test_a_csv_options_file_names_the_row(tmp_path: Path) -> None:
    """CSV: one row per line and territory; a bad factor is named by its row."""
    good = tmp_path / "options.csv"
    good.write_text("code,territory,factor\n8.01,BE-WAL,1.05\n5.06,BE-WAL,1.20\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("code,territory,factor\n8.01,BE-WAL,1.05\n5.06,BE-WAL,cher\n", encoding="utf-8")
    with production(tmp_path) as con:
        plan = plan_spend(con, "scenario", AT, read_options(good))
        result = run(tmp_path, bad, "--lang", "en")
    assert [m["code"] for m in plan.moves.to_dicts()] == ["8.01"]
    assert result.exit_code == 2
    assert "bad.csv:row 3, column 'factor' value 'cher'" in result.output
