"""The shooting schedule: days of principal photography by territory.

A manifest gives them as a short list (`shooting_days: [{territory: FR-75, days: 8}, ...]`) or
names a CSV shooting schedule (`shooting_schedule: shooting.csv`, next to the manifest), one row
per shooting day: its date and the territory where the unit shot (`date;territory`, French,
Dutch or English headers, `;` or `,`). A date listed in several territories (a unit move) counts
once in the total and is shared equally between them, so the days by territory always add up to
the number of shooting days. The schedule is read when the manifest is loaded and kept in the
stored manifest as the list, so a check never reads the file again.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

from finance.domain.codes import PLANNED_TERRITORY
from finance.domain.errors import Problem
from finance.domain.parsing import normalize_header

#: the largest shooting schedule read (rows): a feature shoots for weeks, not years
MAX_ROWS = 5000
#: accepted headers of the two columns, normalised (finance.domain.parsing.normalize_header)
HEADERS = {
    "date": {"date", "jour", "datum", "day", "dag", "shooting_date", "date_de_tournage"},
    "territory": {"territory", "territoire", "territorium", "region", "regio", "gewest"},
}
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$|^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _day(text: str) -> date | None:
    """An ISO date or a Belgian/French one (31/12/2026), else None."""
    m = _DAY.match(text.strip())
    if not m:
        return None
    y, mo, d = (m[1], m[2], m[3]) if m[1] else (m[6], m[5], m[4])
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:
        return None


def _columns(header: list[str]) -> dict[str, int]:
    """Where the date and the territory are in the header row."""
    found = {}
    for i, name in enumerate(header):
        for canonical, names in HEADERS.items():
            if normalize_header(name) in names and canonical not in found:
                found[canonical] = i
    return found


def _rows(text: str) -> list[list[str]]:
    """The non-empty rows, split on `;` (Belgian and French spreadsheets) unless the header
    has more commas."""
    header = text.split("\n", 1)[0]
    delimiter = "," if header.count(",") > header.count(";") else ";"
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return [row for row in reader if any(cell.strip() for cell in row)]


def read_schedule(path: Path) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The shooting days by territory of a CSV shooting schedule, or its problems (each row
    named): a date that is no date, a territory that is no territory code, a row with a cell
    missing, no rows at all."""
    name = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(f"cannot read the shooting schedule ({exc.__class__.__name__})", name)]
    rows = _rows(text)
    if len(rows) > MAX_ROWS + 1:
        return [], [Problem(f"more than {MAX_ROWS} shooting days", name)]
    cols = _columns(rows[0]) if rows else {}
    if len(cols) < 2:
        return [], [Problem("the header needs a date and a territory column", name, row=1)]
    days: list[tuple[date, str]] = []
    problems = []
    for number, row in enumerate(rows[1:], start=2):
        cells = [row[cols[c]].strip() if cols[c] < len(row) else "" for c in ("date", "territory")]
        day, territory = _day(cells[0]), cells[1].upper()
        if day is None:
            problems.append(Problem("not a date", name, row=number, column="date", value=cells[0]))
        elif not re.match(PLANNED_TERRITORY, territory):
            problems.append(
                Problem(
                    "not a territory (BE-BRU, BE-WAL, BE-VLG, FR-<dept>, EEA, OTHER)",
                    name,
                    row=number,
                    column="territory",
                    value=cells[1],
                )
            )
        else:
            days.append((day, territory))
    if not days and not problems:
        problems.append(Problem("no shooting day in the schedule", name))
    return (by_territory(days) if not problems else []), problems


def by_territory(days: list[tuple[date, str]]) -> list[dict[str, Any]]:
    """(date, territory) rows as days by territory: a date in n territories counts 1/n in each
    (rounded to the hundredth, the last territory taking the rest so the date adds up to 1)."""
    unique = sorted(set(days))
    per_date = Counter(d for d, _ in unique)
    seen: Counter[date] = Counter()
    totals: dict[str, Decimal] = {}
    for d, territory in unique:
        seen[d] += 1
        n = per_date[d]
        share = (Decimal(1) / n).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
        if seen[d] == n:
            share = Decimal(1) - share * (n - 1)
        totals[territory] = totals.get(territory, Decimal(0)) + share
    return [{"territory": t, "days": totals[t]} for t in sorted(totals)]
