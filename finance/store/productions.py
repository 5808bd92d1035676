"""Productions and their financing plan in the database, from the manifest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from finance.domain import i18n
from finance.domain.manifest import load_manifest
from finance.domain.models import Manifest
from finance.store import queries
from finance.store.audit import record
from finance.store.db import connect, transaction


@dataclass(frozen=True)
class AddResult:
    """What `production add` did: created, updated or unchanged (same manifest bytes)."""

    production_id: str
    action: str


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _write(con: duckdb.DuckDBPyConnection, m: Manifest, sha: str, exists: bool) -> None:
    """Store the manifest. Its financing plan lives in the manifest (`manifest_json`), read back
    as the validated model by every reader (rules, exports, dashboard); the `financing` table,
    which copied it and was never read, is no longer written."""
    s = m.schedule
    values = {
        "id": m.id,
        "title": m.title,
        "kind": m.kind.value,
        "currency": m.currency,
        "budget_total": m.budget_total,
        "layout": m.layout,
        "prep_start": s.prep_start if s else None,
        "shoot_start": s.shoot_start if s else None,
        "shoot_end": s.shoot_end if s else None,
        "post_end": s.post_end if s else None,
        "manifest_json": m.model_dump_json(),
        "manifest_sha256": sha,
        "now": _now(),
    }
    queries.execute(con, "productions.update" if exists else "productions.insert", values)


def add_production(db: Path | None, manifest_path: Path) -> AddResult:
    """Create or update a production from its manifest; the same manifest twice changes nothing."""
    manifest, sha = load_manifest(manifest_path)
    with connect(db) as con:
        row = queries.one(con, "productions.manifest_sha256", {"id": manifest.id})
        if row and row[0] == sha:
            return AddResult(manifest.id, "unchanged")
        with transaction(con):
            _write(con, manifest, sha, exists=row is not None)
            record(
                con,
                "production.update" if row else "production.add",
                manifest.id,
                manifest_path.name,
                {"manifest_sha256": sha},
            )
    return AddResult(manifest.id, "updated" if row else "created")


def get_manifest(con: duckdb.DuckDBPyConnection, production_id: str) -> Manifest:
    """The stored manifest of a production, or a UserError naming the known ones."""
    row = queries.one(con, "productions.manifest_json", {"id": production_id})
    if row is None:
        known = [r[0] for r in queries.rows(con, "productions.ids")]
        if known:
            raise i18n.error(
                "error.production.unknown", production=repr(production_id), known=", ".join(known)
            )
        raise i18n.error("error.production.none_yet", production=repr(production_id))
    return Manifest.model_validate_json(row[0])


def list_productions(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per production with its size: budget (the production budget: the manifest's
    budget_total, else the current devis total), expenses, last import."""
    return queries.frame(con, "productions.list")
