"""The options file of `cineledger plan-spend`: where each remaining devis line could still be
spent, and at what price there (rules/README.md, "Territorial spend planner").

YAML:

    price_index: {FR-75: 1.15, BE-BRU: 1.05}   # optional: price levels of the territories (1
                                               # where not given); a line's price at T is
                                               # index(T) / index(its devis territory)
    lines:
      - code: "8.03"                           # a line of the current devis
        territories: [BE-WAL, BE-BRU]          # where else it could be spent
        factors: {BE-WAL: 0.95}                # optional: its price there as a multiple of its
                                               # devis price (wins over the index)

CSV (one row per line and territory): `code,territory,factor` (factor optional, default 1).

A line's devis territory is always one of its options, at its devis price (factor 1). Every
problem is collected (the row or field, the value, why) and raised at once as a UserError (the
CLI's exit 2), said in the reader's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from finance.domain import i18n
from finance.domain.codes import PLANNED_TERRITORY
from finance.domain.errors import Problem
from finance.domain.yamlfile import load_yaml
from finance.importers.tabular import read_csv_file

#: a price factor's bounds (a territory at a tenth or ten times the devis price is a typo)
FACTOR_MIN, FACTOR_MAX = Decimal("0.1"), Decimal("10")
_TERRITORY = re.compile(PLANNED_TERRITORY)
_CODE = re.compile(r"^0*(\d+)((\.[0-9A-Za-z]+)*)$")


@dataclass(frozen=True)
class LineOption:
    """One devis line's options: the territories it could move to, each with its price factor
    (None: from the price index, else 1); `where` says where the file gives it (row or field)."""

    code: str
    territories: tuple[str, ...]
    factors: dict[str, Decimal]
    where: str
    row: int | None = None


@dataclass(frozen=True)
class SpendOptions:
    """The options file read: its name, the lines' options and the territories' price index."""

    name: str
    lines: list[LineOption]
    price_index: dict[str, Decimal] = field(default_factory=dict)

    def factor(self, line: LineOption, territory: str, devis: str | None) -> Decimal:
        """The line's price in `territory` as a multiple of its devis price."""
        if territory == devis:
            return Decimal(1)
        if territory in line.factors:
            return line.factors[territory]
        base = self.price_index.get(devis or "", Decimal(1))
        return self.price_index.get(territory, Decimal(1)) / base


def normal_code(text: str) -> str:
    """`08.03` -> `8.03` (as the devis stores its codes)."""
    text = text.strip().replace(",", ".")
    found = _CODE.match(text)
    return f"{int(found.group(1))}{found.group(2)}" if found else text


class _Collect:
    def __init__(self, name: str, lang: str) -> None:
        self.name, self.lang = name, lang
        self.problems: list[Problem] = []

    def add(
        self, key: str, column: str, value: Any = None, row: int | None = None, **v: Any
    ) -> None:
        reason = i18n.text(f"plan.options.{key}", self.lang, **v)
        shown = None if value is None else str(value)
        self.problems.append(Problem(reason, self.name, row, column, shown))

    def territory(self, value: Any, column: str, row: int | None = None) -> str | None:
        text = str(value).strip().upper() if value is not None else ""
        if not _TERRITORY.match(text):
            self.add("territory", column, value, row)
            return None
        return text

    def factor(self, value: Any, column: str, row: int | None = None) -> Decimal | None:
        try:
            found = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            found = None
        if found is None or not found.is_finite() or not FACTOR_MIN <= found <= FACTOR_MAX:
            self.add("factor", column, value, row, low=FACTOR_MIN, high=FACTOR_MAX)
            return None
        return found

    def done(self) -> None:
        if self.problems:
            raise i18n.error("plan.options.invalid", self.problems, name=self.name)


def read_options(path: Path, lang: str = "en") -> SpendOptions:
    """The options file at `path` (YAML, or CSV by its extension), every problem at once."""
    if path.suffix.lower() == ".csv":
        return _from_csv(path, lang)
    return _from_yaml(path, lang)


