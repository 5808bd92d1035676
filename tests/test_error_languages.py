"""The errors a user reads come from the message catalogue, in the user's language: the command
line says them in its `--lang` (CINELEDGER_LANG, French by default), the dashboard in the page's
language; the English text stays the error's message (logs, `str(exc)`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from finance import DATA_DIR
from finance.domain import i18n
from finance.domain.errors import Problem, UserError
from finance.domain.reasons import error_lines
from finance.importers import cii
from tests.cli_run import invoke
from tests.dashboard import open_dashboard
from tests.languages import leaks

DEMO = DATA_DIR / "demo"

PRODUCTION = "dernier-tram"
#: what `missing.csv: file not found` says in each language
UBL = Path(__file__).resolve().parent / "fixtures" / "peppol"
NOT_FOUND = {"fr": "fichier introuvable", "nl": "bestand niet gevonden", "en": "file not found"}


@pytest.fixture
def ledger(demo_db: Path, tmp_path: Path) -> dict[str, str]:
    """The demo's database copied, as the environment of a command."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    return {"CINELEDGER_DB": str(path), "CINELEDGER_LANG": None}


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_a_missing_file_is_said_in_the_chosen_language(
    ledger: dict[str, str], tmp_path: Path, lang: str
) -> None:
    missing = tmp_path / "missing.csv"
    out = invoke("--lang", lang, "import", "expenses", PRODUCTION, str(missing), env=ledger)
    assert out.exit_code == 2
    assert f"{missing}: {NOT_FOUND[lang]}" in out.stderr.replace(" : ", ": ")
    assert not leaks(out.stderr, lang)


def test_french_is_the_default_language_of_an_error(ledger: dict[str, str], tmp_path: Path) -> None:
    out = invoke("import", "expenses", PRODUCTION, str(tmp_path / "missing.csv"), env=ledger)
    assert out.exit_code == 2
    assert "fichier introuvable" in out.stderr


@pytest.mark.parametrize(
    ("content", "said"),
    [(b"", "le fichier est vide"), (b"\x00\x01\x02PK\x00binary", "contenu binaire")],
    ids=["empty", "binary"],
)
def test_an_unreadable_file_is_said_in_french(
    ledger: dict[str, str], tmp_path: Path, content: bytes, said: str
) -> None:
    path = tmp_path / "depenses.csv"
    path.write_bytes(content)
    out = invoke("--lang", "fr", "import", "expenses", PRODUCTION, str(path), env=ledger)
    assert out.exit_code == 2
    assert f"depenses.csv : {said}" in out.stderr
    assert not leaks(out.stderr, "fr")


def test_an_option_error_is_said_in_dutch(ledger: dict[str, str]) -> None:
    out = invoke("--lang", "nl", "report", PRODUCTION, "--at", "31/12/2025", env=ledger)
    assert out.exit_code == 2
    assert "geen ISO-datum (JJJJ-MM-DD)" in out.stderr
    assert not leaks(out.stderr, "nl")


def test_a_catalogue_error_keeps_its_english_message() -> None:
    exc = i18n.error("error.file.empty", [Problem("why", "a.csv", 2)], name="a.csv")
    assert str(exc) == exc.message == "a.csv: the file is empty"
    assert (exc.key, exc.values) == ("error.file.empty", {"name": "a.csv"})
    assert error_lines(exc, "fr") == ["a.csv : le fichier est vide", "  - a.csv:ligne 2 : why"]
    assert error_lines(exc, "en") == exc.lines()


def test_an_error_without_a_key_is_said_in_english() -> None:
    """Its message as written; its problems' places in the language (the reason as written
    where the catalogue does not know it)."""
    exc = UserError("something went wrong", [Problem("bad value", "x.csv", 3, "amount")])
    assert exc.key is None and exc.values == {}
    assert error_lines(exc, "fr") == [
        "something went wrong",
        "  - x.csv:ligne 3, colonne « amount » : bad value",
    ]
    assert error_lines(exc, "en") == exc.lines()
    assert error_lines(exc, "nl")[0] == "something went wrong"


