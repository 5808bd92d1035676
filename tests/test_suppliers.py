"""Supplier facts the funds ask for (issue 22, point 3): the supplier records (registered office,
seat of operations, the source of each) and `import suppliers`; a pack whose territory test
reads the seat of operations (`eligibility.payee_address`), the address each expense was tested
on in the evidence, and the spend each address carries in the rule's details."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest
import streamlit as st
import yaml
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from finance import DATA_DIR
from finance.cli.main import cli
from finance.devtools.catalogue import write_catalogues
from finance.domain import i18n
from finance.domain.errors import UserError
from finance.domain.i18n import PACK_DOMAIN
from finance.domain.reasons import error_lines
from finance.importers.suppliers import import_suppliers
from finance.store.db import connect
from tests.test_scheme_pack import APP, MESSAGES, PACK, _parameter

PID = "dernier-tram"
AT = "2026-11-22"
SCHEME = "flanders_test"

#: the demo's suppliers: a Brussels VFX studio (invoices from 1030), a Ghent camera rental
#: (invoices from 9000), the production company (1060) and a Tournai lab (7500)
EN = """\
Supplier,VAT,Registered office postcode,Registered office country,Registered office source,Seat of operations postcode,Seat of operations country,Seat of operations source
Bruxelles VFX Studio,BE0880740204,1030,BE,KBO extract 2026-10-02,9000,BE,KBO extract 2026-10-02
Flanders Camera Rental,BE 0817.902.812,9000,BE,KBO extract 2026-10-02,1000,BE,KBO extract 2026-10-02
Tramway Films SPRL,,2000,BE,invoice,,,
"""
FR = """\
Fournisseur;TVA;Siège social code postal;Siège social pays;Siège social source;Siège d'exploitation code postal;Siège d'exploitation pays;Siège d'exploitation source
Bruxelles VFX Studio;BE0880740204;1030;BE;Extrait BCE 2026-10-02;9000;BE;Extrait BCE 2026-10-02
"""
NL = """\
Leverancier;BTW;Maatschappelijke zetel postcode;Maatschappelijke zetel land;Maatschappelijke zetel bron;Exploitatiezetel postcode;Exploitatiezetel land;Exploitatiezetel bron
Bruxelles VFX Studio;BE0880740204;1030;BE;KBO-uittreksel 2026-10-02;9000;BE;KBO-uittreksel 2026-10-02
"""


def _file(tmp_path: Path, text: str, name: str = "suppliers.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _records(db: Path) -> list[tuple[object, ...]]:
    with connect(db, read_only=True) as con:
        return con.sql(
            "SELECT supplier_key, supplier, office_territory, office_source, seat_territory, "
            "seat_source, batch_id, source_file, source_row FROM suppliers "
            "WHERE production_id = 'dernier-tram' ORDER BY supplier"
        ).fetchall()


@pytest.fixture
def demo(demo_db: Path, tmp_path: Path) -> Path:
    """A copy of the demo with no supplier record."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    con = duckdb.connect(str(path))
    con.execute("DELETE FROM suppliers")
    con.close()
    return path


# --- the import -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "source"), [(FR, "Extrait BCE"), (NL, "KBO-uittreksel")])
def test_french_and_dutch_headers(demo: Path, tmp_path: Path, text: str, source: str) -> None:
    out = import_suppliers(demo, PID, _file(tmp_path, text))
    assert out.added == ["Bruxelles VFX Studio"] and out.batch_id is not None
    [row] = _records(demo)
    assert row[0] == "BE0880740204"
    assert row[2:6] == ("BE-BRU", f"{source} 2026-10-02", "BE-VLG", f"{source} 2026-10-02")
    assert row[7:] == ("suppliers.csv", 2)  # the file and the row it came from


