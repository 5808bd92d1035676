"""The financing side (issue 19): the plan against the devis, tranches at milestones, receipts,
the weekly cash-flow plan and its low point, tranches at risk, and what-ifs.

Each scenario is a small production written here in full, so the figures can be checked by hand.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from finance.domain.errors import UserError
from finance.financing.run import FinancingView, financing_view
from finance.financing.whatif import WhatIf, compare
from finance.importers.budget import import_budget
from finance.importers.receipts import import_receipts, record_receipt
from finance.store.db import connect
from finance.store.productions import add_production
from tests.cli_run import invoke

#: prep two weeks from Monday 2 March 2026, shoot two weeks, post four, final cost statement 4 May
SCHEDULE = {
    "prep_start": date(2026, 3, 2),
    "shoot_start": date(2026, 3, 16),
    "shoot_end": date(2026, 3, 29),
    "post_end": date(2026, 4, 26),
    "delivery": date(2026, 4, 27),
    "final_cost_statement": date(2026, 5, 4),
}
#: equity of 100,000 paid 30 % at signing, 40 % on the first day of shooting, 30 % at the final
#: cost statement, each on its day (no payment days)
EQUITY = {
    "scheme": "other",
    "id": "equity",
    "source": "equity",
    "country": "BE",
    "amount": "100000",
    "signed_on": date(2026, 2, 20),
    "payment_days": 0,
    "tranches": [
        {"share": "0.3", "due": "signature"},
        {"share": "0.4", "due": "shoot_start"},
        {"share": "0.3", "due": "final_cost_statement"},
    ],
}


def _manifest(tmp_path: Path, **changes: Any) -> Path:
    data = {
        "id": "plan",
        "title": "Plan",
        "kind": "feature",
        "schedule": SCHEDULE,
        "financing": [EQUITY],
        **changes,
    }
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _devis(tmp_path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A devis of (code, amount, territory) lines; chapter 5 spreads half over the preparation
    and half over the shoot (data/layouts/cnc.yaml)."""
    path = tmp_path / "devis.csv"
    lines = ["code,label,amount,territory"] + [f"{c},Line {c},{a},{t}" for c, a, t in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _receipts(tmp_path: Path, rows: list[str], name: str = "receipts.csv") -> Path:
    path = tmp_path / name
    path.write_text("date;tranche;montant;référence\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _production(db: Path, tmp_path: Path, budget: str = "100000", **changes: Any) -> None:
    added = add_production(db, _manifest(tmp_path, **changes))
    import_budget(db, added.production_id, _devis(tmp_path, [("5.01", budget, "BE-BRU")]))


def _payment(view: FinancingView, tranche: str, part: str = "tranche") -> dict[str, Any]:
    rows = [r for r in view.payments.to_dicts() if r["tranche_id"] == tranche and r["part"] == part]
    assert len(rows) == 1, rows
    return rows[0]


def _position(view: FinancingView, week: date) -> Decimal:
    rows = [r for r in view.weeks.to_dicts() if r["week_start"] == week]
    assert len(rows) == 1
    value: Decimal = rows[0]["position"]
    return value


# --- the plan against the devis ------------------------------------------------------------


def test_a_plan_that_covers_the_devis_has_no_gap(db: Path, tmp_path: Path) -> None:
    _production(db, tmp_path, budget="100000")
    view = financing_view(db, "plan", date(2026, 3, 1))
    assert view.balance["budget"] == Decimal("100000.00")
    assert view.balance["financing"] == Decimal("100000.00")
    assert view.balance["gap"] == Decimal("0.00")
    assert view.sources["share_of_budget"].to_list() == [Decimal("1.0000")]


def test_a_plan_short_of_the_devis_names_its_gap_by_status(db: Path, tmp_path: Path) -> None:
    presale = {
        "scheme": "other",
        "label": "Presale",
        "source": "presale",
        "country": "FR",
        "status": "letter_of_intent",
        "amount": "25000",
    }
    _production(db, tmp_path, budget="150000", financing=[EQUITY, presale])
    view = financing_view(db, "plan", date(2026, 3, 1))
    assert view.balance["gap"] == Decimal("25000.00")  # 150,000 - 125,000
    assert view.balance["secured"] == Decimal("100000.00")  # the letter of intent is not
    assert view.balance["letter_of_intent"] == Decimal("25000.00")
    assert view.balance["secured_gap"] == Decimal("50000.00")
    countries = {r["country"]: r["amount"] for r in view.countries.to_dicts()}
    assert countries == {"BE": Decimal("100000.00"), "FR": Decimal("25000.00")}
    # a source without tranches and without a signature has no date: apart from the cash plan
    assert view.unscheduled["amount"].to_list() == [Decimal("25000.00")]


# --- tranches and receipts -----------------------------------------------------------------


def test_a_tranche_at_a_milestone_moves_with_the_schedule(db: Path, tmp_path: Path) -> None:
    _production(db, tmp_path)
    before = _payment(financing_view(db, "plan", date(2026, 3, 1)), "equity/2")
    assert before["due_on"] == date(2026, 3, 16)
    later = {**SCHEDULE, "shoot_start": date(2026, 3, 23)}
    add_production(db, _manifest(tmp_path, schedule=later))
    after = _payment(financing_view(db, "plan", date(2026, 3, 1)), "equity/2")
    assert after["due_on"] == date(2026, 3, 23)


def test_a_partial_receipt_on_an_overdue_tranche(db: Path, tmp_path: Path) -> None:
    _production(db, tmp_path)
    import_receipts(
        db,
        "plan",
        _receipts(
            tmp_path, ["25/02/2026;equity/1;30 000,00;T1", "20/03/2026;equity/2;10 000,00;T2"]
        ),
    )
    view = financing_view(db, "plan", date(2026, 3, 25))
    first, second = _payment(view, "equity/1"), _payment(view, "equity/2")
    assert (first["state"], first["outstanding"]) == ("paid", Decimal("0.00"))
    assert second["state"] == "partly_paid"
    assert second["received"] == Decimal("10000.00")
    assert second["outstanding"] == Decimal("30000.00")
    assert second["overdue"]  # due on 16 March, paid within 0 days: late on the 25th
    assert _payment(view, "equity/3")["state"] == "upcoming"
    assert view.overdue["tranche_id"].to_list() == ["equity/2"]


def test_a_tranche_is_due_within_its_payment_days_then_overdue(db: Path, tmp_path: Path) -> None:
    _production(db, tmp_path, financing=[{**EQUITY, "payment_days": 30}])
    assert _payment(financing_view(db, "plan", date(2026, 3, 10)), "equity/1")["state"] == "due"
    late = _payment(financing_view(db, "plan", date(2026, 3, 23)), "equity/1")
    assert (late["state"], late["expected_on"]) == ("overdue", date(2026, 3, 22))


def test_a_retention_is_released_by_the_final_cost_statement(db: Path, tmp_path: Path) -> None:
    aid = {**EQUITY, "retention": "0.1", "tranches": [{"share": "1", "due": "shoot_start"}]}
    _production(db, tmp_path, financing=[aid])
    import_receipts(db, "plan", _receipts(tmp_path, ["17/03/2026;equity/1;90 000,00;T1"]))
    view = financing_view(db, "plan", date(2026, 4, 1))
    paid, kept = _payment(view, "equity/1"), _payment(view, "equity/1", "retention")
    assert (paid["amount"], paid["state"]) == (Decimal("90000.00"), "paid")
    assert (kept["amount"], kept["state"]) == (Decimal("10000.00"), "upcoming")
    assert kept["due_on"] == SCHEDULE["final_cost_statement"]
    record_receipt(
        db, "plan", "equity/1", date(2026, 5, 4), "10000", "retention", today=date(2026, 5, 5)
    )
    released = _payment(financing_view(db, "plan", date(2026, 5, 5)), "equity/1", "retention")
    assert (released["received"], released["state"]) == (Decimal("10000.00"), "paid")


def test_the_same_receipts_twice_add_nothing(db: Path, tmp_path: Path) -> None:
    _production(db, tmp_path)
    path = _receipts(tmp_path, ["25/02/2026;equity/1;30 000,00;T1"])
    assert import_receipts(db, "plan", path).imported == 1
    again = import_receipts(db, "plan", path)
    assert (again.imported, again.duplicates) == (0, 1)


# --- the cash-flow plan --------------------------------------------------------------------


def test_the_cash_low_point_is_found_in_the_right_week(db: Path, tmp_path: Path) -> None:
    """By hand: 30,000 received on 25 February; chapter 5 spends 50,000 over the two weeks of
    preparation and 50,000 over the two of shooting (25,000 a week); 40,000 comes in on the first
    day of shooting (16 March), 30,000 at the final cost statement (4 May).
    Positions at the end of each week: 23 Feb 30,000; 2 Mar 5,000; 9 Mar -20,000;
    16 Mar -5,000; 23 Mar -30,000 (the low point, first reached); ... 4 May 0."""
    _production(db, tmp_path)
    import_receipts(db, "plan", _receipts(tmp_path, ["25/02/2026;equity/1;30 000,00;T1"]))
    view = financing_view(db, "plan", date(2026, 3, 1))
    expected = {
        date(2026, 2, 23): "30000.00",
        date(2026, 3, 2): "5000.00",
        date(2026, 3, 9): "-20000.00",
        date(2026, 3, 16): "-5000.00",
        date(2026, 3, 23): "-30000.00",
        date(2026, 4, 27): "-30000.00",
        date(2026, 5, 4): "0.00",
    }
    for week, position in expected.items():
        assert _position(view, week) == Decimal(position), week
    assert view.low["low_week"] == date(2026, 3, 23)
    assert view.low["low"] == Decimal("-30000.00")
    assert view.low["bridging"] == Decimal("30000.00")
    spent = sum(view.weeks["outflow"].to_list(), Decimal(0))
    assert spent == Decimal("100000.00")  # weekly amounts add up exactly to the devis


def test_a_tranche_at_risk_from_a_failing_rule(db: Path, tmp_path: Path) -> None:
    """Wallimage asks 150 % of its investment in Walloon spend: 100,000 invested and a devis of
    100,000 planned in Wallonia projects short (fail), so its conditional tranche is at risk."""
    aid = {
        "scheme": "wallimage",
        "amount": "100000",
        "signed_on": date(2026, 2, 20),
        "tranches": [
            {"share": "0.6", "due": "signature"},
            {"share": "0.4", "due": "delivery", "condition": "wallimage.walloon_spend"},
        ],
    }
    add_production(db, _manifest(tmp_path, financing=[aid]))
    import_budget(db, "plan", _devis(tmp_path, [("2.01", "100000", "BE-WAL")]))
    view = financing_view(db, "plan", date(2026, 3, 1))
    last = _payment(view, "wallimage/2")
    assert (last["rule_status"], last["at_risk"]) == ("fail", True)
    assert not _payment(view, "wallimage/1")["at_risk"]
    # the secured position leaves the tranche at risk out
    assert (
        view.low["low_secured"] < view.low["low"]
        or view.weeks["inflow_secured"].sum() < view.weeks["inflow"].sum()
    )
    # planned in Wallonia at 150,000 the rule is on track: no longer at risk
    import_budget(db, "plan", _devis(tmp_path, [("2.01", "160000", "BE-WAL")]))
    on_track = _payment(financing_view(db, "plan", date(2026, 3, 1)), "wallimage/2")
    assert on_track["rule_status"] in ("warn", "pass")
    assert not on_track["at_risk"]


# --- what-ifs -------------------------------------------------------------------------------


def test_moving_the_shoot_moves_tranches_and_the_low_point_without_writing(
    db: Path, tmp_path: Path
) -> None:
    _production(db, tmp_path)
    import_receipts(db, "plan", _receipts(tmp_path, ["25/02/2026;equity/1;30 000,00;T1"]))
    with connect(db, read_only=True) as con:
        before = con.execute("SELECT manifest_json FROM productions").fetchall()
    result = compare(db, "plan", date(2026, 3, 1), WhatIf(shift_shoot_weeks=4))
    assert result.today.low["low_week"] == date(2026, 3, 23)
    # prep now runs six weeks: it spends 50,000 over them before the shoot's 40,000 arrives
    assert result.scenario.low["low_week"] != result.today.low["low_week"]
    moved = {r["tranche_id"]: r["expected_on_what_if"] for r in result.moved.to_dicts()}
    assert moved["equity/2"] == date(2026, 4, 13)
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT manifest_json FROM productions").fetchall() == before


def test_dropping_a_source_and_delaying_a_tranche(db: Path, tmp_path: Path) -> None:
    presale = {"scheme": "other", "id": "presale", "amount": "20000", "signed_on": date(2026, 3, 2)}
    _production(db, tmp_path, budget="120000", financing=[EQUITY, presale])
    dropped = compare(db, "plan", date(2026, 3, 1), WhatIf(drops=frozenset({"presale"})))
    assert dropped.scenario.balance["gap"] == Decimal("20000.00")
    assert dropped.today.balance["gap"] == Decimal("0.00")
    delayed = compare(db, "plan", date(2026, 3, 1), WhatIf(delays={"equity/2": 2}))
    assert _payment(delayed.scenario, "equity/2")["due_on"] == date(2026, 3, 30)
    with pytest.raises(UserError, match="no source or tranche"):
        compare(db, "plan", date(2026, 3, 1), WhatIf(drops=frozenset({"nope"})))


# --- bad input: a clear error naming the field, exit 2, nothing written ---------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {
                "tranches": [
                    {"share": "0.7", "due": "signature"},
                    {"share": "0.4", "due": "delivery"},
                ]
            },
            "financing.0.tranches",
        ),
        ({"tranches": [{"share": "1", "due": "delivery"}]}, "financing.0.tranches.0.due"),
        ({"tranches": [{"share": "1", "due": date(2025, 1, 1)}]}, "financing.0.tranches.0.due"),
        (
            {"tranches": [{"share": "1", "due": "signature", "condition": "wallimage.nope"}]},
            "financing.0.tranches.0.condition",
        ),
    ],
)
def test_a_bad_plan_is_refused_naming_the_field(
    db: Path, tmp_path: Path, change: dict[str, Any], field: str, cli_in_english: None
) -> None:
    schedule = {k: v for k, v in SCHEDULE.items() if k != "delivery"}
    path = _manifest(tmp_path, schedule=schedule, financing=[{**EQUITY, **change}])
    result = invoke("--db", str(db), "production", "add", str(path))
    assert result.exit_code == 2, result.output
    assert field in result.output
    assert not db.exists()  # nothing written: not even the database file


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("25/02/2026;equity/9;1 000,00;x", "no such tranche"),
        ("25/02/2026;equity/1;30 000,01;x", "more than the tranche is worth"),
        ("01/01/2026;equity/1;1 000,00;x", "before the production's first date"),
        ("25/02/2099;equity/1;1 000,00;x", "in the future"),
    ],
)
def test_a_bad_receipt_is_refused_naming_the_row(
    db: Path, tmp_path: Path, row: str, reason: str, cli_in_english: None
) -> None:
    _production(db, tmp_path)
    good = "24/02/2026;equity/2;1,00;ok"
    path = _receipts(tmp_path, [good, row])
    result = invoke("--db", str(db), "import", "receipts", "plan", str(path))
    assert result.exit_code == 2, result.output
    assert "row 3" in result.output and reason in result.output
    view = financing_view(db, "plan", date(2026, 3, 1))
    assert view.receipts.height == 0  # not even the good row


