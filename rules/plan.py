"""The plan rows: what a production's eligibility depends on besides its expenses, one row per
production, joined to its expenses by production_id.

A scheme's tests are the same SQL for every production (the pack's data); what differs between
productions is the spending window of each financing line, the producer-fee cap ratio and the
hotel caps, resolved on each production's signing dates. Putting those in a small table lets one
query evaluate a whole portfolio, and a single production's check is the same query over a
one-row table: one code path. A production without a scheme has no window for it (NULL), so
its expenses count for nothing there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from finance.store.sql import literal
from rules.eligibility import SchemeTests, SchemeValues, col, scheme_tests
from rules.model import Pack

#: the SQL type of the plan's ratios and caps (exact: a value with more decimals is refused)
RATIO = "DECIMAL(18,6)"
_OPEN_START, _OPEN_END = date(1, 1, 1), date(9999, 12, 31)


@dataclass(frozen=True)
class Plan:
    """The SQL of a set of productions' eligibility: each scheme's tests (`specs`, in pack
    order), the `plan` CTE (one row per production) and `scope`, the condition on production_id
    that keeps their expenses."""

    specs: list[SchemeTests]
    cte: str
    scope: str


def _day(value: date | None, typed: str = "DATE") -> str:
    return literal(value) if value else f"NULL::{typed}"


def _ratio(value: Decimal | None) -> str:
    if value is None:
        return f"NULL::{RATIO}"
    if value != value.quantize(Decimal("0.000001")):
        raise ValueError(f"{value}: a plan ratio or cap has more than 6 decimals")
    return f"CAST({literal(str(value))} AS {RATIO})"


def _money(value: Decimal | None) -> str:
    """An amount of the plan row (what an agreement is filled up to), exact."""
    if value is None:
        return "NULL::DECIMAL(18,2)"
    return f"CAST({literal(format(value.quantize(Decimal('0.01')), 'f'))} AS DECIMAL(18,2))"


def _cells(spec: SchemeTests, count: int, values: SchemeValues | None) -> list[tuple[str, str]]:
    """(column, SQL value) of one scheme in one production's row."""
    wins = values.windows if values else []
    cells = []
    for k in range(1, count + 1):
        w = wins[k - 1] if k <= len(wins) else None
        cells += [
            (col(spec.scheme, f"seq{k}"), f"{w.seq}::INTEGER" if w else "NULL::INTEGER"),
            (col(spec.scheme, f"lo{k}"), _day(w.start or _OPEN_START) if w else _day(None)),
            (col(spec.scheme, f"hi{k}"), _day(w.end or _OPEN_END) if w else _day(None)),
            (col(spec.scheme, f"signed{k}"), _day(w.signed_on if w else None)),
        ]
        if spec.fill:
            cells.append((col(spec.scheme, f"need{k}"), _money(w.fill if w else None)))
    if spec.fee_cap:
        cells.append((col(spec.scheme, "fee_ratio"), _ratio(values.fee_cap if values else None)))
    if spec.dated_exclusions:
        found = values.excluded if values else None
        cells.append(
            (
                col(spec.scheme, "excluded"),
                "NULL::VARCHAR[]" if found is None else f"{literal(found)}::VARCHAR[]",
            )
        )
    if spec.hotel:
        paris, other = values.hotel if values and values.hotel else (None, None)
        cells += [
            (col(spec.scheme, "hotel_paris"), _ratio(paris)),
            (col(spec.scheme, "hotel_other"), _ratio(other)),
        ]
    return cells


def build_plan(values: Mapping[str, Mapping[str, SchemeValues]], packs: Mapping[str, Pack]) -> Plan:
    """The plan of the productions in `values` (production id -> scheme -> its values), over the
    territorial schemes any of them has; `packs` gives the schemes' order and tests."""
    schemes = {s for per in values.values() for s in per}
    counts = {s: max(len(per[s].windows) for per in values.values() if s in per) for s in schemes}
    specs = [scheme_tests(p, counts[s]) for s, p in packs.items() if s in schemes]
    rows, names = [], ["production_id"]
    for pid, per in values.items():
        cells = [
            c for spec in specs for c in _cells(spec, counts[spec.scheme], per.get(spec.scheme))
        ]
        names = ["production_id", *(name for name, _ in cells)]
        rows.append("(" + ", ".join([literal(pid), *(v for _, v in cells)]) + ")")
    if not rows:
        rows = ["(NULL::VARCHAR)"]
    cte = f"plan AS (SELECT * FROM (VALUES {', '.join(rows)}) AS p({', '.join(names)}))"
    ids = ", ".join(literal(pid) for pid in values) or "NULL"
    return Plan(specs, cte, f"production_id IN ({ids})")
