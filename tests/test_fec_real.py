"""FEC as accounting software writes it (issue 17): a later export of the same books adds only
its new lines, foreign-currency lines keep their euro figure, a file with decimal points is read
as such, account mappings cover longer account numbers, and payees come from the entry when no
supplier line names one. Exports in the layouts of two programs (tests/fixtures/fec, written by
us) and, where the steering repository's shared/fixtures/fec is present, the real exports of
those programs have golden summaries.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from finance.domain.errors import UserError
from finance.exports.run import export
from finance.importers.budget import import_budget
from finance.importers.fec import extract
from finance.importers.ingest import import_expenses
from finance.importers.mappings import import_mappings
from finance.store.db import connect
from finance.store.productions import add_production
from tests.conftest import check_golden
from tests.test_fec import HEADER, LINES
from tests.test_migrations import build_previous_release

FIXTURES = Path(__file__).parent / "fixtures" / "fec"
#: the real exports (third-party files, not committed): in the steering repository's shared/,
#: next to the project
SHARED = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "fec"
GOLDEN = Path(__file__).parent / "golden"
#: file -> the day its earlier export stops (a quarter or so into the year)
OURS = {"222222222FEC20231231.txt": "20230331", "333333333FEC20221231.txt": "20220430"}
REAL_FILES = {"000000000FEC20231231.txt": "20230331", "111111111FEC20221231.txt": "20230430"}
FILES = [
    *(pytest.param(FIXTURES / n, d, id=n) for n, d in OURS.items()),
    *(
        pytest.param(
            SHARED / n,
            d,
            id=n,
            marks=pytest.mark.skipif(
                not (SHARED / n).exists(), reason="the real exports live in ../shared"
            ),
        )
        for n, d in REAL_FILES.items()
    ),
]


def _production(tmp_path: Path, db: Path, mapping: str) -> None:
    """A French production in euros with a three-line devis and the given account mappings."""
    (tmp_path / "m.yaml").write_text(
        "id: copro\ntitle: Copro FR\nkind: feature\n", encoding="utf-8"
    )
    (tmp_path / "devis.csv").write_text(
        "code,label,amount,category\n8.07,Mixage,50000,post\n7.01,Caméra,50000,equipment\n"
        "9.01,Frais généraux,900000,overheads\n",
        encoding="utf-8",
    )
    (tmp_path / "map.csv").write_text("supplier,budget_code\n" + mapping, encoding="utf-8")
    add_production(db, tmp_path / "m.yaml")
    import_budget(db, "copro", tmp_path / "devis.csv")
    import_mappings(db, "copro", tmp_path / "map.csv")


def _ledger(db: Path) -> tuple[int, Decimal]:
    with connect(db, read_only=True) as con:
        n, total = con.execute("SELECT count(*), sum(amount) FROM v_expenses").fetchall()[0]
    return int(n), Decimal(total or 0)


def _first_half(source: Path, target: Path, until: str) -> None:
    """The export the same software gave earlier: the entries dated up to `until`."""
    lines = source.read_bytes().splitlines(keepends=True)  # the bytes as written
    header, body = lines[0], lines[1:]
    sep = b"\t" if b"\t" in header else b"|"
    kept = [x for x in body if x.split(sep)[3].strip() <= until.encode()]
    target.write_bytes(header + b"".join(kept))


@pytest.mark.parametrize(("later", "until"), FILES)
def test_two_consecutive_exports_of_the_same_books_give_the_second_files_total(
    later: Path, until: str, tmp_path: Path, db: Path
) -> None:
    """The month-end export after the mid-year one: the lines already in are recognised (none
    is a conflict, though the software repeats piece references and payees), the new ones are
    added, and the ledger holds exactly the second file's spend."""
    name = later.name
    accounts = extract(later, "EUR").rows["budget_code"].unique().sort()
    _production(tmp_path, db, "".join(f"{a},9.01\n" for a in accounts))  # each account exactly
    earlier = tmp_path / f"early_{name}"
    _first_half(later, earlier, until)
    first = import_expenses(db, "copro", [earlier])
    second = import_expenses(db, "copro", [later])
    expected = extract(later, "EUR").rows
    n_first = extract(earlier, "EUR").rows.height
    assert 0 < n_first < expected.height
    assert second.problems == [] and second.quarantined == 0
    assert first.files[0].imported == n_first
    assert second.files[0].duplicates == n_first
    assert second.files[0].imported == expected.height - n_first
    assert _ledger(db) == (expected.height, expected["amount"].sum())
    # the same export again adds nothing and says so
    again = tmp_path / f"again_{name}"
    again.write_bytes(later.read_bytes() + b"\n")
    third = import_expenses(db, "copro", [again])
    assert third.files[0].imported == 0 and third.files[0].duplicates == expected.height


