"""The Audit page in words (issue 18, point 8): the actions and their details in the reader's
language, never codes or raw JSON, the times in the productions' zone with the zone in the header,
and the acting user's name (AppTest)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.ui.audit import details_text
from finance.checks import run_check
from finance.demo.load import DEMO_AT, DEMO_ID
from tests.dashboard import open_dashboard

pytestmark = pytest.mark.xdist_group("dashboard")

#: per language: the time header, the actions in words, a details cell in words
EXPECTED = {
    "fr": (
        "Quand (Europe/Brussels)",
        ("Import de dépenses", "Contrôle des financeurs", "Import du budget", "Production créée"),
        "2\u202f991 lues : 2\u202f991 importées, 0 doublons, 0 rejetées, 0 en attente",
        "Date de référence: 22/11/2026",
    ),
    "nl": (
        "Wanneer (Europe/Brussels)",
        ("Import van uitgaven", "Controle van de financiers", "Import van het budget"),
        "2.991 gelezen: 2.991 geïmporteerd, 0 dubbel, 0 geweigerd, 0 wachtend",
        "Peildatum: 22/11/2026",
    ),
}


@pytest.fixture
def audit_page(demo_dashboard: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The demo's Audit page once a check is stored, with a known actor."""
    monkeypatch.setenv("CINELEDGER_USER", "claire")
    run_check(demo_dashboard, DEMO_ID, DEMO_AT)
    return open_dashboard("audit")


def shown(at: AppTest) -> pl.DataFrame:
    return pl.from_pandas(at.dataframe[0].value)


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_demo_trail_reads_in_words(audit_page: AppTest, lang: str) -> None:
    if lang != "fr":
        audit_page.sidebar.radio[0].set_value(lang).run()
        assert not audit_page.exception
    header, actions, imported, check = EXPECTED[lang]
    frame = shown(audit_page)
    assert frame.columns[0] == header, frame.columns
    action_column, details_column = frame.columns[2], frame.columns[5]
    for action in actions:
        assert action in frame[action_column].to_list(), (action, frame[action_column].to_list())
    assert not any("." in a for a in frame[action_column].to_list())  # no code left
    details = frame[details_column].to_list()
    assert any(imported in d for d in details), details
    assert any(check in d for d in details), details
    assert not any("{" in d or '"' in d for d in details if d)  # never raw JSON
    # the filter offers the actions in words too
    assert set(actions) <= set(audit_page.multiselect(key="audit_actions").options)
    # the check's entry was written by the check's runner, named in the trail
    check_row = frame.filter(pl.col(action_column) == actions[1]).row(0)
    assert check_row[1] == "claire"


def test_the_times_are_in_brussels_time(audit_page: AppTest) -> None:
    """Stored in UTC, shown in the productions' zone with the zone's name on each time: in
    December Brussels is UTC+1 (CET)."""
    import os

    from finance.store.audit import trail
    from finance.store.db import connect

    with connect(Path(os.environ["CINELEDGER_DB"]), read_only=True) as con:
        stored = trail(con, DEMO_ID)["occurred_at"].to_list()
    frame = shown(audit_page)
    expected = (
        pl.Series(stored)
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone("Europe/Brussels")
        .dt.strftime("%d/%m/%Y %H:%M:%S")
        .to_list()
    )
    times = frame[frame.columns[0]].to_list()
    assert [x.rsplit(" ", 1)[0] for x in times] == expected
    assert all(x.endswith((" CET", " CEST")) for x in times), times


def test_the_audit_speaks_english_with_iso_dates_and_names_the_actor(
    audit_page: AppTest,
) -> None:
    audit_page.sidebar.radio[0].set_value("en").run()
    assert not audit_page.exception
    frame = shown(audit_page)
    assert frame.columns[:3] == ["When (Europe/Brussels)", "User", "Action"], frame.columns
    when = frame[frame.columns[0]].to_list()
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d CES?T", x) for x in when), when
    assert "claire" in frame["User"].to_list()
    assert not any("." in a for a in frame["Action"].to_list())  # in words, no code
    details = " ".join(d for d in frame[frame.columns[5]].to_list() if d)
    assert "{" not in details and "As at: 2026-11-22" in details, details


def test_details_of_every_kind_read_as_fields_in_words() -> None:
    tables = json.dumps({"tables": {"expenses": 2991, "budget_lines": 84}})
    assert details_text("backup", tables, "fr") == "Contenu: 2 tables, 3\u202f075 lignes"
    override = json.dumps({"field": "territory", "value": "BE-WAL", "before": {"1": "BE"}})
    assert details_text("override", override, "nl") == (
        "Veld: territory · Nieuwe waarde: BE-WAL · Voordien: 1: BE"
    )
    # an unknown key is shown by its own name, with its value, never as JSON
    assert details_text("export", json.dumps({"novel": 3}), "en") == "novel: 3"
    rates = json.dumps({"rates": 12, "from": "2026-01-01", "to": "2026-03-31", "file_sha256": "ab"})
    assert details_text("import.rates", rates, "fr").startswith(
        "12 taux, du 01/01/2026 au 31/03/2026"
    )


def test_a_file_format_reads_in_words() -> None:
    """The format of an import, not its code (canonical_csv, profile_fortis)."""
    imported = json.dumps({"format": "canonical_csv", "rows": 3})
    assert "tableur CSV" in details_text("import.expenses", imported, "fr")
    assert "canonical_csv" not in details_text("import.expenses", imported, "nl")
    profiled = json.dumps({"format": "profile_fortis"})
    assert "profiel fortis" in details_text("import.expenses", profiled, "nl")