def test_a_refused_row_is_said_in_the_language_of_the_command(tmp_path: Path) -> None:
    """The rows a file is refused for, each with its place and reason in the user's words."""
    bad = tmp_path / "depenses.csv"
    bad.write_text(
        "date;supplier;country;postcode;budget_code;amount\n"
        "31/02/2026;Studio;BE;1050;2.01;10,00\n"
        "03/03/2026;Studio;BE;;2.01;10,00\n",
        encoding="utf-8",
    )
    db = tmp_path / "a.duckdb"
    assert invoke("--db", str(db), "production", "add", str(DEMO / "manifest.yaml")).exit_code == 0
    assert (
        invoke(
            "--db", str(db), "import", "budget", "dernier-tram", str(DEMO / "devis.csv")
        ).exit_code
        == 0
    )
    out = invoke("--lang", "fr", "--db", str(db), "import", "expenses", "dernier-tram", str(bad))
    assert out.exit_code == 2
    assert (
        "depenses.csv:ligne 2, colonne « date » valeur « 31/02/2026 » : pas une date" in out.output
    )
    assert (
        "ligne 3, colonne « postcode » : obligatoire pour un bénéficiaire belge ou français"
        in out.output
    )
    assert not leaks(out.output, "fr")


def test_every_error_key_has_its_three_languages() -> None:
    keys = [k for k in i18n.catalogue() if k.startswith("error.")]
    assert len(keys) > 50
    assert not i18n.missing_languages(keys, i18n.catalogue())


def _upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key="upload").set_value((name, content, "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.xdist_group("dashboard")
@pytest.mark.parametrize(
    ("content", "said"),
    [(b"\x00\x01\x02binary\x00", "contenu binaire"), (b"", "le fichier est vide")],
    ids=["binary", "empty"],
)
def test_the_imports_page_says_a_file_error_in_french(
    demo_dashboard: Path, content: bytes, said: str
) -> None:
    at = _upload(open_dashboard("imports"), "releve.csv", content)
    errors = [e.value for e in at.error]
    assert any(f"releve.csv : {said}" in e for e in errors), errors
    assert not leaks("\n".join(errors), "fr")


@pytest.mark.parametrize("kind", sorted(cii.KINDS))
def test_an_e_invoice_given_as_a_devis_or_rates_keeps_its_english_words(kind: str) -> None:
    words = cii.KINDS[kind]
    command = "import it with `cineledger import expenses PRODUCTION f.xml`"
    said = i18n.text(f"error.file.einvoice.{kind}", "en", name="f.xml")
    assert said == f"f.xml: {words}, an expense document: {command}"
    said = i18n.text(f"error.rates.einvoice.{kind}", "en", name="f.xml")
    assert said == f"f.xml: {words}, not an exchange-rate file: {command}"


def test_an_e_invoice_given_as_rates_is_said_in_dutch(ledger: dict[str, str]) -> None:
    invoice = str(UBL / "base-example.xml")
    out = invoke("--lang", "nl", "import", "rates", invoice, env=ledger)
    assert out.exit_code == 2
    assert "een UBL-e-factuur (Peppol), geen bestand met wisselkoersen" in out.stderr
    assert not leaks(out.stderr, "nl")


@pytest.mark.xdist_group("dashboard")
@pytest.mark.parametrize(
    ("code", "said"),
    [("fr", "devis.csv : le fichier est vide"), ("nl", "devis.csv: het bestand is leeg")],
)
def test_a_devis_upload_s_error_is_said_in_the_page_s_language(
    demo_dashboard: Path, code: str, said: str
) -> None:
    at = open_dashboard("imports")
    if code != "fr":
        at.sidebar.radio[0].set_value(code).run()
    at.main.radio[0].set_value(i18n.text("imports.kind.budget", code)).run()
    at = _upload(at, "devis.csv", b"")
    at.button(key="confirm_other").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert any(said in e for e in errors), errors
    assert not leaks("\n".join(errors), code)
