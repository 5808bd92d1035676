"""YAML scenario tests of the rule packs (OpenFisca habit), run through the whole pipeline.

A scenario file sits in `rules/packs/<scheme>/scenarios/<rule>.yaml`:

    rule: <scheme>.<rule>
    base:                      # shared by every scenario of the file
      manifest: {...}          # a production manifest (id and title may be omitted)
      budget: [{code, label, amount, category?, ts_class?, territory?}, ...]
      defaults: {country: BE, postcode: "4000", ...}   # default expense columns
      at: 2026-11-22
    scenarios:
      - name: passes exactly at the threshold
        expenses: [{amount: "450000.00"}, ...]          # canonical expense columns
        manifest: {...}                                 # optional overrides of base.manifest
        expect: {status: pass, measured: "450000.00", shortfall: "0.00"}

Each scenario loads into a fresh database with the same code users run (production add, import
budget, import expenses, check) and checks the named rule's result fields.

The fresh database is in memory: the migrated schema and its reference tables are built once per
process into a template file, and each scenario copies that template into a new in-memory
database (a few milliseconds, where migrating a new file costs a hundred). The core opens a
short-lived connection per operation (finance.store.db.connect); while a scenario runs, every
such open yields the scenario's one in-memory connection instead, so the production, the devis,
the import and the check run unchanged, without opening, migrating and closing a file seven times.
"""

from __future__ import annotations

import csv
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import yaml

from finance.checks import run_check
from finance.importers.budget import import_budget
from finance.importers.ingest import import_expenses
from finance.store import db as store_db
from finance.store.migrations import migrate
from finance.store.productions import add_production
from finance.store.reference import sync_reference
from rules.runs import result_json

EXPENSE_COLUMNS = (
    "date",
    "supplier",
    "country",
    "postcode",
    "budget_code",
    "amount",
    "currency",
    "fx_rate",
    "supplier_vat",
    "invoice_ref",
    "status",
    "payee_type",
    "av_company",
    "be_taxable",
    "be_tax_regime",
    "category",
    "ts_class",
    "nights",
    "description",
)
BUDGET_COLUMNS = ("code", "label", "amount", "category", "ts_class", "territory")
BASE_MANIFEST = {"id": "scenario", "title": "Scenario", "kind": "feature", "currency": "EUR"}


def _merge(base: dict[str, Any], over: dict[str, Any] | None) -> dict[str, Any]:
    return {**base, **(over or {})}


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    unknown = {k for r in rows for k in r} - set(columns)
    if unknown:
        raise ValueError(f"unknown columns in scenario: {sorted(unknown)}")
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else str(v)) for k, v in row.items()})


def _expense_rows(base: dict[str, Any], scenario: dict[str, Any]) -> list[dict[str, Any]]:
    defaults = {"supplier": "Fournisseur", "status": "actual", **base.get("defaults", {})}
    rows = []
    for i, row in enumerate(scenario.get("expenses", []), start=1):
        merged = _merge(defaults, row)
        merged.setdefault("invoice_ref", f"S-{i:04d}")
        rows.append(merged)
    return rows


_TEMPLATE: list[Path] = []  # the template database of this process, built on first use


def template_database() -> Path:
    """A database file with every migration applied and the reference tables loaded, built once
    per process (each xdist worker builds its own) and only read afterwards."""
    if not _TEMPLATE:
        path = Path(tempfile.mkdtemp(prefix="cineledger-template-")) / "template.duckdb"
        con = duckdb.connect(str(path))
        try:
            migrate(con)
            sync_reference(con)
        finally:
            con.close()
        _TEMPLATE.append(path)
    return _TEMPLATE[0]


def fresh_database() -> duckdb.DuckDBPyConnection:
    """A new in-memory database holding a copy of the template (schema, sequences, reference)."""
    con = duckdb.connect(":memory:")
    con.execute("ATTACH ? AS template (READ_ONLY)", [str(template_database())])
    con.execute("COPY FROM DATABASE template TO memory")
    con.execute("DETACH template")
    return con


@contextmanager
def connections_to(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """While inside, every `connect(...)` of the core yields `con` (left open): the modules that
    imported finance.store.db.connect see the replacement, and get the original back after."""
    original = store_db.connect

    @contextmanager
    def same(*_args: Any, **_kwargs: Any) -> Iterator[duckdb.DuckDBPyConnection]:
        yield con  # whatever file, mode or timeout was asked for

    users = [
        m
        for name, m in list(sys.modules.items())
        if name.split(".")[0] in ("finance", "rules") and getattr(m, "connect", None) is original
    ]
    for module in users:
        module.connect = same  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module in users:
            module.connect = original  # type: ignore[attr-defined]


@contextmanager
def loaded_production(
    workdir: Path,
    manifest: dict[str, Any],
    budget: list[dict[str, Any]],
    expenses: list[dict[str, Any]],
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A production (manifest, devis rows, canonical expense rows) loaded with the code users
    run into a fresh in-memory database; yields its connection, every `connect` of the core
    answering with it meanwhile. The database file is only named (messages, documents)."""
    db = workdir / "scenario.duckdb"
    (workdir / "manifest.yaml").write_text(
        yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8"
    )
    _write_csv(workdir / "devis.csv", BUDGET_COLUMNS, budget)
    if expenses:
        _write_csv(workdir / "expenses.csv", EXPENSE_COLUMNS, expenses)
    con = fresh_database()
    try:
        with connections_to(con):
            add_production(db, workdir / "manifest.yaml")
            import_budget(db, manifest["id"], workdir / "devis.csv")
            if expenses:
                import_expenses(db, manifest["id"], [workdir / "expenses.csv"])
            yield con
    finally:
        con.close()


def run_scenario(
    base: dict[str, Any], scenario: dict[str, Any], rule_id: str, workdir: Path
) -> dict[str, Any]:
    """Load the scenario into a fresh in-memory database and return the rule's JSON result."""
    manifest = _merge(_merge(BASE_MANIFEST, base.get("manifest")), scenario.get("manifest"))
    budget = scenario.get("budget", base["budget"])
    at = scenario.get("at", base.get("at"))
    day = at if isinstance(at, date) else date.fromisoformat(str(at))
    with loaded_production(workdir, manifest, budget, _expense_rows(base, scenario)):
        run = run_check(workdir / "scenario.duckdb", manifest["id"], day)
    found = [r for r in run.results if r.rule_id == rule_id]
    if not found:
        raise AssertionError(f"rule {rule_id} did not run; ran {[r.rule_id for r in run.results]}")
    return result_json(found[0])


def load_scenario_file(path: Path) -> dict[str, Any]:
    """A scenario file (plain safe YAML; money is quoted in scenario files)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "rule" not in data or "scenarios" not in data:
        raise ValueError(f"{path}: a scenario file needs `rule` and `scenarios`")
    return data


def mismatches(result: dict[str, Any], expect: dict[str, Any]) -> list[str]:
    """Expected fields that differ, said plainly (`details.x` reaches into nested objects)."""
    out = []
    for key, want in expect.items():
        got: Any = result
        for part in key.split("."):
            if isinstance(got, list) and part.isdigit() and int(part) < len(got):
                got = got[int(part)]
            else:
                got = got.get(part) if isinstance(got, dict) else None
        if str(got) != str(want):
            out.append(f"{key}: expected {want!r}, got {got!r}")
    return out
