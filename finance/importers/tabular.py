"""Read a spreadsheet-like file as text cells, with row numbers as the user sees them.

No type inference happens here: every cell stays text (an XLSX number becomes its shortest exact
decimal text, a date its ISO form), so typing and validation are one place (finance.domain.parsing).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from finance.domain import i18n
from finance.domain.errors import Problem
from finance.domain.parsing import map_headers
from finance.domain.uniques import select_by_distinct
from finance.importers import cii

CSV_SUFFIXES = {".csv", ".txt", ".tsv", ".fec"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
DELIMITERS = (";", ",", "\t", "|")
MAX_COLUMNS = 500
MAX_XLSX_INFLATED = 512 * 2**20  # a million-row export is ~250 MB unpacked


@dataclass(frozen=True)
class RawTable:
    """Text cells (`frame`, original headers plus `_row`) and where they came from."""

    frame: pl.DataFrame
    file: str
    sheet: str | None
    encoding: str | None
    delimiter: str | None
    sha256: str


def decode(data: bytes, name: str = "file") -> tuple[str, str]:
    """UTF-8 (with or without BOM) when it decodes strictly, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise i18n.error("error.file.bom_byte", name=name, byte=str(exc.start + 3)) from None
    try:
        return data.decode("utf-8", errors="strict"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def sniff_delimiter(text: str) -> str:
    """The separator of the header line among `;`, `,` and tab (quotes respected)."""
    first = next((line for line in text[:65536].splitlines() if line.strip()), "")
    counts = {d: len(next(csv.reader([first], delimiter=d), [])) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 1 else ","


def _row_numbers(frame: pl.DataFrame) -> pl.Expr:
    """Spreadsheet row of each record: header is row 1; quoted line breaks push later rows down."""
    if not frame.columns:
        return pl.lit(2, pl.Int64)
    breaks = pl.sum_horizontal(
        pl.col(c).str.count_matches("\n").fill_null(0) for c in frame.columns
    )
    return (
        pl.int_range(pl.len(), dtype=pl.Int64) + 2 + breaks.cum_sum().shift(1, fill_value=0)
    ).alias("_row")


def refuse_repeated_headers(keys: list[str], name: str) -> None:
    """Refuse a header row naming a column twice (case-folded keys): every repeat named."""
    dupes = sorted(k for k, n in Counter(keys).items() if n > 1)
    if dupes:
        raise i18n.error(
            "error.file.repeated_headers",
            [Problem("duplicated column header", name, 1, d) for d in dupes],
            name=name,
            headers=", ".join(repr(d) for d in dupes),
        )


def _finish(frame: pl.DataFrame, name: str, quoted: bool = True) -> pl.DataFrame:
    """Check headers, trim cells, blank -> null, number rows, drop empty rows."""
    headers = [c.strip() for c in frame.columns]
    if not headers or all(not h for h in headers):
        raise i18n.error("error.file.no_header", name=name)
    refuse_repeated_headers([h.lower() for h in headers], name)
    frame = frame.rename(dict(zip(frame.columns, headers, strict=True)))
    rows = (
        _row_numbers(frame)
        if quoted
        else (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("_row")
    )
    # trimmed on each distinct value of a column that repeats (a clean column is kept as is)
    cells = select_by_distinct(
        frame, [pl.col(c).str.strip_chars().replace("", None).alias(c) for c in headers]
    )
    frame = cells.hstack(frame.select(rows))
    return frame.filter(~pl.all_horizontal(pl.col(c).is_null() for c in headers))


def _header_cells(first: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([first.rstrip("\r\n")], delimiter=delimiter), [])
    except csv.Error:
        return first.rstrip("\r\n").split(delimiter)


def _refuse_mixed(path: Path, name: str) -> None:
    """A UTF-8 file with rows in another encoding (a row pasted from an old spreadsheet): read
    as Windows-1252, its UTF-8 rows turned to mojibake. The rows that are not UTF-8 are named.
    Reached only for such a file, so its line-by-line pass costs nothing on the others."""
    bad = []
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                bad.append(Problem("not UTF-8 while the rest of the file is", name, number))
    raise i18n.error("error.file.mixed_encoding", bad[:50], name=name, count=str(len(bad)))


def _refuse_repeated(first: str, delimiter: str, name: str) -> None:
    """A header named twice, as written (the parser renames the second copy, and its column was
    then silently left out)."""
    cells = (c.strip().lstrip("\ufeff").lower() for c in _header_cells(first, delimiter))
    refuse_repeated_headers([c for c in cells if c], name)


def _refuse_ragged(source: Path | bytes, delimiter: str, first: str, name: str) -> None:
    """Name the rows with more cells than the header (read line by line as one text column,
    separators inside quotes left out), and refuse the file: a cell beyond the header was
    silently dropped."""
    width = len(_header_cells(first, delimiter))
    lines = pl.read_csv(
        source,
        has_header=False,
        separator="\x1f",
        quote_char=None,
        infer_schema=False,
        new_columns=["line"],
        truncate_ragged_lines=True,
    )
    cells = (
        pl.col("line").str.replace_all(r'"[^"]*"', "").str.count_matches(delimiter, literal=True)
        + 1
    )
    extra = lines.with_row_index("_row", offset=1).filter(cells > width)
    problems = [
        Problem(f"more cells than the header has ({width})", name, int(r)) for r in extra["_row"]
    ]
    if problems:
        raise i18n.error("error.file.ragged", problems[:50], name=name, count=str(len(problems)))


def _refuse_too_wide(first: str, delimiter: str, name: str) -> None:
    """Count the header's cells before parsing: a file with a million columns would otherwise
    cost seconds and a gigabyte before being refused."""
    try:
        width = len(next(csv.reader([first.rstrip("\r\n")], delimiter=delimiter), []))
    except csv.Error:  # a stray carriage return or NUL: count separators instead
        width = first.count(delimiter) + 1
    if width > MAX_COLUMNS:
        raise i18n.error(
            "error.file.too_many_columns", name=name, width=str(width), limit=str(MAX_COLUMNS)
        )


#: a UTF-8 encoded accented letter or symbol (two bytes: lead 0xC2-0xDF, then a continuation)
UTF8_ACCENT = re.compile(rb"[\xc2-\xdf][\x80-\xbf]")


@dataclass(frozen=True)
class _Scan:
    """What one streaming pass over a text file learns, without holding the file in memory."""

    sha256: str
    utf8: bool  # decodes strictly as UTF-8
    head: bytes  # the first 64 KB, for sniffing
    lines: int  # records plus line breaks inside quoted cells
    quotes: bool
    size: int
    nul_line: int | None = None  # the line of the first NUL byte, if any
    utf8_sequences: bool = False  # holds UTF-8 encoded accents (a file of mixed encodings?)


#: digests already computed in this process, by (path, size, modification time): an import
#: hashes each file to skip those already imported, then reads it; the bytes are hashed once
_DIGESTS: dict[tuple[str, int, int], str] = {}


def _digest_key(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path.resolve()), stat.st_size, stat.st_mtime_ns


def file_sha256(path: Path) -> str:
    """Hash of the file bytes: the identity of an import."""
    key = _digest_key(path)
    if key not in _DIGESTS:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        _DIGESTS[key] = digest.hexdigest()
    return _DIGESTS[key]


def _scan(path: Path) -> _Scan:
    """Hash (unless known already), UTF-8 check, line count and head of a file, in 4 MB chunks."""
    key = _digest_key(path)
    known = _DIGESTS.get(key)
    digest, decoder = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")()
    head, lines, quotes, utf8, size, last = b"", 0, False, True, 0, b"\n"
    nul_line: int | None = None
    sequences = False
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            if known is None:
                digest.update(chunk)
            if nul_line is None and b"\x00" in chunk:
                nul_line = lines + chunk[: chunk.index(b"\x00")].count(b"\n") + 1
            sequences = sequences or UTF8_ACCENT.search(chunk) is not None
            head += chunk[: max(0, 65536 - len(head))]
            lines += chunk.count(b"\n")
            quotes = quotes or b'"' in chunk
            size, last = size + len(chunk), chunk[-1:]
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    sha = known or _DIGESTS.setdefault(key, digest.hexdigest())
    return _Scan(sha, utf8, head, lines + (last != b"\n"), quotes, size, nul_line, sequences)


def _first_line(path: Path, encoding: str) -> str:
    """The first non-blank line, however long (a million-column header included)."""
    with path.open("rb") as fh:
        for raw in fh:
            line = raw.decode(encoding, errors="replace").lstrip("\ufeff")
            if line.strip():
                return line
    return ""


def read_csv_file(path: Path) -> tuple[pl.DataFrame, str, str, str]:
    """(text cells, encoding, delimiter, sha256) of a CSV file, every cell as a string.

    UTF-8 files (with or without BOM) are parsed by polars straight from disk; others are read as
    Windows-1252. Only a file with quotes and more lines than records holds a line break inside a
    cell: the others skip the row-number correction, which costs a pass over every cell."""
    name = path.name
    scan = _scan(path)
    if b"\x00" in scan.head[:4096]:
        raise i18n.error("error.file.binary", name=name)
    if scan.nul_line is not None:  # a NUL further down was stored as it was
        problem = Problem("a NUL byte (a binary character) in the row", name, scan.nul_line)
        raise i18n.error("error.file.nul_byte", [problem], name=name, row=str(scan.nul_line))
    if not scan.utf8 and scan.utf8_sequences:
        _refuse_mixed(path, name)
    bom = scan.head.startswith(b"\xef\xbb\xbf")
    if bom and not scan.utf8:
        raise i18n.error("error.file.bom_not_utf8", name=name)
    encoding = ("utf-8-sig" if bom else "utf-8") if scan.utf8 else "cp1252"
    head = scan.head.decode("utf-8" if scan.utf8 else "cp1252", errors="ignore").lstrip("\ufeff")
    if not re.search(r"\S", head) and scan.size <= len(scan.head):
        raise i18n.error("error.file.empty", name=name)
    delimiter = sniff_delimiter(head)
    # records ended by a carriage return alone (KBC's CSV export does so): read as line feeds
    cr_only = b"\r" in scan.head and b"\n" not in scan.head
    first = (
        next((line for line in head.split("\r") if line.strip()), "")
        if cr_only
        else _first_line(path, "utf-8" if scan.utf8 else "cp1252")
    )
    _refuse_too_wide(first, delimiter, name)
    source: Path | bytes = (
        path if scan.utf8 else path.read_bytes().decode("cp1252", errors="replace").encode()
    )
    if cr_only:
        source = (path.read_bytes() if isinstance(source, Path) else source).replace(b"\r", b"\n")
    _refuse_repeated(first, delimiter, name)
    try:
        frame = pl.read_csv(
            source,
            separator=delimiter,
            infer_schema=False,
            truncate_ragged_lines=False,  # a cell beyond the header is refused, never dropped
            quote_char='"',
        )
    except pl.exceptions.ComputeError as exc:
        if "more fields" not in str(exc):
            raise i18n.error(
                "error.file.csv_unreadable", name=name, detail=str(exc).splitlines()[0]
            ) from None
        _refuse_ragged(source, delimiter, first, name)
        detail = str(exc).splitlines()[0]  # the rows could not be named: the parser's words
        raise i18n.error("error.file.csv_unreadable", name=name, detail=detail) from None
    except (pl.exceptions.PolarsError, ValueError, OSError) as exc:
        detail = str(exc).splitlines()[0]
        raise i18n.error("error.file.csv_unreadable", name=name, detail=detail) from None
    if frame.width > MAX_COLUMNS:
        raise i18n.error(
            "error.file.too_many_columns", name=name, width=str(frame.width), limit=str(MAX_COLUMNS)
        )
    multiline = scan.quotes and scan.lines > frame.height + 1
    return _finish(frame, name, quoted=multiline), encoding, delimiter, scan.sha256


def _refuse_zip_bomb(path: Path) -> None:
    """An XLSX is a zip: refuse one that would inflate beyond MAX_XLSX_INFLATED before opening."""
    try:
        with zipfile.ZipFile(path) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise i18n.error("error.file.xlsx_not_zip", name=path.name) from None
    if inflated > MAX_XLSX_INFLATED:
        raise i18n.error(
            "error.file.xlsx_bomb",
            name=path.name,
            size=str(inflated // 2**20),
            limit=str(MAX_XLSX_INFLATED // 2**20),
        )


#: the most rows and cells a sheet may span (its cells' positions, read before any allocation)
MAX_XLSX_ROWS = 2_000_000
MAX_XLSX_CELLS = 40_000_000
#: a cell's and a row's position in a sheet's XML
CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,8})"')
ROW_REF = re.compile(rb'<row\b[^>]*?\br="([0-9]{1,8})"')


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _sheet_extent(archive: zipfile.ZipFile, member: str) -> tuple[int, int]:
    """(rows, columns) a sheet's cells span, from their positions in its XML, streamed: a reader
    allocates the whole rectangle up to the farthest cell (one cell at XFD1048576 is 17 billion
    cells), so it is measured before any reader opens the sheet. Its declared dimension is not
    trusted."""
    rows = cols = 0
    tail = b""
    with archive.open(member) as fh:
        while chunk := fh.read(1 << 22):
            text = tail + chunk
            for letters, number in CELL_REF.findall(text):
                cols = max(cols, _column_number(letters))
                rows = max(rows, int(number))
            for number in ROW_REF.findall(text):
                rows = max(rows, int(number))
            tail = text[-256:]
    return rows, cols


def _refuse_sheet_bomb(path: Path) -> None:
    """Every sheet's extent within the limits, or a clear refusal before allocation."""
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = [n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n)]
            extents = [_sheet_extent(archive, member) for member in sheets]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise i18n.error(
            "error.file.sheet_damaged", name=path.name, detail=type(exc).__name__
        ) from None
    for rows, cols in extents:
        if rows > MAX_XLSX_ROWS or cols > MAX_COLUMNS or rows * cols > MAX_XLSX_CELLS:
            raise i18n.error(
                "error.file.xlsx_extent",
                name=path.name,
                rows=str(rows),
                columns=str(cols),
                limit=f"{MAX_XLSX_ROWS} x {MAX_COLUMNS}",
            )


def _load_sheet(path: Path, sheet: str | None) -> tuple[pl.DataFrame, str]:
    """The sheet's cells as text (calamine through fastexcel), with its title."""
    import fastexcel  # imported here: only XLSX imports pay for it

    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # the reader raises its own types for a bad file
        raise i18n.error(
            "error.file.xlsx_unreadable", name=path.name, detail=type(exc).__name__
        ) from None
    names = list(reader.sheet_names)
    if sheet is not None and sheet not in names:
        raise i18n.error(
            "error.file.no_sheet", name=path.name, sheet=repr(sheet), sheets=", ".join(names)
        )
    title = sheet if sheet is not None else (names[0] if names else "")
    try:
        cells = reader.load_sheet(title, header_row=None, dtypes="string").to_polars()
    except Exception as exc:  # a damaged sheet: zip, XML or value errors of many types
        raise i18n.error(
            "error.file.sheet_damaged", name=path.name, detail=type(exc).__name__
        ) from None
    # a date cell reads `2026-03-01 00:00:00`: the day alone when it has no time, as typed
    return cells.with_columns(pl.all().str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", "$1")), title


def read_xlsx(path: Path, sheet: str | None) -> tuple[pl.DataFrame, str]:
    """First sheet (or `sheet`) of a workbook; the header is the first non-empty row."""
    _refuse_zip_bomb(path)
    _refuse_sheet_bomb(path)
    cells, title = _load_sheet(path, sheet)
    if cells.width == 0 or cells.height == 0:
        raise i18n.error("error.file.sheet_empty", name=path.name, sheet=repr(title))
    # the header is the first row with three or more cells: titles and notes above it are skipped
    filled = cells.select(
        pl.sum_horizontal(
            pl.col(c).str.strip_chars().replace("", None).is_not_null() for c in cells.columns
        )
    ).to_series()
    most = filled.max()
    needed = min(3, most if isinstance(most, int) else 0)
    hits = (filled >= needed).arg_true() if needed else pl.Series([], dtype=pl.UInt32)
    if hits.is_empty():
        raise i18n.error("error.file.sheet_empty", name=path.name, sheet=repr(title))
    start = int(hits[0])
    header = [str(h or "").strip() for h in cells.row(start)]
    keep = [i for i, h in enumerate(header) if h]
    names = [header[i] for i in keep]
    if len(set(names)) < len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        repeated = ", ".join(repr(d) for d in dupes)
        raise i18n.error("error.file.repeated_headers", name=path.name, headers=repeated)
    body = cells.slice(start + 1).select(pl.col(cells.columns[i]).alias(header[i]) for i in keep)
    frame = body.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + start + 2).alias("_row"))
    frame = frame.with_columns(pl.col(c).str.strip_chars().replace("", None) for c in names)
    return frame.filter(~pl.all_horizontal(pl.col(c).is_null() for c in names)), title


def read_table(path: Path, sheet: str | None = None) -> RawTable:
    """Any supported file as text cells with provenance; a UserError says what is wrong."""
    suffix = path.suffix.lower()
    kind = cii.kind_of(path)
    if kind is not None:
        raise i18n.error(f"error.file.einvoice.{kind}", name=path.name)
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        raise i18n.error("error.file.unsupported", name=path.name, suffix=suffix or "(none)")
    if not path.is_file():
        raise i18n.error("error.file.not_found", name=path.name)
    try:
        if suffix in XLSX_SUFFIXES:
            sha = file_sha256(path)
            frame, title = read_xlsx(path, sheet)
            return RawTable(frame, path.name, title, None, None, sha)
        frame, encoding, delimiter, sha = read_csv_file(path)
    except OSError as exc:
        raise i18n.error(
            "error.file.cannot_read", name=path.name, detail=str(exc.strerror)
        ) from None
    return RawTable(frame, path.name, None, encoding, delimiter, sha)


def read_header(path: Path) -> list[str]:
    """The header row only (format detection must not read a million rows twice)."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        return [c for c in read_xlsx(path, None)[0].columns if c != "_row"]
    with path.open("rb") as fh:
        head = fh.read(65536)
    text, _ = (
        decode(head[: head.rfind(b"\n") + 1] or head, path.name)
        if b"\n" in head
        else decode(head, path.name)
    )
    first = next((line for line in text.splitlines() if line.strip()), "")
    return [c.strip() for c in next(csv.reader([first], delimiter=sniff_delimiter(first)), [])]


def raw_columns(
    table: RawTable,
    aliases: Mapping[str, Sequence[str]],
    required: Sequence[str],
    optional: Sequence[str],
    headers_error: str,
) -> pl.DataFrame:
    """`_row` and one `raw_<column>` text column per canonical column (those the file does not
    have are null): the file's headers mapped in French, Dutch or English; a UserError
    (`headers_error`) lists a required column missing or two meaning the same."""
    mapping, problems = map_headers(
        [c for c in table.frame.columns if c != "_row"], aliases, required, table.file
    )
    if problems:
        raise i18n.error(headers_error, problems, name=table.file)
    raw = table.frame.select("_row", *(pl.col(s).alias(f"raw_{d}") for s, d in mapping.items()))
    return raw.with_columns(
        pl.lit(None, pl.String).alias(f"raw_{c}")
        for c in (*required, *optional)
        if f"raw_{c}" not in raw.columns
    )
