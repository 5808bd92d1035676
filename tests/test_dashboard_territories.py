"""The Territories page in words (issue 18, point 5): territory names instead of codes, the devis
lines without a territory explained, spend to date against the plan to date and at completion,
the funders' thresholds on the same chart, headers in the reader's language (AppTest)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from finance.domain.manifest import load_manifest
from finance.reports.burn import planned_to_date
from finance.reports.territories import territory_figures
from finance.store.db import connect
from tests.dashboard import open_dashboard

pytestmark = pytest.mark.xdist_group("dashboard")


@pytest.fixture
def app(demo_dashboard: Path) -> AppTest:
    return open_dashboard()


def _table(at: AppTest) -> list[dict[str, object]]:
    at.switch_page("views/territories.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return list(at.dataframe[0].value.to_dict("records"))


def test_territories_are_named_not_coded(app: AppTest) -> None:
    rows = _table(app)
    names = [str(r["Territoire"]) for r in rows]
    assert {"Wallonie", "Bruxelles-Capitale", "France"} <= set(names)
    assert not {"BE-WAL", "BE-BRU", "FR", "OTHER", "EEA"} & set(names)
    assert {"Territoire", "Dépensé à ce jour", "Prévu à ce jour", "Prévu à la fin"} <= set(rows[0])


def test_territories_speak_dutch(app: AppTest) -> None:
    app.sidebar.radio[0].set_value("nl").run()
    rows = _table(app)
    assert {"Wallonië", "Frankrijk"} <= {str(r["Grondgebied"]) for r in rows}
    assert {"Grondgebied", "Besteed tot nu toe", "Gepland tot nu toe"} <= set(rows[0])


def test_the_unknown_territory_is_explained(app: AppTest) -> None:
    """The demo's devis has lines with no planned territory (overheads, insurance...)."""
    names = [str(r["Territoire"]) for r in _table(app)]
    assert "non renseigné (lignes du devis sans territoire prévu)" in names and "?" not in names
    assert any(c.value.startswith("« Non renseigné »") for c in app.caption)


def _figures(db: Path, at: date) -> pl.DataFrame:
    with connect(db, read_only=True) as con:
        from finance.store.productions import get_manifest

        return territory_figures(con, "dernier-tram", at, get_manifest(con, "dernier-tram"))


def test_the_plan_to_date_runs_from_nothing_to_the_devis(demo_db: Path) -> None:
    """Before the preparation nothing is planned; after delivery the plan is the whole devis;
    on the way, each territory's plan to date lies between."""
    with connect(demo_db, read_only=True) as con:
        from finance.store.productions import get_manifest

        schedule = get_manifest(con, "dernier-tram").schedule
    assert schedule is not None
    before = _figures(demo_db, schedule.prep_start - timedelta(days=1))
    assert before["planned_to_date"].sum() == 0
    after = _figures(demo_db, schedule.post_end)
    assert after["planned_to_date"].sum() == after["planned"].sum()
    during = _figures(demo_db, date(2026, 11, 22))
    assert 0 < during["planned_to_date"].sum() < during["planned"].sum()
    assert (during["planned_to_date"] <= during["planned"]).all()


def test_a_chapter_planned_in_one_phase_is_spread_over_its_days() -> None:
    """The shoot's chapter at the shoot's midpoint: half its budget planned."""
    manifest = load_manifest(Path(__file__).parent.parent / "data" / "demo" / "manifest.yaml")[0]
    assert manifest.schedule is not None
    chapters = pl.DataFrame(
        {"chapter_code": ["3"], "budget": [Decimal("1000.00")]},
        schema={"chapter_code": pl.String, "budget": pl.Decimal(18, 2)},
    )
    shoot = manifest.schedule
    at_end = planned_to_date(chapters, manifest, shoot.post_end)
    assert at_end["share"][0] == Decimal("1")
    at_start = planned_to_date(chapters, manifest, shoot.prep_start - timedelta(days=1))
    assert at_start["share"][0] == Decimal("0")


def test_the_funders_requirements_are_drawn_on_their_territories(app: AppTest) -> None:
    """Wallimage's Walloon requirement and screen.brussels' Brussels one are marks on their
    bars, in words; the Tax Shelter's Belgian one (no single bar) is said beside the chart."""
    _table(app)
    chart = json.loads(app.get("plotly_chart")[0].proto.spec)
    marks = {t["name"]: t["hovertemplate"] for t in chart["data"] if t["type"] == "scatter"}
    assert {"Wallimage", "screen.brussels"} <= set(marks)
    # Wallimage's requirement in the reader's format (narrow no-break spaces, as babel writes)
    assert "1\u202f200\u202f000,00\u00a0€" in marks["Wallimage"]
    assert any("Belgique" in c.value and "Tax Shelter" in c.value for c in app.caption)
