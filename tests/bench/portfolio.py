"""The portfolio benchmark: hundreds of productions in one database, checked in full.

A financier's database holds every production they finance. This loads `productions` copies of
the generated demo (each under its own id, `total` expenses in all, the demo's financing plan and
its receipts), then times the portfolio check (`run_checks`: every production in one pass, every
run stored) and the cash-flow plans of every production in one pass (`financing_views`, with the
rule statuses given, and with them evaluated), against the DuckDB floor (one aggregate scan of
all expenses by production and territory) and the plans computed production by production, both
measured in the same run. The load takes minutes at full size: `make bench` runs it only with
`--portfolio`.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from finance.demo.generate import write_demo
from finance.importers.budget import import_budget
from finance.importers.ingest import import_expenses
from finance.importers.receipts import import_receipts
from finance.store.db import connect
from finance.store.productions import add_production, get_manifest

#: the day the receipts are recorded on (the demo's date: none of them is later)
RECEIPTS_AT = date(2026, 11, 22)


#: what every other production adds to the demo's plan, so that the portfolio mixes all six
#: territorial funds (the demo has five): the Île-de-France region's aid for a majority
#: coproduction, with its shooting days (issue 22)
REGIONAL_LINE = {
    "scheme": "ile_de_france",
    "amount": "120000",
    "signed_on": date(2026, 4, 10),
    "strand": "majority",
}
SHOOTING_DAYS = [{"territory": "FR-75", "days": 9}, {"territory": "BE-WAL", "days": 31}]


def manifest_text(demo: str, pid: str, mixed: bool) -> str:
    """The demo's manifest under another id; `mixed`, with the sixth fund in its plan."""
    data = yaml.safe_load(demo)
    data["id"] = pid
    if mixed:
        data["financing"].append(REGIONAL_LINE)
        data["shooting_days"] = SHOOTING_DAYS
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def load_portfolio(work: Path, productions: int, total: int) -> tuple[Path, list[str], float]:
    """The database, the production ids, and the seconds the load took. Every other
    production has the sixth fund in its plan (manifest_text)."""
    files = write_demo(work / "portfolio-files", n_expenses=max(total // productions, 1))
    manifest = files["manifest"].read_text(encoding="utf-8")
    db = work / "portfolio.duckdb"
    ids = [f"prod-{i:04d}" for i in range(productions)]
    start = time.perf_counter()
    for i, pid in enumerate(ids):
        path = work / "portfolio-files" / f"{pid}.yaml"
        path.write_text(manifest_text(manifest, pid, i % 2 == 1), encoding="utf-8")
        add_production(db, path)
        import_budget(db, pid, files["budget"])
        import_expenses(db, pid, [files["expenses"]], skip_invalid=True)
        import_receipts(db, pid, files["receipts"], today=RECEIPTS_AT)
    return db, ids, time.perf_counter() - start


def portfolio_floor(db: Path) -> None:
    with connect(db, read_only=True) as con:
        con.sql(
            "SELECT e.production_id, t.territory, sum(e.amount) FROM expenses e "
            "JOIN territories t ON t.id = e.territory_id GROUP BY 1, 2"
        ).fetchall()


def run_portfolio(
    work: Path, productions: int, total: int, repeat: int, timed: Any, at: Any
) -> dict[str, Any]:
    """Load, then time the full portfolio check (every production) and the floor."""
    from finance.checks import run_checks

    db, ids, load_s = load_portfolio(work, productions, total)
    with connect(db, read_only=True) as con:
        stored = int(con.execute("SELECT count(*) FROM expenses").fetchall()[0][0])
        funds = sorted({f.scheme for pid in ids for f in get_manifest(con, pid).financing})

    def check_all() -> None:
        runs = run_checks(db, None, at)
        assert len(runs) == len(ids)

    return {
        "productions": productions,
        "expenses": stored,
        "funds": [str(f) for f in funds if f != "other"],
        "load_s": load_s,
        "check_all": timed(check_all, repeat),
        "duckdb_floor": timed(lambda: portfolio_floor(db), repeat),
        **cash_plans(db, ids, repeat, timed, at),
    }


def cash_plans(db: Path, ids: list[str], repeat: int, timed: Any, at: Any) -> dict[str, Any]:
    """Every production's cash-flow plan in one pass (`plan_all`, the rule statuses given;
    `plan_all_rules`, with them evaluated for all in one pass), and the baseline: the same plans
    one production at a time (`plan_one_by_one`, once)."""
    from finance.financing.run import financing_views, rule_statuses

    with connect(db, read_only=True) as con:
        manifests = [get_manifest(con, pid) for pid in ids]
        rules = rule_statuses(con, manifests, at)
        views = financing_views(con, manifests, at, rules)
        assert len(views) == len(ids)
        each = {m.id: rules.filter(pl.col("production_id") == m.id) for m in manifests}

        def one_by_one() -> None:
            for m in manifests:
                financing_views(con, [m], at, each[m.id])

        return {
            "plan_all": timed(lambda: financing_views(con, manifests, at, rules), repeat),
            "plan_all_rules": timed(
                lambda: financing_views(con, manifests, at, rule_statuses(con, manifests, at)),
                repeat,
            ),
            "plan_one_by_one": timed(one_by_one, 1),
            "plan_weeks": sum(v.weeks.height for v in views.values()),
        }
