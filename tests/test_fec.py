"""The French FEC: an invoice, a credit note, a payment and a multi-line entry give the right
expenses; accounts map to budget lines; unmapped lines wait to be coded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from finance.checks import run_check
from finance.importers.budget import import_budget
from finance.importers.fec import extract, identify
from finance.importers.ingest import import_expenses
from finance.importers.mappings import import_mappings
from finance.store.db import connect
from finance.store.productions import add_production
from tests.conftest import check_golden

GOLDEN = Path(__file__).parent / "golden"
HEADER = (
    "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|"
    "PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise"
)
LINES = [
    "AC|Achats|1|20260405|622600|Honoraires|||F-101|20260404|Mixage Auditorium|1200,00|0,00|||20260410||",
    "AC|Achats|1|20260405|445660|TVA déductible|||F-101|20260404|Mixage Auditorium|240,00|0,00|||20260410||",
    "AC|Achats|1|20260405|401000|Fournisseurs|AUDSTD|Auditorium Saint-Denis|F-101|20260404|Mixage Auditorium|0,00|1440,00|A|20260420|20260410||",
    "AC|Achats|2|20260412|622600|Honoraires|||AV-7|20260411|Avoir mixage|0,00|200,00|||20260415||",
    "AC|Achats|2|20260412|445660|TVA déductible|||AV-7|20260411|Avoir mixage|0,00|40,00|||20260415||",
    "AC|Achats|2|20260412|401000|Fournisseurs|AUDSTD|Auditorium Saint-Denis|AV-7|20260411|Avoir mixage|240,00|0,00|||20260415||",
    "AC|Achats|3|20260415|613200|Location matériel|||L-55|20260414|Location caméra et lumière|3000,00|0,00|||20260420||",
    "AC|Achats|3|20260415|613500|Location véhicules|||L-55|20260414|Location caméra et lumière|500,50|0,00|||20260420||",
    "AC|Achats|3|20260415|445660|TVA déductible|||L-55|20260414|Location caméra et lumière|700,10|0,00|||20260420||",
    "AC|Achats|3|20260415|401000|Fournisseurs|LOCPAR|Loca Paris|L-55|20260414|Location caméra et lumière|0,00|4200,60|||20260420||",
    "BQ|Banque|4|20260420|401000|Fournisseurs|AUDSTD|Auditorium Saint-Denis|VIR-1|20260420|Règlement F-101|1440,00|0,00|A|20260420|20260420||",
    "BQ|Banque|4|20260420|512000|Banque|||VIR-1|20260420|Règlement F-101|0,00|1440,00|||20260420||",
]


@pytest.fixture
def fec_file(tmp_path: Path) -> Path:
    path = tmp_path / "FEC20261231.txt"
    path.write_bytes(("\r\n".join([HEADER, *LINES]) + "\r\n").encode("cp1252"))
    return path


def test_fec_gives_the_right_expenses(fec_file: Path, update_golden: bool) -> None:
    assert identify(fec_file)
    rows = extract(fec_file, "EUR").rows
    got = rows.select("_row", "date", "supplier", "budget_code", "amount", "invoice_ref", "paid_on")
    assert got["amount"].to_list() == [
        Decimal("1200.00"),
        Decimal("-200.00"),
        Decimal("3000.00"),
        Decimal("500.50"),
    ]
    assert got["supplier"].to_list() == ["Auditorium Saint-Denis"] * 2 + ["Loca Paris"] * 2
    assert str(got["paid_on"][0]) == "2026-04-20", "the lettered payment dates the invoice"
    check_golden(
        GOLDEN / "fec.expected.csv",
        got.with_columns(pl.all().cast(pl.String)).write_csv(),
        update_golden,
    )


def _copro(tmp_path: Path, db: Path, manifest_extra: str = "") -> None:
    """A French production with a two-line devis and two FEC accounts mapped to its lines."""
    (tmp_path / "m.yaml").write_text(
        "id: copro\ntitle: Copro FR\nkind: feature\n" + manifest_extra, encoding="utf-8"
    )
    (tmp_path / "devis.csv").write_text(
        "code,label,amount,category\n8.07,Mixage,50000,post\n7.01,Caméra,50000,equipment\n",
        encoding="utf-8",
    )
    (tmp_path / "map.csv").write_text(
        "supplier,budget_code\naccount:622600,8.07\naccount:613200,7.01\n", encoding="utf-8"
    )
    add_production(db, tmp_path / "m.yaml")
    import_budget(db, "copro", tmp_path / "devis.csv")
    import_mappings(db, "copro", tmp_path / "map.csv")


def test_fec_accounts_map_to_budget_lines(fec_file: Path, tmp_path: Path, db: Path) -> None:
    _copro(tmp_path, db)
    outcome = import_expenses(db, "copro", [fec_file])
    assert outcome.files[0].imported == 3 and outcome.to_code == 1  # 613500 has no mapping yet
    with connect(db, read_only=True) as con:
        rows = con.execute(
            "SELECT budget_code, sum(amount), any_value(territory) FROM v_expenses GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert rows == [("7.01", Decimal("3000.00"), "FR"), ("8.07", Decimal("1000.00"), "FR")]


@pytest.mark.parametrize("delimiter", ["\t", "|", ";", ","])
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "iso-8859-15"])
def test_fec_reads_every_delimiter_and_encoding_the_norm_allows(
    tmp_path: Path, delimiter: str, encoding: str
) -> None:
    """The FEC norm allows tab or pipe; exports seen in the wild also use ; and , (with decimal
    comma amounts quoted). The accents of the supplier must survive every encoding."""

    def quoted(line: str) -> str:
        cells = line.split("|")
        if delimiter == ",":
            cells = [f'"{c}"' if "," in c else c for c in cells]
        return delimiter.join(cells)

    path = tmp_path / "FEC.txt"
    path.write_bytes(
        ("\r\n".join([quoted(HEADER)] + [quoted(x) for x in LINES]) + "\r\n").encode(encoding)
    )
    rows = extract(path, "EUR").rows
    assert rows["amount"].to_list() == [
        Decimal("1200.00"),
        Decimal("-200.00"),
        Decimal("3000.00"),
        Decimal("500.50"),
    ]
    assert rows["supplier"][0] == "Auditorium Saint-Denis"
    assert rows["description"][2] == "Location caméra et lumière"


def test_an_fec_payee_counts_as_french_spend_where_france_is_enough(
    fec_file: Path, tmp_path: Path, db: Path
) -> None:
    """The FEC gives no address: its French payees count for the CNC's French spend (a test of
    France only), never for a test that needs a department or a region (issue 16, point 13)."""
    _copro(
        tmp_path,
        db,
        "schedule: {prep_start: 2026-03-02, shoot_start: 2026-04-01, shoot_end: 2026-05-29, "
        "post_end: 2026-12-18}\n"
        "financing: [{scheme: cnc_acm, amount: '8000', signed_on: 2026-03-02}]\n",
    )
    import_expenses(db, "copro", [fec_file])
    results = {r.rule_id: r for r in run_check(db, "copro", date(2026, 12, 31)).results}
    french = results["cnc_acm.french_spend"]
    assert french.measured == Decimal("4000.00")  # the invoice net of its credit note, the camera
    assert french.evidence_count == 3