FEC_A = [
    "AC|Achats|1|20260405|62260000|Honoraires|||x|20260404|Mixage Auditorium|1200,00|0,00|||20260410||",
    "AC|Achats|1|20260405|44566000|TVA|||x|20260404|Mixage Auditorium|240,00|0,00|||20260410||",
    "AC|Achats|1|20260405|40100000|Fournisseurs|AUD|Auditorium|x|20260404|Mixage Auditorium|0,00|1440,00|||20260410||",
    "OD|Opérations diverses|7|20260406|62510000|MISSIONS|||x|20260406|HOTEL LE 67 06/04/2026 F.2231|180,00|0,00|||20260410||",
    "OD|Opérations diverses|7|20260406|47100000|Attente|||x|20260406|HOTEL LE 67 06/04/2026 F.2231|0,00|180,00|||20260410||",
]


def _fec(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\r\n".join([HEADER, *lines]) + "\r\n").encode("cp1252"))
    return path


def test_a_changed_line_is_the_only_conflict(tmp_path: Path, db: Path) -> None:
    """Same journal, entry and line with other content: a conflict naming the stored expense;
    the other lines, with the same piece reference `x`, are recognised."""
    _production(tmp_path, db, "account:6,9.01\n")
    import_expenses(db, "copro", [_fec(tmp_path / "FEC1.txt", FEC_A)])
    changed = [FEC_A[0], FEC_A[1], FEC_A[2], FEC_A[3].replace("180,00", "190,00"), FEC_A[4]]
    extra = "OD|Opérations diverses|8|20260407|62510000|MISSIONS|||x|20260407|SNCF PARIS LYON 07/04|95,50|0,00|||20260410||"
    with pytest.raises(UserError) as err:
        import_expenses(db, "copro", [_fec(tmp_path / "FEC2.txt", [*changed, extra])])
    (problem,) = err.value.problems
    assert (
        problem.value == "OD|7|1" and "same journal, entry and line as expense #" in problem.reason
    )
    outcome = import_expenses(
        db, "copro", [_fec(tmp_path / "FEC3.txt", [*changed, extra])], skip_invalid=True
    )
    assert (outcome.files[0].imported, outcome.files[0].duplicates) == (1, 1)
    assert outcome.quarantined == 1


def test_fec_lines_in_another_currency_keep_their_euro_amount(tmp_path: Path, db: Path) -> None:
    """Debit/Credit are the books' euros; Montantdevise/Idevise the original: the ledger's
    amount is the euro figure, with the dollars beside it (no second conversion)."""
    _production(tmp_path, db, "account:6,9.01\n")
    lines = [
        "AC|Achats|3|20260415|61320000|Location|||INV-9|20260414|Panavision US camera|330,00|0,00|||20260420|357,37|USD",
        "AC|Achats|3|20260415|40100000|Fournisseurs|PANA|Panavision Inc|INV-9|20260414|Panavision US camera|0,00|330,00|||20260420|357,37|USD",
        "AC|Achats|4|20260416|61320000|Location|||CN-2|20260416|Panavision credit|0,00|33,00|||20260420|35,74|USD",
        "AC|Achats|4|20260416|40100000|Fournisseurs|PANA|Panavision Inc|CN-2|20260416|Panavision credit|33,00|0,00|||20260420|35,74|USD",
    ]
    import_expenses(db, "copro", [_fec(tmp_path / "FECUSD.txt", lines)])
    with connect(db, read_only=True) as con:
        rows = con.execute(
            "SELECT amount, amount_orig, currency FROM v_expenses ORDER BY id"
        ).fetchall()
    assert rows == [
        (Decimal("330.00"), Decimal("357.37"), "USD"),
        (Decimal("-33.00"), Decimal("-35.74"), "USD"),
    ]


def test_an_fec_with_decimal_points_is_read_as_written(tmp_path: Path) -> None:
    point = [x.replace("1200,00", "1200.00").replace(",00", ".00") for x in FEC_A]
    rows = extract(_fec(tmp_path / "FECPOINT.txt", point), "EUR").rows
    assert rows["amount"].to_list() == [Decimal("1200.00"), Decimal("180.00")]


def test_an_fec_mixing_decimal_separators_is_refused_with_its_rows(tmp_path: Path) -> None:
    mixed = [FEC_A[0].replace("1200,00", "1200.00"), *FEC_A[1:]]
    with pytest.raises(UserError) as err:
        extract(_fec(tmp_path / "FECMIX.txt", mixed), "EUR")
    assert "rows 2" in str(err.value) and {p.row for p in err.value.problems} == {2}


def test_an_fec_whose_separators_could_be_either_is_refused(tmp_path: Path) -> None:
    """`1.200` alone: a thousand and two hundred, or one point two? Refused, with its rows."""
    lines = [
        "AC|Achats|1|20260405|62260000|Honoraires|||x|20260404|Mixage|1.200|0|||20260410||",
        "AC|Achats|1|20260405|40100000|Fournisseurs|AUD|Auditorium|x|20260404|Mixage|0|1.200|||20260410||",
    ]
    with pytest.raises(UserError) as err:
        extract(_fec(tmp_path / "FECAMB.txt", lines), "EUR")
    assert {p.row for p in err.value.problems} == {2, 3}


def test_an_account_mapping_covers_longer_account_numbers(tmp_path: Path, db: Path) -> None:
    """`account:6226` covers 62260000 and 6226100; the longest prefix wins."""
    _production(tmp_path, db, "account:6226,8.07\naccount:62261,7.01\naccount:6,9.01\n")
    lines = [
        FEC_A[0],
        FEC_A[2],
        "AC|Achats|2|20260405|6226100|Honoraires|||y|20260404|Bruitages|300,00|0,00|||20260410||",
        "AC|Achats|2|20260405|40100000|Fournisseurs|AUD|Auditorium|y|20260404|Bruitages|0,00|300,00|||20260410||",
        *FEC_A[3:],
    ]
    outcome = import_expenses(db, "copro", [_fec(tmp_path / "FECMAP.txt", lines)])
    assert outcome.to_code == 0
    with connect(db, read_only=True) as con:
        booked = con.execute(
            "SELECT budget_code, sum(amount) FROM v_expenses GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert booked == [
        ("7.01", Decimal("300.00")),
        ("8.07", Decimal("1200.00")),
        ("9.01", Decimal("180.00")),
    ]


def test_fec_payees_come_from_the_entry_not_the_account(tmp_path: Path) -> None:
    lines = [
        *FEC_A,
        "OD|Opérations diverses|8|20260407|62510000|MISSIONS|||x|20260407|SNCF PARIS LYON 07/04/2026|95,50|0,00|||20260410||",
        "AC|Achats|9|20260408|60630000|Fournitures|DIVER|DIVER|x|20260408|LEROY MERLIN FA 88123|42,10|0,00|||20260410||",
        "AC|Achats|9|20260408|40100000|Fournisseurs|DIVER|DIVER|x|20260408|LEROY MERLIN FA 88123|0,00|42,10|||20260410||",
        "PA|Paie|12|20260430|64110000|SALAIRES|||x|20260430|PAIE AVRIL 2026|5000,00|0,00|||20260505||",
        "PA|Paie|12|20260430|64510000|URSSAF|||x|20260430|PAIE AVRIL 2026|2100,00|0,00|||20260505||",
        "PA|Paie|12|20260430|42100000|Personnel|||x|20260430|PAIE AVRIL 2026|0,00|7100,00|||20260505||",
    ]
    rows = extract(_fec(tmp_path / "FECPAYEE.txt", lines), "EUR").rows
    assert rows["supplier"].to_list() == [
        "Auditorium",
        "HOTEL LE 67",
        "SNCF PARIS LYON",
        "LEROY MERLIN",
        "Paie de la production (PA 12)",
        "Paie de la production (PA 12)",
    ]
    assert rows["payee_type"].to_list()[-2:] == ["person", "person"]


@pytest.mark.parametrize(("path", "until"), FILES)
def test_fec_exports_read_as_their_golden_summary(
    path: Path, until: str, update_golden: bool
) -> None:
    """Per account: lines, net amount and payees, as read from an export."""
    name = path.name
    rows = extract(path, "EUR").rows
    summary = (
        rows.group_by("budget_code")
        .agg(
            pl.len().alias("lines"),
            pl.col("amount").sum().alias("amount"),
            pl.col("supplier").unique().sort().head(4).str.join(" / ").alias("payees"),
        )
        .sort("budget_code")
    )
    assert rows["currency"].unique().to_list() == ["EUR"]
    check_golden(
        GOLDEN / f"fec_real_{name.split('FEC')[0]}.expected.csv",
        summary.with_columns(pl.all().cast(pl.String)).write_csv(),
        update_golden,
    )


def test_the_justification_workbook_shows_the_payee_from_the_entry(
    tmp_path: Path, db: Path
) -> None:
    """The funder's file names the hotel and the payroll, not `MISSIONS` or `SALAIRES`."""
    (tmp_path / "m.yaml").write_text(
        "id: copro\ntitle: Copro FR\nkind: feature\n"
        "schedule: {prep_start: 2026-03-02, shoot_start: 2026-04-01, shoot_end: 2026-05-29, "
        "post_end: 2026-12-18}\n"
        "financing: [{scheme: cnc_acm, amount: '8000', signed_on: 2026-03-02}]\n",
        encoding="utf-8",
    )
    (tmp_path / "devis.csv").write_text(
        "code,label,amount,category\n8.07,Mixage,50000,post\n9.01,Régie,90000,other\n",
        encoding="utf-8",
    )
    (tmp_path / "map.csv").write_text(
        "supplier,budget_code\naccount:6226,8.07\naccount:6,9.01\n", encoding="utf-8"
    )
    add_production(db, tmp_path / "m.yaml")
    import_budget(db, "copro", tmp_path / "devis.csv")
    import_mappings(db, "copro", tmp_path / "map.csv")
    payroll = [
        "PA|Paie|12|20260430|64110000|SALAIRES|||x|20260430|PAIE AVRIL 2026|5000,00|0,00|||20260505||",
        "PA|Paie|12|20260430|42100000|Personnel|||x|20260430|PAIE AVRIL 2026|0,00|5000,00|||20260505||",
    ]
    import_expenses(db, "copro", [_fec(tmp_path / "FECWB.txt", [*FEC_A, *payroll])])
    out = tmp_path / "cnc.xlsx"
    export(db, "copro", "cnc_acm", out, date(2026, 12, 31))
    texts = {
        str(c.value)
        for ws in openpyxl.load_workbook(out).worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }
    assert {"HOTEL LE 67", "Paie de la production (PA 12)", "Auditorium"} <= texts
    assert not {"MISSIONS", "SALAIRES"} & texts


def test_two_exports_in_one_import_count_each_line_once(tmp_path: Path, db: Path) -> None:
    """The earlier and the later export given together: the later file's lines already read
    in the earlier one are recognised, not added twice."""
    _production(tmp_path, db, "account:6,9.01\n")
    later = FIXTURES / "333333333FEC20221231.txt"
    earlier = tmp_path / "early.txt"
    _first_half(later, earlier, OURS[later.name])
    outcome = import_expenses(db, "copro", [earlier, later])
    expected = extract(later, "EUR").rows
    assert sum(f.imported for f in outcome.files) == expected.height
    assert _ledger(db) == (expected.height, expected["amount"].sum())


def test_fec_lines_of_the_previous_release_are_still_recognised(tmp_path: Path) -> None:
    """The previous release stored FEC lines by their content: the same books exported again
    (another file) add nothing but the line that was waiting to be coded."""
    db = tmp_path / "old.duckdb"
    build_previous_release(db)
    again = _fec(tmp_path / "FEC20261231-bis.txt", LINES)
    outcome = import_expenses(db, "eprod", [again], skip_invalid=True)
    assert (outcome.files[0].imported, outcome.files[0].duplicates) == (0, 3)
    assert outcome.to_code == 1  # 613500 is still unmapped