# --- the command ---------------------------------------------------------------------------


def test_financing_json_on_the_demo(demo_db: Path) -> None:
    result = invoke(
        "--db", str(demo_db), "financing", "dernier-tram", "--at", "2026-11-22", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    plan = data["plan"]
    assert (plan["budget"], plan["financing"], plan["gap"]) == (
        "3266000.00",
        "3200000.00",
        "66000.00",
    )
    assert plan["balanced"] is False
    assert len(plan["sources"]) >= 6
    states = {t["tranche_id"]: t["state"] for t in data["tranches"] if t["part"] == "tranche"}
    assert states["screen_brussels/2"] == "partly_paid"
    assert data["overdue"]["tranches"] == ["screen_brussels/2"]
    assert "wallimage/3" in data["at_risk"]["tranches"]
    cash = data["cash_flow"]
    assert cash["low_week"] and Decimal(cash["bridging"]) >= 0
    assert all(isinstance(w["position"], str) for w in cash["weeks"])  # never a float
    assert len(data["receipts"]) == 10


def test_financing_what_if_in_words(demo_db: Path, cli_in_english: None) -> None:
    result = invoke(
        "--db",
        str(demo_db),
        "financing",
        "dernier-tram",
        "--at",
        "2026-11-22",
        "--shift-shoot",
        "4",
    )
    assert result.exit_code == 0, result.output
    assert "still to find" in result.output
    assert "What-if, beside today's plan" in result.output
    assert "Week of the low point" in result.output
    assert "mg-distributor/1: 2027-06-29 → 2027-07-27" in result.output


#: a BNP Paribas Fortis export (the shipped profile's layout, tests/fixtures/bank/): a payment
#: out, the first tranche named in the communication, the second recognised by its amount, and
#: a refund no tranche awaits
FORTIS = (
    "Volgnummer;Uitvoeringsdatum;Valutadatum;Bedrag;Valuta rekening;Rekeningnummer;"
    "Type verrichting;Tegenpartij;Naam van de tegenpartij;Mededeling;Details;Status;"
    "Reden van weigering\n"
    "2026-00201;24/02/2026;24/02/2026;-1.815,00;EUR;BE68539007547034;Overschrijving in euro;"
    "BE71096123456769;STUDIO GENT NV;factuur 55493;;Geaccepteerd;\n"
    "2026-00202;25/02/2026;25/02/2026;30.000,00;EUR;BE68539007547034;Overschrijving in euro;"
    "BE20914001278412;TRAMWAY FILMS;apport EQUITY/1;;Geaccepteerd;\n"
    "2026-00203;17/03/2026;17/03/2026;40.000,00;EUR;BE68539007547034;Overschrijving in euro;"
    "BE20914001278412;TRAMWAY FILMS;tweede storting;;Geaccepteerd;\n"
    "2026-00204;18/03/2026;18/03/2026;60,50;EUR;BE68539007547034;Overschrijving in euro;"
    "BE20914001278412;LOCA BRUSSEL BV;creditnota LB-2026-031-C;;Geaccepteerd;\n"
)


def test_receipts_from_a_bank_export_through_its_profile(
    db: Path, tmp_path: Path, cli_in_english: None
) -> None:
    _production(db, tmp_path)
    bank = tmp_path / "fortis.csv"
    bank.write_bytes(b"\xef\xbb\xbf" + FORTIS.encode("utf-8"))
    result = invoke("--db", str(db), "import", "receipts", "plan", str(bank))
    assert result.exit_code == 0, result.output
    assert "row 5" in result.output and "matched to no tranche" in result.output
    view = financing_view(db, "plan", date(2026, 3, 20))
    got = {r["tranche_id"]: (r["amount"], r["source_row"]) for r in view.receipts.to_dicts()}
    assert got == {"equity/1": (Decimal("30000.00"), 3), "equity/2": (Decimal("40000.00"), 4)}
    assert set(view.receipts["source_format"]) == {"profile_bnp_paribas_fortis_nl_receipts"}
    again = invoke("--db", str(db), "import", "receipts", "plan", str(bank))
    assert "0 receipts recorded" in again.output and "2 already recorded" in again.output


def test_a_bad_receipt_and_a_bad_plan_are_said_in_the_users_language(
    db: Path, tmp_path: Path
) -> None:
    _production(db, tmp_path)
    path = _receipts(tmp_path, ["25/02/2026;equity/9;1 000,00;x"])
    result = invoke("--db", str(db), "--lang", "fr", "import", "receipts", "plan", str(path))
    assert result.exit_code == 2
    assert "aucune tranche de ce nom dans le plan de financement" in result.output
    too_much = [{"share": "0.7", "due": "signature"}, {"share": "0.4", "due": "signature"}]
    bad = _manifest(tmp_path, financing=[{**EQUITY, "tranches": too_much}])
    result = invoke("--db", str(db), "--lang", "nl", "production", "add", str(bad))
    assert result.exit_code == 2
    assert "de schijven tellen op tot 110.000,00, meer dan het bedrag van de bron" in result.output


def test_a_portfolio_in_one_pass_gives_each_production_its_own_plan(
    db: Path, tmp_path: Path
) -> None:
    """Two productions planned together get exactly what each gets alone: nothing of one leaks
    into the other's weeks, payments or low point."""
    from finance.financing.run import financing_views
    from finance.store.productions import get_manifest

    _production(db, tmp_path)
    import_receipts(db, "plan", _receipts(tmp_path, ["25/02/2026;equity/1;30 000,00;T1"]))
    other = tmp_path / "other"
    other.mkdir()
    _production(
        db, other, budget="80000", id="other", schedule={**SCHEDULE, "post_end": date(2026, 4, 5)}
    )
    at = date(2026, 3, 1)
    alone = {p: financing_view(db, p, at) for p in ("plan", "other")}
    with connect(db, read_only=True) as con:
        manifests = [get_manifest(con, p) for p in ("plan", "other")]
        together = financing_views(con, manifests, at)
    assert alone["other"].balance["budget"] == Decimal("80000.00")
    assert alone["plan"].balance["budget"] == Decimal("100000.00")
    for pid, view in alone.items():
        assert together[pid].weeks.equals(view.weeks)
        assert together[pid].payments.equals(view.payments)
        assert together[pid].low == view.low
        assert together[pid].balance == view.balance