def _from_yaml(path: Path, lang: str) -> SpendOptions:
    out = _Collect(path.name, lang)
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("lines"), list):
        out.add("no_lines", "lines")
        out.done()
    assert isinstance(data, dict)
    index: dict[str, Decimal] = {}
    raw_index = data.get("price_index") or {}
    if not isinstance(raw_index, dict):
        out.add("mapping", "price_index")
        raw_index = {}
    for key, value in raw_index.items():
        t = out.territory(key, f"price_index.{key}")
        f = out.factor(value, f"price_index.{key}")
        if t and f is not None:
            index[t] = f
    unknown = sorted(set(data) - {"price_index", "lines", "production"})
    for key in unknown:
        out.add("unknown_field", str(key))
    lines = [_yaml_line(out, i, entry) for i, entry in enumerate(data["lines"], start=1)]
    out.done()
    return SpendOptions(path.name, _no_repeats(out, [x for x in lines if x]), index)


def _yaml_line(out: _Collect, i: int, entry: Any) -> LineOption | None:
    where = f"lines[{i}]"
    if not isinstance(entry, dict) or "code" not in entry:
        out.add("line", where)
        return None
    code = normal_code(str(entry["code"]))
    territories = entry.get("territories")
    if isinstance(territories, str):  # one territory written without brackets
        territories = [territories]
    if not isinstance(territories, list) or not territories:
        out.add("territories", f"{where}.territories", territories)
        territories = []
    found = [out.territory(t, f"{where}.territories") for t in territories]
    factors: dict[str, Decimal] = {}
    raw = entry.get("factors") or {}
    if not isinstance(raw, dict):
        out.add("mapping", f"{where}.factors")
        raw = {}
    for key, value in raw.items():
        t = out.territory(key, f"{where}.factors")
        f = out.factor(value, f"{where}.factors.{key}")
        if t and f is not None:
            factors[t] = f
            if t not in found:
                out.add("factor_unlisted", f"{where}.factors", key)
    for key in sorted(set(entry) - {"code", "territories", "factors", "label"}):
        out.add("unknown_field", f"{where}.{key}")
    kept = tuple(dict.fromkeys(t for t in found if t))
    return LineOption(code, kept, factors, where)


def _from_csv(path: Path, lang: str) -> SpendOptions:
    out = _Collect(path.name, lang)
    frame, _, _, _ = read_csv_file(path)
    columns = {c.strip().lower(): c for c in frame.columns}
    for needed in ("code", "territory"):
        if needed not in columns:
            out.add("column", needed)
    out.done()
    by_code: dict[str, tuple[list[str], dict[str, Decimal], int]] = {}
    factor_col = columns.get("factor")
    for n, row in enumerate(frame.iter_rows(named=True), start=2):
        code = normal_code(str(row[columns["code"]] or ""))
        if not code:
            out.add("required", "code", None, n)
            continue
        t = out.territory(row[columns["territory"]], "territory", n)
        raw = row[factor_col] if factor_col else None
        f = out.factor(raw, "factor", n) if raw not in (None, "") else None
        entry = by_code.setdefault(code, ([], {}, n))
        if t:
            if t in entry[0]:
                out.add("repeated_territory", "territory", t, n)
            entry[0].append(t)
            if f is not None:
                entry[1][t] = f
    out.done()
    lines = [
        LineOption(code, tuple(ts), fs, f"row {n}", n) for code, (ts, fs, n) in by_code.items()
    ]
    return SpendOptions(path.name, lines)


def _no_repeats(out: _Collect, lines: list[LineOption]) -> list[LineOption]:
    seen: set[str] = set()
    for line in lines:
        if line.code in seen:
            out.add("repeated_line", f"{line.where}.code", line.code)
        seen.add(line.code)
    out.done()
    return lines
