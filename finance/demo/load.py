"""`cineledger demo`: the bundled demo production in a fresh database, in one step."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from finance import DATA_DIR
from finance.domain import i18n
from finance.importers.budget import import_budget
from finance.importers.ingest import import_expenses
from finance.importers.receipts import import_receipts
from finance.importers.suppliers import import_suppliers
from finance.store import queries
from finance.store.productions import add_production

DEMO_DIR = DATA_DIR / "demo"
DEMO_ID = "dernier-tram"
#: The demo's reference date: the production is in post-production, obligations still open.
DEMO_AT = date(2026, 11, 22)


def _refuse_foreign_data(db: Path) -> None:
    """A fresh database replaces the file: never one holding other productions."""
    if not db.exists():
        return
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        raise i18n.error("error.demo.cannot_open", path=str(db), detail=str(exc)) from None
    try:
        ids = {r[0] for r in queries.rows(con, "productions.ids")}
    except duckdb.Error:
        ids = set()
    finally:
        con.close()
    if ids - {DEMO_ID}:
        raise i18n.error("error.demo.other_productions", path=str(db), ids=", ".join(sorted(ids)))


def load_demo(db: Path, source: Path = DEMO_DIR, lang: str = "en") -> list[str]:
    """Recreate `db` with the demo production; returns what was done, line by line, in `lang`."""
    _refuse_foreign_data(db)
    for suffix in ("", ".wal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    added = add_production(db, source / "manifest.yaml")
    budget = import_budget(db, added.production_id, source / "devis.csv")
    outcome = import_expenses(db, added.production_id, [source / "expenses.csv"])
    imported = sum(f.imported for f in outcome.files)
    money_in = source / "receipts.csv"  # a demo without a financing schedule has none
    received = (
        import_receipts(db, added.production_id, money_in, DEMO_AT) if money_in.exists() else None
    )
    sites = source / "suppliers.csv"  # the suppliers' registered office and seat
    recorded = import_suppliers(db, added.production_id, sites) if sites.exists() else None
    lines = [
        i18n.text("demo.fresh", lang, db=str(db)),
        i18n.text(
            "demo.production",
            lang,
            production=added.production_id,
            action=i18n.text(f"cli.production.action.{added.action}", lang),
        ),
        i18n.text(
            "demo.devis",
            lang,
            version=str(budget.version),
            lines=budget.lines,
            total=Decimal(budget.total),
        ),
        i18n.text("demo.expenses", lang, n=imported, file=f"{source.name}/expenses.csv"),
    ]
    if received is not None:
        total = Decimal(received.total)
        lines.append(i18n.text("demo.receipts", lang, n=str(received.imported), total=total))
    if recorded is not None:
        n = len(recorded.added) + len(recorded.replaced) + recorded.unchanged
        lines.append(i18n.text("demo.suppliers", lang, n=n, file=f"{source.name}/suppliers.csv"))
    return lines
