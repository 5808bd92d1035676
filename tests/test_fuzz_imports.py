"""Every importer, fed mutated and random files: each attempt ends in an import or a clear
error (UserError), never another exception; a rejected import leaves the database file byte for
byte as it was. Seeds are realistic files (Belgian CSV, XLSX, FEC, Peppol XML, zip)."""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finance.domain.errors import UserError
from finance.importers.budget import import_budget
from finance.importers.ingest import import_expenses
from finance.store.db import connect
from finance.store.productions import add_production
from tests.test_fec import HEADER as FEC_HEADER
from tests.test_fec import LINES as FEC_LINES
from tests.test_profiles import EXPORT

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
PRODUCTION = "dernier-tram"
FUZZ = settings(
    max_examples=min(30, settings().max_examples),  # fewer under `make test-fast`'s profile
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("fuzz") / "pristine.duckdb"
    add_production(db, DEMO / "manifest.yaml")
    import_budget(db, PRODUCTION, DEMO / "devis.csv")
    return db


def belgian_csv() -> bytes:
    lines = (DEMO / "expenses.csv").read_bytes().splitlines(keepends=True)
    return b"".join(lines[:40])


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for line in belgian_csv().decode("utf-8-sig").splitlines():
        sheet.append(line.split(";"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fec_text() -> bytes:
    return ("\r\n".join([FEC_HEADER, *FEC_LINES]) + "\r\n").encode("cp1252")


def peppol_xml() -> bytes:
    return (ROOT / "tests" / "fixtures" / "peppol" / "base-example.xml").read_bytes()


def zipped_xml() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("a.xml", peppol_xml())
    return out.getvalue()


def profile_export() -> bytes:
    return EXPORT.encode("cp1252")


SEEDS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "profile": ("journal.csv", profile_export),
    "csv": ("expenses.csv", belgian_csv),
    "xlsx": ("expenses.xlsx", xlsx_bytes),
    "fec": ("FEC20261231.txt", fec_text),
    "peppol": ("invoice.xml", peppol_xml),
    "zip": ("invoices.zip", zipped_xml),
}


def attempt(pristine: Path, name: str, content: bytes) -> None:
    """Import one file into a copy of the pristine database; check the two allowed outcomes."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "ledger.duckdb"
        shutil.copy(pristine, db)
        before = db.read_bytes()
        path = Path(tmp) / name
        path.write_bytes(content)
        try:
            import_expenses(db, PRODUCTION, [path])
        except UserError as exc:
            assert str(exc).strip(), "an error must say something"
            assert db.read_bytes() == before, "a rejected import changed the database file"
            assert not Path(f"{db}.wal").exists()


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """One of the ways real files go wrong, applied to a good file."""
    kind = draw(
        st.sampled_from(
            ["truncate", "flip", "insert", "utf16", "latin1", "formula", "dup_header", "huge_line"]
        )
    )
    n = len(seed)
    at = draw(st.integers(0, max(n - 1, 0)))
    if kind == "truncate":
        return seed[:at]
    if kind == "flip":
        junk = draw(st.binary(min_size=1, max_size=16))
        return seed[:at] + junk + seed[at + len(junk) :]
    if kind == "insert":
        return seed[:at] + draw(st.binary(min_size=1, max_size=256)) + seed[at:]
    if kind == "utf16":
        return seed.decode("utf-8", errors="replace").encode("utf-16")
    if kind == "latin1":
        return seed.decode("utf-8", errors="replace").encode("latin-1", errors="replace")
    if kind == "formula":
        return seed.replace(b";", b';=HYPERLINK("http://evil")+cmd|', 1 + at % 5)
    if kind == "dup_header":
        head, _, rest = seed.partition(b"\n")
        return head + head[head.find(b";") :] + b"\n" + rest
    return seed[:at] + b"\n" + b"A;" * 100_000 + b"\n" + seed[at:]


@pytest.mark.parametrize("fmt", list(SEEDS))
def test_mutated_files_import_or_fail_cleanly(pristine: Path, fmt: str) -> None:
    name, make = SEEDS[fmt]
    seed = make()

    @FUZZ
    @given(content=mutated(seed))
    def run(content: bytes) -> None:
        attempt(pristine, name, content)

    run()


@pytest.mark.parametrize("name", ["x.csv", "x.xlsx", "x.xml", "x.txt", "x.zip"])
@FUZZ
@given(content=st.binary(max_size=4096))
def test_random_bytes_fail_cleanly(pristine: Path, name: str, content: bytes) -> None:
    attempt(pristine, name, content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.csv", b""),
        ("blank.csv", b"\n\n  \n"),
        ("wide.csv", b",".join(b"c%d" % i for i in range(1_000_000)) + b"\n"),
        ("nul.csv", b"\x00" * 10_000),
        ("words.csv", b"date;supplier;country;budget_code;amount\nhier;X;BE;1.01;beaucoup\n"),
        ("empty.xlsx", b""),
        ("not_a_zip.xlsx", b"PK\x03\x04 this is not a workbook"),
        ("empty.xml", b""),
        ("html.xml", b"<html><body>not an invoice</body></html>"),
    ],
)
def test_named_bad_files_fail_with_a_message(pristine: Path, name: str, content: bytes) -> None:
    with pytest.raises(UserError), tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        db = Path(tmp) / "ledger.duckdb"
        shutil.copy(pristine, db)
        import_expenses(db, PRODUCTION, [path])


def test_a_header_without_rows_imports_nothing_and_says_so(pristine: Path, tmp_path: Path) -> None:
    db = tmp_path / "ledger.duckdb"
    shutil.copy(pristine, db)
    path = tmp_path / "header_only.csv"
    path.write_bytes(belgian_csv().splitlines(keepends=True)[0])
    with pytest.raises(UserError, match="no row to import"):  # issue 21: never recorded as
        import_expenses(db, PRODUCTION, [path])  # imported, so the file once filled goes in
    with connect(db, read_only=True) as con:
        batches = con.execute(
            "SELECT count(*) FROM import_batches WHERE file_name = ?", [path.name]
        )
        assert batches.fetchall() == [(0,)]


def test_an_xlsx_that_would_unpack_to_gigabytes_is_refused(pristine: Path, tmp_path: Path) -> None:
    """A zip bomb dressed as a workbook: refused from the zip directory, before any parsing."""
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"<row>" + b" " * (1 << 20) + b"</row>"
            for _ in range(600):  # 600 MB unpacked, under 1 MB packed
                member.write(chunk)
    assert path.stat().st_size < 2 * 2**20
    db = tmp_path / "ledger.duckdb"
    shutil.copy(pristine, db)
    with pytest.raises(UserError, match="would unpack to"):
        import_expenses(db, PRODUCTION, [path])


def _lines() -> list[bytes]:
    return belgian_csv().splitlines(keepends=True)


def _duplicated_header() -> bytes:
    lines = _lines()
    head = lines[0].rstrip(b"\r\n")
    amount = next(c for c in head.split(b";") if c.lower().startswith(b"montant"))
    return b"".join(
        [head + b";" + amount + b"\r\n", *(r.rstrip(b"\r\n") + b";1\r\n" for r in lines[1:])]
    )


def _ragged() -> bytes:
    lines = _lines()
    return b"".join([*lines[:5], lines[5].rstrip(b"\r\n") + b";EXTRA\r\n", *lines[6:]])


def _mixed_encoding() -> bytes:
    """UTF-8 without a byte-order mark (with one, the file is refused as marked UTF-8), with
    accents, and one row saved from an old spreadsheet in Windows-1252."""
    lines = _lines()
    lines[0] = lines[0].removeprefix(b"\xef\xbb\xbf")
    text = lines[7].decode("utf-8")
    assert any(ord(ch) > 127 for ch in b"".join(lines).decode("utf-8"))
    return b"".join([*lines[:7], text.replace(text[20], "é").encode("cp1252"), *lines[8:]])


def _nul_after_the_first_kilobytes() -> bytes:
    lines = _lines()
    assert sum(len(r) for r in lines[:30]) > 4096
    return b"".join([*lines[:30], lines[30].replace(b";", b"\x00;", 1), *lines[31:]])


def _tiny_amount() -> bytes:
    lines = _lines()
    head = lines[0].decode("utf-8-sig").rstrip("\r\n").split(";")
    at = next(i for i, c in enumerate(head) if c.lower().startswith("montant"))
    cells = lines[3].decode("utf-8").rstrip("\r\n").split(";")
    cells[at] = "0,001"
    return b"".join([*lines[:3], (";".join(cells) + "\r\n").encode("utf-8"), *lines[4:]])


@pytest.mark.parametrize(
    ("make", "row", "said"),
    [
        (_duplicated_header, 1, "repeats"),
        (_ragged, 6, "more cells than the header"),
        (_mixed_encoding, 8, "not UTF-8 while the rest of the file is"),
        (_nul_after_the_first_kilobytes, 31, "NUL byte"),
        (_tiny_amount, 4, "not an amount"),
    ],
    ids=["duplicated-header", "extra-cell", "mixed-encoding", "nul-byte", "0,001"],
)
def test_a_csv_that_lost_or_corrupted_data_silently_is_refused_with_its_row(
    pristine: Path, tmp_path: Path, make: Callable[[], bytes], row: int, said: str
) -> None:
    """Issue 21, point 5: a duplicated header dropped its second column, an extra cell was
    dropped, a Windows-1252 row in a UTF-8 file was stored as mojibake, a NUL after the first
    4 KB was stored, `0,001` was stored as 1.00. Each is now refused, naming the row, and the
    database is left byte for byte as it was."""
    db = tmp_path / "ledger.duckdb"
    shutil.copy(pristine, db)
    before = db.read_bytes()
    path = tmp_path / "depenses.csv"
    path.write_bytes(make())
    with pytest.raises(UserError) as caught:
        import_expenses(db, PRODUCTION, [path])
    said_all = "\n".join(caught.value.lines())
    assert said in said_all, said_all
    assert f"row {row}" in said_all, said_all
    assert db.read_bytes() == before


def test_carriage_return_line_ends_are_read_right(pristine: Path, tmp_path: Path) -> None:
    db = tmp_path / "ledger.duckdb"
    shutil.copy(pristine, db)
    path = tmp_path / "mac.csv"
    path.write_bytes(belgian_csv().replace(b"\r\n", b"\r"))
    outcome = import_expenses(db, PRODUCTION, [path])
    assert outcome.files[0].rows_read == len(_lines()) - 1 == outcome.files[0].imported


def _rewrite_sheet(source: bytes, change: Callable[[bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            zout.writestr(item, data)
    return out.getvalue()


def test_a_declared_dimension_of_the_whole_sheet_costs_nothing(
    pristine: Path, tmp_path: Path
) -> None:
    """Issue 21, point 4: a 5 KB workbook declaring A1:XFD1048576 made the reader pad every row
    (580 MB for 3,000 rows). The declared dimension is not trusted: the file imports."""
    import re

    db = tmp_path / "ledger.duckdb"
    shutil.copy(pristine, db)
    path = tmp_path / "dimension.xlsx"
    path.write_bytes(
        _rewrite_sheet(
            xlsx_bytes(),
            lambda x: re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:XFD1048576"/>', x),
        )
    )
    outcome = import_expenses(db, PRODUCTION, [path])
    assert outcome.files[0].rows_read == len(belgian_csv().splitlines()) - 1


def test_a_cell_at_the_far_corner_is_refused_before_any_allocation(
    pristine: Path, tmp_path: Path
) -> None:
    """One cell at XFD1048576 makes a reader allocate the whole rectangle (half a terabyte: the
    process aborts). Its extent is measured from the XML first, and the file refused."""
    db = tmp_path / "ledger.duckdb"
    shutil.copy(pristine, db)
    before = db.read_bytes()
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    path = tmp_path / "far.xlsx"
    path.write_bytes(
        _rewrite_sheet(xlsx_bytes(), lambda x: x.replace(b"</sheetData>", far + b"</sheetData>"))
    )
    with pytest.raises(UserError, match="spans 1048576 rows and 16384 columns"):
        import_expenses(db, PRODUCTION, [path])
    assert db.read_bytes() == before
