"""The allocation of the invoices to the obligations (issue 20) in the benchmark: its time with
the check's results given (what the check adds), beside its baseline measured in the same run
(reading the same expense x obligation matrix from DuckDB with the naive allocation, before the
solver), and the optimality gap of rounding to whole invoices; its peak memory in a child
process (`python -m tests.bench.allocation DB`).

Issue 20's targets: at most 5 s at 100,000 expenses and four schemes, at most 30 s and 2 GB at
a million."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from finance.store.db import connect
from finance.store.productions import get_manifest
from rules.allocation import allocate, allocation_problem
from rules.setwise import evaluate_all

AT = date(2026, 11, 22)
PRODUCTION = "dernier-tram"


def bench_allocation(
    db: Path,
    repeat: int,
    timed: Callable[[Callable[[], object], int], dict[str, float]],
    child: Callable[[list[str], Path], tuple[float, float]],
    work: Path,
) -> dict[str, Any]:
    """The allocation at this size: `allocate` (results given), its baseline (`read`: the
    problem read, naive allocation included, no solver), the figures of the answer (claims,
    expenses moved, split, weighted shortfall, the relaxation's bound and the gap) and the peak
    memory of a process that evaluates the rules and allocates (`peak_mb`, `process`: its time)."""
    with connect(db, read_only=True) as con:
        results = evaluate_all(con, [get_manifest(con, PRODUCTION)], AT)[0]
        a = allocate(con, PRODUCTION, AT, results)
        alloc = timed(lambda: allocate(con, PRODUCTION, AT, results), repeat)
        read = timed(lambda: allocation_problem(con, PRODUCTION, AT, results), repeat)
    process, peak = child(["tests.bench.allocation", str(db)], work)
    gap = a.gap
    return {
        "allocate": alloc,
        "read": read,
        "claims": len(a.claims),
        "moved": a.moves.height,
        "split": int(a.moves["split"].sum()) if a.moves.height else 0,
        "shortfall": str(a.shortfall),
        "bound": str(a.bound),
        "gap": str(gap),
        "gap_pct": float(gap / a.bound * 100) if a.bound else 0.0,
        "double_counted": str(a.double_counted),
        "peak_mb": peak,
        "process": process,
    }


def _main(db: str) -> None:
    with connect(Path(db), read_only=True) as con:
        allocate(con, PRODUCTION, AT)


if __name__ == "__main__":
    _main(sys.argv[1])
