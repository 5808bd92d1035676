"""The commands speak one language at a time: French by default, `--lang` before or after the
command, or CINELEDGER_LANG; counts and amounts in that language's format; no message of
another language in the output (issue 18, "One language at a time")."""

from __future__ import annotations

from pathlib import Path

import pytest

from finance import DATA_DIR
from tests.cli_run import invoke
from tests.languages import leaks

DEMO = DATA_DIR / "demo"


def _session(db: Path, *before: str, env: dict[str, str | None] | None = None) -> str:
    """A new user's first commands on the demo files (the README's), all output joined."""
    steps = [
        ("production", "add", str(DEMO / "manifest.yaml")),
        ("import", "budget", "dernier-tram", str(DEMO / "devis.csv")),
        ("import", "expenses", "dernier-tram", str(DEMO / "expenses.csv")),
        ("import", "expenses", "dernier-tram", str(DEMO / "expenses.csv")),
        ("quarantine", "dernier-tram"),
        ("production", "list"),
    ]
    out = []
    for step in steps:
        result = invoke(*before, "--db", str(db), *step, env=env or {"CINELEDGER_LANG": None})
        assert result.exit_code == 0, result.output
        out.append(result.output)
    return "".join(out)


def test_french_is_the_default(tmp_path: Path) -> None:
    out = _session(tmp_path / "a.duckdb")
    assert "dernier-tram : devis v1 créé" in out or "dernier-tram : devis v1" in out
    assert "2 991 lignes lues, 2 991 importées" in out.replace("\u202f", " ")
    assert "déjà importé" in out and "la quarantaine est vide" in out
    assert not leaks(out, "fr"), leaks(out, "fr")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_lang_before_the_command_chooses_the_language(tmp_path: Path, lang: str) -> None:
    out = _session(tmp_path / "a.duckdb", "--lang", lang)
    said = {
        "nl": "2.991 rijen gelezen, 2.991 geïmporteerd",
        "en": "2,991 rows read, 2,991 imported",
    }
    assert said[lang] in out
    assert not leaks(out, lang), leaks(out, lang)


def test_the_environment_chooses_it_and_a_lang_after_the_command_wins(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    out = _session(db, env={"CINELEDGER_LANG": "nl"})
    assert "rijen gelezen" in out
    table = invoke("--lang", "en", "--db", str(db), "report", "dernier-tram", "--lang", "fr")
    assert "Réel" in table.output or "TOTAL" in table.output
    assert "3 266 000,00" in table.output.replace("\u202f", " ")