def test_english_headers_keys_and_territories(demo: Path, tmp_path: Path) -> None:
    out = import_suppliers(demo, PID, _file(tmp_path, EN))
    assert out.no_expenses == [] and len(out.added) == 3
    rows = {r[1]: r for r in _records(demo)}
    # a VAT number as people write it is the key its expenses carry (python-stdnum's form)
    assert rows["Flanders Camera Rental"][0] == "BE0817902812"
    assert (
        rows["Flanders Camera Rental"][2] == "BE-VLG"
        and rows["Flanders Camera Rental"][4] == "BE-BRU"
    )
    # given by name only, the supplier takes the key of its expenses (their VAT number)
    assert rows["Tramway Films SPRL"][0] == "BE0237833805"
    assert rows["Tramway Films SPRL"][2:6] == ("BE-VLG", "invoice", None, None)


def test_an_xlsx_file(demo: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for line in EN.splitlines():
        sheet.append(line.split(","))
    path = tmp_path / "suppliers.xlsx"
    book.save(path)
    assert len(import_suppliers(demo, PID, path).added) == 3


def test_the_same_file_twice_changes_nothing(demo: Path, tmp_path: Path) -> None:
    path = _file(tmp_path, EN)
    count = "SELECT count(*) FROM import_batches WHERE kind = 'suppliers'"
    first = import_suppliers(demo, PID, path)
    before = _records(demo)
    with connect(demo, read_only=True) as con:
        batches = con.execute(count).fetchone()
    again = import_suppliers(demo, PID, path)
    assert again.batch_id is None and again.added == again.replaced == [] and again.unchanged == 3
    assert _records(demo) == before
    with connect(demo, read_only=True) as con:
        assert con.execute(count).fetchone() == batches  # no new batch
    assert first.batch_id is not None


def test_a_newer_file_replaces_a_record_and_the_audit_says_so(demo: Path, tmp_path: Path) -> None:
    import_suppliers(demo, PID, _file(tmp_path, EN))
    newer = EN.replace(
        "Tramway Films SPRL,,2000,BE,invoice,,,",
        "Tramway Films SPRL,,1060,BE,KBO extract 2026-11-01,,,",
    )
    out = import_suppliers(demo, PID, _file(tmp_path, newer, "newer.csv"))
    assert out.replaced == ["Tramway Films SPRL"] and out.added == [] and out.unchanged == 2
    rows = {r[1]: r for r in _records(demo)}
    assert rows["Tramway Films SPRL"][2:4] == ("BE-BRU", "KBO extract 2026-11-01")
    assert rows["Tramway Films SPRL"][7] == "newer.csv"
    assert rows["Bruxelles VFX Studio"][7] == "suppliers.csv"  # unchanged: its provenance kept
    with connect(demo, read_only=True) as con:
        details = con.execute(
            "SELECT details FROM audit_log WHERE action = 'import.suppliers' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert details is not None and json.loads(details[0])["replaced"] == ["Tramway Films SPRL"]


BAD = """\
Fournisseur;TVA;Siège social code postal;Siège social pays;Siège social source;Siège d'exploitation code postal;Siège d'exploitation pays;Siège d'exploitation source
Bruxelles VFX Studio;BE0880740204;1030;XX;Extrait BCE;;;
Flanders Camera Rental;;75011;BE;Extrait BCE;;;
Tramway Films SPRL;;1060;BE;;;;
Lumières du Nord;;;;;7500;;site web
Lumières du Nord;;7500;BE;facture;;;
"""


def test_every_refused_row_is_named_and_nothing_is_written(demo: Path, tmp_path: Path) -> None:
    with pytest.raises(UserError) as err:
        import_suppliers(demo, PID, _file(tmp_path, BAD))
    found = {(p.row, p.column, p.reason) for p in err.value.problems}
    assert (2, "Siège social pays", "not an ISO 3166 alpha-2 country code (BE, FR, DE...)") in found
    assert (3, "Siège social code postal", "the postcode does not fit the country") in found
    assert (4, "Siège social source", "an address without a source is refused") in found
    assert (
        5,
        "Siège d'exploitation pays",
        "a postcode or a source without the address's country",
    ) in found
    assert (5, "Fournisseur", "the same supplier is on two rows of the file") in found
    assert _records(demo) == []
    said = {lang: "\n".join(error_lines(err.value, lang)) for lang in ("fr", "nl", "en")}
    assert "une adresse sans source est refusée" in said["fr"]
    assert "le code postal ne correspond pas au pays" in said["fr"]
    assert "een adres zonder bron wordt geweigerd" in said["nl"]
    assert "an address without a source is refused" in said["en"]


def test_the_command_refuses_with_exit_2(demo: Path, tmp_path: Path) -> None:
    path = _file(tmp_path, BAD)
    out = CliRunner().invoke(
        cli, ["--lang", "nl", "import", "suppliers", PID, str(path), "--db", str(demo)]
    )
    assert out.exit_code == 2, out.output
    assert "niets geschreven" in out.output and "rij 4" in out.output
    assert _records(demo) == []


def test_a_supplier_without_expenses_is_a_warning(demo: Path, tmp_path: Path) -> None:
    text = EN + "Nobody Ltd,,SW1A 1AA,GB,invoice,,,\n"
    out = CliRunner().invoke(
        cli,
        ["--lang", "en", "import", "suppliers", PID, str(_file(tmp_path, text)), "--db", str(demo)],
    )
    assert out.exit_code == 0, out.output
    assert "4 suppliers added" in out.output
    assert "no expense of dernier-tram comes from these suppliers so far: Nobody Ltd" in out.output
    again = CliRunner().invoke(
        cli,
        ["--lang", "fr", "import", "suppliers", PID, str(_file(tmp_path, text)), "--db", str(demo)],
    )
    assert "rien n'a changé" in again.output


# --- a scheme that tests the seat of operations --------------------------------------------------


def write_seat_pack(root: Path, payee_address: str = "seat_of_operations") -> Path:
    """The Flemish test pack of tests/test_scheme_pack.py, testing the payee's seat."""
    folder = root / SCHEME
    (folder / "parameters").mkdir(parents=True)
    text = PACK.replace(
        "  territories: [BE-VLG]\n", f"  territories: [BE-VLG]\n  payee_address: {payee_address}\n"
    )
    assert "payee_address" in text
    (folder / "pack.yaml").write_text(text, encoding="utf-8")
    write_catalogues(folder / "locale", PACK_DOMAIN, yaml.safe_load(MESSAGES))
    (folder / "parameters" / "min_flemish_spend_ratio.yaml").write_text(
        _parameter("Minimum Flemish spend as a share of the aid", "ratio", "2.00")
    )
    (folder / "parameters" / "max_aid.yaml").write_text(
        _parameter("Maximum aid per work", "EUR", "300000")
    )
    return folder


def _with_fund(demo: Path, tmp_path: Path) -> None:
    manifest = yaml.safe_load((DATA_DIR / "demo" / "manifest.yaml").read_text(encoding="utf-8"))
    manifest["financing"].append({"scheme": SCHEME, "amount": "100000"})
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    added = CliRunner().invoke(cli, ["production", "add", str(path), "--db", str(demo)])
    assert added.exit_code == 0, added.output


@pytest.fixture
def seat_db(demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The demo with a line of a Flemish scheme testing the seat of operations, and the
    supplier records of EN."""
    folder = write_seat_pack(tmp_path / "packs")
    monkeypatch.setenv("CINELEDGER_PACKS", str(folder.parent))
    _with_fund(demo, tmp_path)
    import_suppliers(demo, PID, _file(tmp_path, EN))
    yield demo


def _check(db: Path) -> dict[str, dict[str, object]]:
    out = CliRunner().invoke(cli, ["check", PID, "--format", "json", "--at", AT, "--db", str(db)])
    assert out.exit_code in (0, 1), out.output
    return {r["rule_id"]: r for r in json.loads(out.output)["results"]}


def _evidence(db: Path, lang: str = "en", fmt: str = "json") -> str:
    out = CliRunner().invoke(
        cli,
        [
            "--lang",
            lang,
            "evidence",
            PID,
            f"{SCHEME}.flemish_spend",
            "--all",
            "--format",
            fmt,
            "--db",
            str(db),
        ],
    )
    assert out.exit_code == 0, out.output
    return out.output


def _by_supplier(db: Path) -> dict[str, set[tuple[str, bool]]]:
    rows = json.loads(_evidence(db))["expenses"]
    out: dict[str, set[tuple[str, bool]]] = {}
    for r in rows:
        out.setdefault(r["supplier"], set()).add((r["address_used"], r["counted"] != "0.00"))
    return out


def test_the_seat_decides_and_each_expense_says_which_address(seat_db: Path) -> None:
    results = _check(seat_db)
    found = _by_supplier(seat_db)
    # a Brussels head office with a Ghent studio counts, tested on its seat of operations
    assert found["Bruxelles VFX Studio"] == {("seat_of_operations", True)}
    # a Ghent invoice address with a recorded Brussels seat does not count
    assert found["Flanders Camera Rental"] == {("seat_of_operations", False)}
    # a supplier with only its registered office (Antwerp) is tested on it
    assert found["Tramway Films SPRL"] == {("registered_office", True)}
    # one with nothing recorded is tested on the invoice's address (Tournai: not Flemish)
    assert found["Lumières du Nord"] == {("invoice_address", False)}
    # the rule says how much of its measured spend rests on each address
    spend = results[f"{SCHEME}.flemish_spend"]
    basis = spend["details"]["address_basis"]
    assert {"seat_of_operations", "registered_office"} <= set(basis)
    assert sum(Decimal(v) for v in basis.values()) == Decimal(spend["measured"])
    rows = json.loads(_evidence(seat_db))["expenses"]
    for address in basis:
        spent = sum(Decimal(r["counted"]) for r in rows if r["address_used"] == address)
        assert Decimal(basis[address]) == spent


def test_the_registered_office_scheme(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_seat_pack(tmp_path / "packs", "registered_office")
    monkeypatch.setenv("CINELEDGER_PACKS", str(folder.parent))
    _with_fund(demo, tmp_path)
    import_suppliers(demo, PID, _file(tmp_path, EN))
    _check(demo)
    found = _by_supplier(demo)
    assert found["Bruxelles VFX Studio"] == {("registered_office", False)}  # Brussels office
    assert found["Flanders Camera Rental"] == {("registered_office", True)}  # Ghent office
    assert found["Lumières du Nord"] == {("invoice_address", False)}


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("fr", "dépenses mesurées selon l'adresse du bénéficiaire testée : siège d'exploitation "),
        ("nl", "gemeten uitgaven volgens het geteste adres van de begunstigde: exploitatiezetel "),
        ("en", "measured spend by the payee's address tested: seat of operations EUR "),
    ],
)
def test_the_check_says_which_address_its_spend_rests_on(
    seat_db: Path, code: str, said: str
) -> None:
    out = CliRunner().invoke(cli, ["--lang", code, "check", PID, "--at", AT, "--db", str(seat_db)])
    assert out.exit_code in (0, 1), out.output
    assert said in out.output


def test_the_evidence_table_says_the_address_in_the_readers_language(seat_db: Path) -> None:
    _check(seat_db)
    assert "(tested on its seat of operations)" in _evidence(seat_db, "en", "table")
    assert "(testé sur son siège d'exploitation)" in _evidence(seat_db, "fr", "table")
    assert "(getest op exploitatiezetel)" in _evidence(seat_db, "nl", "table")
    assert "(testé sur son adresse de la facture)" in _evidence(seat_db, "fr", "table")


def test_a_default_pack_is_tested_on_the_invoice(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same pack without `payee_address`: the supplier records change nothing for it, nor
    for any scheme tested on the invoice (the demo's packs that read the seat do change)."""
    from rules.loader import load_packs

    folder = write_seat_pack(tmp_path / "packs", "invoice")
    monkeypatch.setenv("CINELEDGER_PACKS", str(folder.parent))
    _with_fund(demo, tmp_path)
    before = _check(demo)
    import_suppliers(demo, PID, _file(tmp_path, EN))
    after = _check(demo)
    packs = load_packs()
    on_invoice = {
        s for s, p in packs.items() if not p.eligibility or p.eligibility.payee_address == "invoice"
    }
    assert SCHEME in on_invoice
    for rule_id, result in before.items():
        if rule_id.split(".")[0] not in on_invoice or rule_id.startswith("cumulation."):
            continue
        assert {k: v for k, v in after[rule_id].items() if k != "run_id"} == {
            k: v for k, v in result.items() if k != "run_id"
        }, rule_id
    assert "address_basis" not in after[f"{SCHEME}.flemish_spend"]["details"]
    found = _by_supplier(demo)
    assert found["Bruxelles VFX Studio"] == {("invoice_address", False)}  # Brussels invoices
    assert found["Flanders Camera Rental"] == {("invoice_address", True)}  # Ghent invoices
    assert i18n.text("address.invoice_address", "nl") == "factuuradres"


# --- the dashboard's evidence table ----------------------------------------------------------------


def test_the_funders_evidence_says_the_address_tested(
    seat_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CINELEDGER_DB", str(seat_db))
    monkeypatch.setenv("CINELEDGER_TODAY", AT)
    _check(seat_db)
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("views/funders.py")
    at.run()
    at.session_state[f"scheme-{SCHEME}"] = True
    at.run()
    rule = f"{SCHEME}.flemish_spend"
    at.toggle(key=f"evidence-{rule}").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption]
    assert any(
        c.startswith("dépenses mesurées selon l'adresse du bénéficiaire testée : siège")
        for c in captions
    ), captions
    words = {
        "fr": ("Adresse testée", "siège d'exploitation", "siège social"),
        "nl": ("Geteste adres", "exploitatiezetel", "maatschappelijke zetel"),
        "en": ("Address tested", "seat of operations", "registered office"),
    }
    for code, (header, seat, office) in words.items():
        if code != "fr":
            at.sidebar.radio[0].set_value(code).run()
            at.switch_page("views/funders.py")
            at.run()
            at.session_state[f"scheme-{SCHEME}"] = True
            at.run()
            at.toggle(key=f"evidence-{rule}").set_value(True).run()
            assert not at.exception, [e.value for e in at.exception]
        tables = [d.value for d in at.dataframe if header in d.value.columns]
        assert tables, code
        said = set(tables[0][header])
        assert {seat, office} <= said, (code, said)
    st.cache_data.clear()


@pytest.mark.parametrize(
    ("code", "header", "seat"),
    [
        ("fr", "Adresse testée", "siège d'exploitation"),
        ("nl", "Geteste adres", "exploitatiezetel"),
        ("en", "Address tested", "seat of operations"),
    ],
)
def test_the_workbook_lines_say_the_address_tested(
    seat_db: Path, tmp_path: Path, code: str, header: str, seat: str
) -> None:
    out = tmp_path / f"flanders-{code}.xlsx"
    _export(seat_db, SCHEME, out, code)
    book = openpyxl.load_workbook(out, read_only=True)
    found = set()
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        for i, row in enumerate(rows):
            if header in row:
                at = row.index(header)
                found |= {r[at] for r in rows[i + 1 :] if len(r) > at}
                break
    assert seat in found, found
    default = tmp_path / "wallimage.xlsx"
    _export(seat_db, "wallimage", default, code)
    texts = [
        c
        for s in openpyxl.load_workbook(default, read_only=True).worksheets
        for r in s.iter_rows(values_only=True)
        for c in r
    ]
    assert header not in texts  # a scheme tested on the invoice: its lines as before


def test_a_supplier_named_by_its_vat_number_only(demo: Path, tmp_path: Path) -> None:
    text = "Supplier,VAT,Registered office postcode,Registered office country,Registered office source\n,BE 0880.740.204,1030,BE,KBO\n,,1000,BE,KBO\n"
    with pytest.raises(UserError) as err:
        import_suppliers(demo, PID, _file(tmp_path, text))
    assert {(p.row, p.reason) for p in err.value.problems} == {(3, "required, but empty")}
    out = import_suppliers(demo, PID, _file(tmp_path, text.rsplit(",,", 1)[0] + "\n"))
    assert out.added == ["BE 0880.740.204"]
    assert _records(demo)[0][:3] == ("BE0880740204", "BE 0880.740.204", "BE-BRU")


def _export(db: Path, scheme: str, out: Path, code: str) -> None:
    """`cineledger export` of a scheme's justification workbook, in the language `code`."""
    args = ["export", PID, "--scheme", scheme, "--out", str(out), "--at", AT, "--lang", code]
    done = CliRunner().invoke(cli, [*args, "--db", str(db)])
    assert done.exit_code == 0, done.output
