"""The allocation of spent invoices to obligations (issue 20): scenarios with an optimum computed
by hand, loaded through the same code users run, and a property test of the solver on random
small productions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from finance.cli.main import cli
from rules.allocation import Allocation, allocate
from rules.allocation_solver import Problem, double_counted, solve, weighted_shortfall
from tests.scenarios import BASE_MANIFEST, loaded_production

AT = date(2026, 11, 22)
SCHEDULE = {
    "prep_start": "2026-03-02",
    "shoot_start": "2026-06-01",
    "shoot_end": "2026-07-24",
    "post_end": "2027-03-26",
}
BUDGET = [
    {"code": "2.01", "label": "Équipe", "amount": "2000000.00", "category": "crew"},
    {"code": "3.02", "label": "Comédiens", "amount": "500000.00", "category": "cast"},
]
BRUSSELS = {"country": "BE", "postcode": "1030", "payee_type": "company", "av_company": "oui"}
LIEGE = {"country": "BE", "postcode": "4000", "payee_type": "company", "av_company": "oui"}
#: a French actor taxable in Belgium under the ordinary regime: Tax Shelter and CNC both
PARIS_TAXABLE_IN_BE = {
    "country": "FR",
    "postcode": "75011",
    "payee_type": "person",
    "be_taxable": "oui",
    "be_tax_regime": "ordinary",
    "budget_code": "3.02",
}


def ts(v: str, signed: str) -> dict[str, Any]:
    """A Tax Shelter agreement of fiscal value `v` (it requires 90 % of it)."""
    return {"scheme": "be_tax_shelter", "amount": "100000", "fiscal_value": v, "signed_on": signed}


@contextmanager
def production(
    tmp_path: Path, financing: list[dict[str, Any]], expenses: list[dict[str, Any]]
) -> Iterator[Any]:
    """A production loaded into a fresh in-memory database (as the rule scenarios are); yields
    the connection, every `connect` of the core answering with it meanwhile."""
    manifest = {**BASE_MANIFEST, "schedule": SCHEDULE, "financing": financing}
    rows = [
        {"supplier": "Fournisseur", "status": "actual", "budget_code": "2.01"}
        | e
        | {"invoice_ref": f"F-{i}"}
        for i, e in enumerate(expenses, start=1)
    ]
    with loaded_production(tmp_path, manifest, BUDGET, rows) as con:
        yield con


def figures(a: Allocation) -> dict[str, tuple[Decimal | None, Decimal, Decimal]]:
    """claim -> (required, allocated, naive)."""
    return {f.claim.key: (f.claim.required, f.allocated, f.naive) for f in a.claims}


def moved(a: Allocation) -> dict[str, tuple[list[str], list[str]]]:
    """invoice reference -> (claims it leaves, claims it joins)."""
    return {r["invoice_ref"]: (r["lost"], r["gained"]) for r in a.moves.to_dicts()}


def test_a_brussels_expense_counts_for_the_tax_shelter_and_screen_brussels(
    tmp_path: Path,
) -> None:
    """Tax Shelter and screen.brussels may count the same euro: one Brussels invoice of
    300,000 meets both (90,000 and the feature minimum 250,000), counted whole by each."""
    financing = [
        ts("100000", "2026-02-16"),
        {"scheme": "screen_brussels", "amount": "50000", "signed_on": "2026-02-20"},
    ]
    expenses = [BRUSSELS | {"date": "2026-06-15", "amount": "300000.00"}]
    with production(tmp_path, financing, expenses) as con:
        a = allocate(con, "scenario", AT)
        db = str(tmp_path / "scenario.duckdb")
        args = ["allocate", "scenario", "--at", "2026-11-22", "--db", db, "--lang", "en"]
        table = CliRunner().invoke(cli, args)
    assert table.exit_code == 0, table.output
    assert "Every obligation is met." in table.output
    assert "No invoice moved from the naive allocation." in table.output
    assert figures(a) == {
        "be_tax_shelter/1": (Decimal("90000.00"), Decimal("300000.00"), Decimal("300000.00")),
        "screen_brussels": (Decimal("250000.00"), Decimal("300000.00"), Decimal("300000.00")),
    }
    assert not a.short and a.shortfall == 0 and a.moves.height == 0 and a.double_counted == 0


def test_two_exclusive_schemes_competing_for_one_invoice(tmp_path: Path) -> None:
    """The Tax Shelter (90,000 required) and the CNC (75,000) exclude each other. A French actor
    taxable in Belgium (80,000) can count for either; the Belgian spend (100,000) only for the
    Tax Shelter. The naive allocation (the plan's order) gives the actor to the Tax Shelter and
    leaves the CNC 75,000 short; the only allocation meeting both gives it to the CNC."""
    financing = [
        ts("100000", "2026-02-16"),
        {"scheme": "cnc_acm", "amount": "150000", "signed_on": "2026-01-26"},
    ]
    expenses = [
        BRUSSELS | {"date": "2026-06-15", "amount": "100000.00"},
        PARIS_TAXABLE_IN_BE | {"date": "2026-06-20", "amount": "80000.00"},
    ]
    with production(tmp_path, financing, expenses) as con:
        a = allocate(con, "scenario", AT)
    assert figures(a) == {
        "be_tax_shelter/1": (Decimal("90000.00"), Decimal("100000.00"), Decimal("180000.00")),
        "cnc_acm": (Decimal("75000.00"), Decimal("80000.00"), Decimal("0.00")),
    }
    assert a.naive_shortfall == Decimal("75000.00") and a.shortfall == 0
    assert moved(a) == {"F-2": (["be_tax_shelter/1"], ["cnc_acm"])}
    assert a.check_overlap == Decimal("80000.00") and a.double_counted == 0


def test_two_tax_shelter_agreements_with_overlapping_windows(tmp_path: Path) -> None:
    """Agreements signed on 16 February and 1 May (each 90,000 required). An invoice of March
    (50,000) fits the first only; two of June (100,000 and 45,000) fit both. The check's fill
    (in date order) gives the first agreement 150,000 and leaves the second 45,000 short; the
    optimum gives the 45,000 to the first (95,000) and the 100,000 to the second."""
    financing = [ts("100000", "2026-02-16"), ts("100000", "2026-05-01")]
    expenses = [
        BRUSSELS | {"date": "2026-03-01", "amount": "50000.00"},
        BRUSSELS | {"date": "2026-06-01", "amount": "100000.00"},
        BRUSSELS | {"date": "2026-06-02", "amount": "45000.00"},
    ]
    with production(tmp_path, financing, expenses) as con:
        a = allocate(con, "scenario", AT)
    assert figures(a) == {
        "be_tax_shelter/1": (Decimal("90000.00"), Decimal("95000.00"), Decimal("150000.00")),
        "be_tax_shelter/2": (Decimal("90000.00"), Decimal("100000.00"), Decimal("45000.00")),
    }
    assert a.naive_shortfall == Decimal("45000.00") and a.shortfall == 0
    assert moved(a) == {
        "F-2": (["be_tax_shelter/1"], ["be_tax_shelter/2"]),
        "F-3": (["be_tax_shelter/2"], ["be_tax_shelter/1"]),
    }


def test_an_obligation_left_short_is_named_with_its_shortfall(tmp_path: Path) -> None:
    """Wallimage requires 150 % of its 100,000 investment; the Walloon spend is 120,000, which
    the Tax Shelter counts too (90,000 required, met). No allocation meets Wallimage: the
    command names it, with the 30,000 it lacks, and exits 1."""
    financing = [
        ts("100000", "2026-02-16"),
        {"scheme": "wallimage", "amount": "100000", "signed_on": "2026-02-20"},
    ]
    expenses = [LIEGE | {"date": "2026-06-15", "amount": "120000.00"}]
    with production(tmp_path, financing, expenses) as con:
        a = allocate(con, "scenario", AT)
        runner = CliRunner()
        db = str(tmp_path / "scenario.duckdb")
        table = runner.invoke(
            cli, ["allocate", "scenario", "--at", "2026-11-22", "--db", db, "--lang", "en"]
        )
        as_json = runner.invoke(
            cli, ["allocate", "scenario", "--at", "2026-11-22", "--db", db, "--format", "json"]
        )
        french = runner.invoke(
            cli, ["allocate", "scenario", "--at", "2026-11-22", "--db", db, "--lang", "fr"]
        )
    assert [(f.claim.key, f.margin) for f in a.short] == [("wallimage", Decimal("-30000.00"))]
    assert a.shortfall == Decimal("30000.00") == a.bound
    assert table.exit_code == 1, table.output
    assert "Short even with the best allocation: Wallimage, by EUR 30,000.00." in table.output
    plain = french.output.replace("\u202f", " ").replace("\xa0", " ")
    assert "Insuffisant même avec la meilleure répartition : Wallimage, de 30 000,00 €" in plain
    data = json.loads(as_json.output)
    wallimage = next(o for o in data["obligations"] if o["claim"] == "wallimage")
    assert wallimage["status"] == "short" and wallimage["required"] == "150000.00"
    assert wallimage["allocated"] == "120000.00" and wallimage["margin"] == "-30000.00"
    assert as_json.exit_code == 1


def test_a_split_invoice_when_no_whole_assignment_is_as_good(tmp_path: Path) -> None:
    """The Tax Shelter needs 90,000 and has 50,000 of Belgian spend; the CNC needs 75,000; a
    French actor taxable in Belgium (80,000) can count for either. Whole, the actor leaves
    40,000 short at best; split, 35,000 (the hand optimum: any split giving the Tax Shelter
    between 5,000 and 40,000). One invoice is split, its parts adding up to it."""
    financing = [
        ts("100000", "2026-02-16"),
        {"scheme": "cnc_acm", "amount": "150000", "signed_on": "2026-01-26"},
    ]
    expenses = [
        BRUSSELS | {"date": "2026-06-15", "amount": "50000.00"},
        PARIS_TAXABLE_IN_BE | {"date": "2026-06-20", "amount": "80000.00"},
    ]
    with production(tmp_path, financing, expenses) as con:
        a = allocate(con, "scenario", AT)
    assert a.shortfall == Decimal("35000.00") == a.bound
    assert a.naive_shortfall == Decimal("75000.00")
    parts = a.parts.to_dicts()
    assert {p["invoice_ref"] for p in parts} == {"F-2"}
    assert sum(p["counted"] for p in parts) == Decimal("80000.00")
    assert a.double_counted == 0


def test_the_demo_allocation_resolves_the_double_counting(demo_db: Path) -> None:
    """On the demo, the check counts EUR 91,206.71 for two schemes at once: 63,695.01 for the
    Tax Shelter and the CNC (French cast taxable in Belgium) and 27,511.70 for screen.brussels
    and Screen Flanders (the Brussels VFX studio invoices from Brussels and works from its
    Ghent seat). The allocation gives the first to the CNC (the weaker margin) and the second to
    Screen Flanders, counts no euro twice, and the three obligations short stay short by the
    same total: no invoice can serve more of them than the naive counting does."""
    from finance.store.db import connect

    with connect(demo_db, read_only=True) as con:
        a = allocate(con, "dernier-tram", AT)
    assert a.check_overlap == Decimal("91206.71") and a.double_counted == 0
    assert {f.claim.key: f.margin for f in a.short} == {
        "wallimage": Decimal("-273568.52"),
        "screen_brussels": Decimal("-75953.36"),
        "screen_flanders": Decimal("-159521.72"),
    }
    assert a.shortfall == a.naive_shortfall == a.bound == Decimal("509043.60")
    gained = {g for r in a.moves.to_dicts() for g in r["gained"]}
    assert gained == {"cnc_acm", "screen_flanders"}
    to_cnc = [r for r in a.moves.to_dicts() if r["gained"] == ["cnc_acm"]]
    assert len(to_cnc) == 63 and sum(r["amount"] for r in to_cnc) == Decimal("63695.01")


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_the_allocation_never_counts_too_much_nor_twice_and_beats_naive(data: Any) -> None:
    """For random small productions: no expense counts more than its eligible amount for a
    claim, no euro counts for two claims that conflict, at most one split invoice per claim,
    and the weighted shortfall is never above the naive allocation's (nor below the
    relaxation's bound)."""
    n = data.draw(st.integers(1, 8))
    c = data.draw(st.integers(1, 4))
    amount = np.array(
        data.draw(st.lists(st.integers(-500, 20_000), min_size=n, max_size=n)), dtype=np.int64
    )
    kind = np.array(
        data.draw(st.lists(st.sampled_from([0, 0, 1, 1, 2]), min_size=n * c, max_size=n * c))
    ).reshape(n, c)
    ratio = np.array(
        data.draw(st.lists(st.integers(1, 99), min_size=n * c, max_size=n * c))
    ).reshape(n, c)
    base = np.maximum(amount, 0)[:, None]
    eligible = np.where(kind == 1, base, np.where(kind == 2, base * ratio // 100, 0))
    eligible = np.where(amount[:, None] < 0, np.where(kind > 0, amount[:, None], 0), eligible)
    pairs = data.draw(st.lists(st.booleans(), min_size=c * c, max_size=c * c))
    conflict = np.array(pairs).reshape(c, c)
    conflict = (conflict | conflict.T) & ~np.eye(c, dtype=bool)
    required = np.array(
        data.draw(st.lists(st.integers(-1, 60_000), min_size=c, max_size=c)), dtype=np.int64
    )
    weight = np.array(data.draw(st.lists(st.sampled_from([1.0, 2.0]), min_size=c, max_size=c)))
    naive = eligible.copy()
    for j in range(c):
        for i in range(j):
            if conflict[i, j]:
                naive[:, j] = np.where(naive[:, i] != 0, 0, naive[:, j])
    whole = np.array(data.draw(st.lists(st.booleans(), min_size=c * c, max_size=c * c)))
    whole = whole.reshape(c, c) & conflict
    whole = whole | whole.T
    p = Problem(amount, eligible, conflict, required, weight, naive, whole)
    s = solve(p)
    positive = amount > 0
    assert (s.counted[positive] >= 0).all()
    assert (s.counted[positive] <= eligible[positive]).all()
    assert (double_counted(p, s.counted) <= 0).all()
    assert s.shortfall <= s.naive_shortfall + 0.005
    assert s.shortfall == weighted_shortfall(p, s.counted)
    assert s.bound <= s.shortfall + 0.02
    per_claim = ((s.counted > 0) & s.split[:, None]).sum(axis=0)
    assert (per_claim <= 1).all()
    for i in np.flatnonzero(s.split):
        parts = np.flatnonzero(s.counted[i] > 0)
        assert not whole[np.ix_(parts, parts)].any()


def test_the_heavier_shortfall_is_avoided_first() -> None:
    """Two exclusive claims, one invoice of 100 that either needs whole: the claim whose
    shortfall weighs more (the pack's shortfall_weight) gets it, whatever the plan's order."""
    conflict = np.array([[False, True], [True, False]])
    for weights, winner in (([1.0, 3.0], 1), ([3.0, 1.0], 0)):
        p = Problem(
            np.array([10_000], dtype=np.int64),
            np.array([[10_000, 10_000]], dtype=np.int64),
            conflict,
            np.array([10_000, 10_000], dtype=np.int64),
            np.array(weights),
            np.array([[10_000, 0]], dtype=np.int64),
        )
        s = solve(p)
        assert s.counted[0, winner] == 10_000 and s.counted[0, 1 - winner] == 0
        assert s.shortfall == 100.0


def test_a_pack_may_weigh_its_shortfall() -> None:
    """`shortfall_weight` is pack data (default 1; a positive number)."""
    import pytest
    from pydantic import ValidationError

    from rules.loader import load_packs
    from rules.model import Pack

    assert {p.shortfall_weight for p in load_packs().values()} == {Decimal(1)}
    data = {"scheme": "x", "title": "X", "rules": [], "shortfall_weight": "2.5"}
    assert Pack.model_validate(data).shortfall_weight == Decimal("2.5")
    with pytest.raises(ValidationError):
        Pack.model_validate(data | {"shortfall_weight": "0"})


def test_a_scheme_without_threshold_gives_up_what_an_obligation_needs(tmp_path: Path) -> None:
    """The French tax credit (first in the plan, no spend threshold: its base) and the Tax
    Shelter (90,000 required, 50,000 of Belgian spend) exclude each other; a French actor
    taxable in Belgium (80,000) counts for either. The naive allocation leaves it to the tax
    credit (the plan's order) and the Tax Shelter 40,000 short; the allocation gives it to the
    Tax Shelter, the tax credit keeping no claim on it."""
    financing = [
        {"scheme": "fr_cic", "amount": "20000", "signed_on": "2026-01-26"},
        ts("100000", "2026-02-16"),
    ]
    expenses = [
        BRUSSELS | {"date": "2026-06-15", "amount": "50000.00"},
        PARIS_TAXABLE_IN_BE | {"date": "2026-06-20", "amount": "80000.00"},
    ]
    with production(tmp_path, financing, expenses) as con:
        a = allocate(con, "scenario", AT)
    assert figures(a) == {
        "fr_cic": (None, Decimal("0.00"), Decimal("80000.00")),
        "be_tax_shelter/1": (Decimal("90000.00"), Decimal("130000.00"), Decimal("50000.00")),
    }
    assert a.naive_shortfall == Decimal("40000.00") and a.shortfall == 0
    assert moved(a) == {"F-2": (["fr_cic"], ["be_tax_shelter/1"])}
    assert a.double_counted == 0
