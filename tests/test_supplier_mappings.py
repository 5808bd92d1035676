"""Supplier mappings find their supplier however its number is written (issue 17, point 2):
by VAT or enterprise number written one way (python-stdnum's compact form, upper case, country
prefix), or by name, also for a supplier that has a VAT number; a mapping that matches nothing
is reported. The invoice is the OpenPEPPOL specification example (tests/fixtures/peppol, see
its README) with the supplier's VAT number replaced by a Dutch one, as a Dutch supplier writes
it (letters inside the number: `NL853848932B01`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from finance.cli.main import cli
from finance.importers.budget import import_budget
from finance.importers.ingest import import_expenses
from finance.importers.mappings import import_mappings
from finance.store.db import connect
from finance.store.productions import add_production

#: these tests read the commands' messages in English
pytestmark = pytest.mark.usefixtures("cli_in_english")

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "peppol"
DUTCH_VAT = "NL853848932B01"


@pytest.fixture
def dutch_invoice(tmp_path: Path) -> Path:
    text = (FIXTURES / "base-example.xml").read_text(encoding="utf-8")
    assert text.count("GB1232434") == 1  # the supplier's VAT number, once
    path = tmp_path / "factuur-nl.xml"
    path.write_text(text.replace("GB1232434", DUTCH_VAT), encoding="utf-8")
    return path


@pytest.fixture
def production(tmp_path: Path, db: Path) -> Path:
    (tmp_path / "m.yaml").write_text("id: eprod\ntitle: E\nkind: feature\n", encoding="utf-8")
    (tmp_path / "devis.csv").write_text(
        "code,label,amount,category\n7.07,Optiques,50000,equipment\n", encoding="utf-8"
    )
    add_production(db, tmp_path / "m.yaml")
    import_budget(db, "eprod", tmp_path / "devis.csv")
    return tmp_path


def _booked(db: Path) -> list[tuple[str, str]]:
    with connect(db, read_only=True) as con:
        return con.execute("SELECT supplier_vat, budget_code FROM expenses").fetchall()


@pytest.mark.parametrize(
    "written", ["NL853848932B01", "nl853848932b01", "NL 8538.48932.B01", "nl-853848932-b01"]
)
def test_a_dutch_supplier_mapped_by_vat_is_booked(
    production: Path, db: Path, dutch_invoice: Path, written: str
) -> None:
    (production / "map.csv").write_text(f"supplier,budget_code\n{written},7.07\n")
    out = import_mappings(db, "eprod", production / "map.csv")
    assert out.loaded == 1
    imported = import_expenses(db, "eprod", [dutch_invoice])
    assert (imported.files[0].imported, imported.to_code) == (1, 0)
    assert _booked(db) == [(DUTCH_VAT, "7.07")]


def test_a_mapping_by_name_finds_a_supplier_that_has_a_vat_number(
    production: Path, db: Path, dutch_invoice: Path
) -> None:
    (production / "map.csv").write_text("supplier,budget_code\nSUPPLIEROFFICIALNAME LTD.,7.07\n")
    import_mappings(db, "eprod", production / "map.csv")
    assert import_expenses(db, "eprod", [dutch_invoice]).to_code == 0
    assert _booked(db) == [(DUTCH_VAT, "7.07")]


def test_a_mapping_stored_lowercased_by_an_earlier_release_still_matches(
    production: Path, db: Path, dutch_invoice: Path
) -> None:
    with connect(db) as con:
        con.execute(
            "INSERT INTO supplier_mappings VALUES ('eprod', 'nl853848932b01', '7.07', 'old.csv')"
        )
    assert import_expenses(db, "eprod", [dutch_invoice]).to_code == 0


def test_mappings_that_match_nothing_seen_are_reported(
    production: Path, db: Path, dutch_invoice: Path
) -> None:
    assert import_expenses(db, "eprod", [dutch_invoice]).to_code == 1  # waits, not lost
    (production / "map.csv").write_text(
        "supplier,budget_code\n"
        "NL853848932B01,7.07\n"  # the waiting invoice's supplier
        "Suplier Oficial Name,7.07\n"  # a typo
        "DE 123 456 789,7.07\n"  # a supplier yet to come
        "account:6226,7.07\n"  # an FEC account no row has
    )
    out = import_mappings(db, "eprod", production / "map.csv")
    assert out.loaded == 4
    assert out.unmatched == ["DE 123 456 789", "Suplier Oficial Name", "account:6226"]
    again = import_expenses(db, "eprod", [dutch_invoice])
    assert (again.files[0].imported, again.to_code) == (1, 0)


def test_a_waiting_document_is_coded_with_a_reason_and_stays_coded(
    production: Path, db: Path, dutch_invoice: Path
) -> None:
    """`cineledger code`: the budget line of a waiting document, set by a user with a reason,
    books it at once; importing the same file again adds nothing and nothing waits."""
    runner = CliRunner()
    assert import_expenses(db, "eprod", [dutch_invoice]).to_code == 1
    waiting = runner.invoke(cli, ["to-code", "eprod", "--db", str(db)])
    assert "factuur-nl.xml row " in waiting.output
    row = waiting.output.split("factuur-nl.xml row ")[1].split(":")[0]
    too_short = runner.invoke(
        cli,
        [
            "code",
            "eprod",
            "factuur-nl.xml",
            row,
            "--line",
            "7.07",
            "--reason",
            "ok",
            "--db",
            str(db),
        ],
    )
    assert too_short.exit_code == 2 and _booked(db) == []
    unknown = runner.invoke(
        cli,
        [
            "code",
            "eprod",
            "factuur-nl.xml",
            "99",
            "--line",
            "7.07",
            "--reason",
            "objectifs loués",
            "--db",
            str(db),
        ],
    )
    assert unknown.exit_code == 2 and f"rows waiting in that file: {row}" in unknown.output
    done = runner.invoke(
        cli,
        [
            "code",
            "eprod",
            "factuur-nl.xml",
            row,
            "--line",
            "07.07",
            "--reason",
            "objectifs loués pour le tournage",
            "--db",
            str(db),
        ],
    )
    assert done.exit_code == 0, done.output
    assert "1 document(s) of factuur-nl.xml booked on 07.07" in done.output
    assert _booked(db) == [(DUTCH_VAT, "7.07")]
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM quarantine").fetchall()[0][0] == 0
        (reason,) = con.execute(
            "SELECT details->>'reason' FROM audit_log WHERE action = 'import.code'"
        ).fetchall()[0]
    assert reason == "objectifs loués pour le tournage"
    again = import_expenses(db, "eprod", [dutch_invoice])
    assert (again.files[0].imported, again.files[0].duplicates, again.to_code) == (0, 1, 0)
    assert _booked(db) == [(DUTCH_VAT, "7.07")]


def test_a_french_supplier_is_found_by_its_siren_or_siret(
    production: Path, db: Path, tmp_path: Path
) -> None:
    """A French company's VAT number, SIREN and SIRET name it alike: a mapping by SIRET finds an
    invoice carrying the VAT number."""
    text = (FIXTURES / "base-example.xml").read_text(encoding="utf-8")
    invoice = tmp_path / "facture-fr.xml"
    invoice.write_text(text.replace("GB1232434", "FR44732829320"), encoding="utf-8")
    (production / "map.csv").write_text("supplier,budget_code\n732 829 320 00074,7.07\n")
    out = import_mappings(db, "eprod", production / "map.csv")
    assert out.unmatched == ["732 829 320 00074"]  # nothing seen yet
    assert import_expenses(db, "eprod", [invoice]).to_code == 0
    assert _booked(db) == [("FR44732829320", "7.07")]
    assert import_mappings(db, "eprod", production / "map.csv").unmatched == []  # seen now


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        ("supplier,budget_code\n,7.07\n", "row 2, column 'supplier'"),  # was exit 3
        ("supplier,budget_code\nLoca Brussel,\n", "row 2, column 'budget_code'"),  # was exit 3
        ("supplier,budget_code\nLoca Brussel,9.99\n", "no line of the current devis"),
    ],
)
def test_a_mapping_file_with_a_bad_row_is_refused_naming_it(
    production: Path, db: Path, rows: str, said: str
) -> None:
    """Issue 21, point 8: refused with the rows, exit 2, nothing written."""
    path = production / "map.csv"
    path.write_text("supplier,budget_code\nGood Supplier,7.07\n" + rows.split("\n", 1)[1])
    result = CliRunner().invoke(cli, ["--db", str(db), "import", "mapping", "eprod", str(path)])
    assert result.exit_code == 2, result.output
    assert said.replace("row 2", "row 3") in result.output
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM supplier_mappings").fetchall() == [(0,)]


def test_a_mapping_for_a_production_that_does_not_exist_is_refused(
    production: Path, db: Path
) -> None:
    path = production / "map.csv"
    path.write_text("supplier,budget_code\nGood Supplier,7.07\n")
    result = CliRunner().invoke(cli, ["--db", str(db), "import", "mapping", "nosuch", str(path)])
    assert result.exit_code == 2 and "nosuch" in result.output
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM supplier_mappings").fetchall() == [(0,)]
