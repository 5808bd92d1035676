"""Time the dashboard for the benchmark: Overview first render and a page switch (AppTest).

Run as `python -m dashboards.render_timing DB`; prints JSON. Kept out of the core, which never
imports Streamlit."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent / "app.py")


def main() -> None:
    os.environ["CINELEDGER_DB"] = sys.argv[1]
    os.environ.setdefault("CINELEDGER_TODAY", "2026-11-22")
    start = time.perf_counter()
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    first = time.perf_counter() - start
    start = time.perf_counter()
    at.switch_page("views/cost_report.py")
    at.run()
    switch = time.perf_counter() - start
    errors = [str(e.value) for e in at.exception]
    print(json.dumps({"overview_first_render": first, "page_switch": switch, "errors": errors}))


if __name__ == "__main__":
    main()
