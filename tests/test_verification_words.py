"""Issue 16, point 19: whether a result rests on inputs not checked against the legal text is
kept with the stored run, and said in words in French, Dutch and English wherever it is read
(the dashboard and the exports read the stored or fresh run's JSON)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from finance.checks import run_check
from finance.store import queries
from finance.store.db import connect
from rules.sentences import verification_short, verification_text, window_text
from tests.conftest import DEMO_AT


@pytest.fixture
def stored(demo_db: Path, tmp_path: Path) -> dict[str, dict[str, object]]:
    """The demo's results as the store keeps them (what the dashboard reads), by rule."""
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    run = run_check(db, "dernier-tram", DEMO_AT)
    with connect(db, read_only=True) as con:
        rows = queries.frame(con, "dashboard.run_results", {"run": run.run_id})
    return {r["rule_id"]: r for r in (json.loads(t) for t in rows["result_json"])}


def test_the_stored_run_keeps_verified_and_the_unverified_inputs(
    stored: dict[str, dict[str, object]],
) -> None:
    walloon = stored["wallimage.walloon_spend"]
    assert walloon["verified"] is False
    assert walloon["unverified"] == [
        "min_walloon_spend_ratio",
        "default_window_months",
        "default_window_months_animation",
        "eligibility (medium)",
        "class_mapping (medium)",
    ]
    assert walloon["window"] == {
        "start": "2026-02-02",
        "end": "2027-08-02",
        "closed": False,
        "source": "default",
    }
    assert stored["cumulation.exclusive_overlap"]["verified"] is True


@pytest.mark.parametrize(
    ("lang", "opening", "eligibility", "window"),
    [
        (
            "fr",
            "Non vérifié sur le texte légal : ce résultat repose sur le minimum de dépenses "
            "wallonnes en part de l'investissement (150 %, confiance moyenne) ; ",
            "le classement des catégories en dépenses directement liées ou non (confiance "
            "moyenne).",
            "Période de dépenses : 02/02/2026 au 02/08/2027 (par défaut du règlement, "
            "la convention n'en fixant pas)",
        ),
        (
            "nl",
            "Niet aan de wettekst getoetst: dit resultaat steunt op de minimale Waalse uitgaven "
            "als deel van de investering (150 %, betrouwbaarheid gemiddeld); ",
            "de indeling van de categorieën in rechtstreeks verbonden uitgaven of niet "
            "(betrouwbaarheid gemiddeld).",
            "Uitgavenperiode: 02/02/2026 tot 02/08/2027 (standaard van het reglement, "
            "de overeenkomst legt er geen vast)",
        ),
        (
            "en",
            "Not checked against the legal text: this result rests on the minimum Walloon spend "
            "as a share of the investment (150 %, confidence medium); ",
            "the mapping of categories to directly linked spend or not (confidence medium).",
            "Spending window: 2026-02-02 to 2027-08-02 (the regulation's default, "
            "the agreement sets none)",
        ),
    ],
)
def test_a_result_says_what_it_rests_on_in_the_readers_language(
    stored: dict[str, dict[str, object]], lang: str, opening: str, eligibility: str, window: str
) -> None:
    walloon = stored["wallimage.walloon_spend"]
    said = verification_text(walloon, lang)
    assert said.startswith(opening) and said.endswith(eligibility), said
    assert "18" in said and "24" in said  # the default windows, with their values
    assert window_text(walloon, lang) == window


def test_a_verified_result_and_an_old_stored_result(
    stored: dict[str, dict[str, object]],
) -> None:
    overlap = stored["cumulation.exclusive_overlap"]
    assert verification_short(overlap, "fr") == "vérifié"
    assert verification_text(overlap, "nl").startswith("Alle gegevens")
    old = {k: v for k, v in overlap.items() if k not in ("verified", "unverified")}
    assert verification_text(old, "fr").startswith("Vérification inconnue")
    assert window_text(stored["eu.budget_share"], "fr") is None
