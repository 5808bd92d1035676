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
    outcome = import_expenses(db, PRODUCTION, [path])
    assert (outcome.files[0].rows_read, outcome.files[0].imported) == (0, 0)


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
