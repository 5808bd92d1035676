"""Time the dashboard for the benchmark: Overview first render and the switch to each page.

Run as `python -m tests.bench.render_timing DB [--repeat N]`; prints JSON. Each run is a fresh
process, since a first render pays for loading the libraries and reading the database; the
figures are the median of N runs (3), each with the CPU time of its process beside the wall
time: on a busy machine the wall time of a run grows with the wait for a core, its CPU time does
not. Kept out of the core, which never imports Streamlit."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

APP = str(Path(__file__).resolve().parents[2] / "dashboards" / "app.py")
FIGURES = (
    "overview_first_render",
    "overview_first_render_cpu",
    "page_switch",
    "page_switch_cpu",
)


#: the page tour after the Overview: every page a producer or a financier opens
PAGES = (
    "views/cost_report.py",
    "views/financing.py",
    "views/funders.py",
    "views/expenses.py",
    "views/territories.py",
    "views/portfolio.py",
    "views/audit.py",
)


def once() -> dict[str, Any]:
    """One run in this process: the Overview's first render, then a switch to each page in turn
    (`page_switch` is the first, to the cost report; `page_switch_max` the slowest)."""
    from streamlit.testing.v1 import AppTest

    wall, cpu = time.perf_counter(), time.process_time()
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    first = (time.perf_counter() - wall, time.process_time() - cpu)
    pages: dict[str, tuple[float, float]] = {}
    for page in PAGES:
        wall, cpu = time.perf_counter(), time.process_time()
        at.switch_page(page)
        at.run()
        pages[Path(page).stem] = (time.perf_counter() - wall, time.process_time() - cpu)
    switch = pages["cost_report"]
    values = dict(zip(FIGURES, (*first, *switch), strict=True))
    values["page_switch_max"] = max(wall for wall, _ in pages.values())
    return {
        **values,
        "pages": {name: round(wall, 3) for name, (wall, _) in pages.items()},
        "errors": [str(e.value) for e in at.exception],
    }


def in_child() -> dict[str, Any]:
    """One run in a fresh process (this module with --once)."""
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.render_timing", os.environ["CINELEDGER_DB"], "--once"],
        check=True,
        capture_output=True,
        text=True,
    )
    run: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("db")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes (median of them)")
    parser.add_argument("--once", action="store_true", help="one run in this process")
    args = parser.parse_args(argv)
    os.environ["CINELEDGER_DB"] = args.db
    os.environ.setdefault("CINELEDGER_TODAY", "2026-11-22")
    if args.once:
        print(json.dumps(once()))
        return
    runs = [in_child() for _ in range(max(args.repeat, 1))]
    summary: dict[str, Any] = {
        f: statistics.median(r[f] for r in runs) for f in (*FIGURES, "page_switch_max")
    }
    summary["pages"] = {p: statistics.median(r["pages"][p] for r in runs) for p in runs[0]["pages"]}
    summary["runs"] = [{f: round(r[f], 3) for f in FIGURES} for r in runs]
    summary["errors"] = sorted({e for r in runs for e in r["errors"]})
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
