"""Productions and their financing plan in the database, from the manifest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from finance.domain.errors import UserError
from finance.domain.manifest import load_manifest
from finance.domain.models import Manifest
from finance.store.audit import record
from finance.store.db import connect, fetch_one, read_frame, transaction


@dataclass(frozen=True)
class AddResult:
    """What `production add` did: created, updated or unchanged (same manifest bytes)."""

    production_id: str
    action: str


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _write(con: duckdb.DuckDBPyConnection, m: Manifest, sha: str, exists: bool) -> None:
    s = m.schedule
    values = [
        m.title,
        m.kind.value,
        m.currency,
        m.budget_total,
        m.layout,
        s.prep_start if s else None,
        s.shoot_start if s else None,
        s.shoot_end if s else None,
        s.post_end if s else None,
        m.model_dump_json(),
        sha,
        _now(),
    ]
    if exists:
        con.execute(
            "UPDATE productions SET title=?, kind=?, currency=?, budget_total=?, layout=?, "
            "prep_start=?, shoot_start=?, shoot_end=?, post_end=?, manifest_json=?, "
            "manifest_sha256=?, updated_at=? WHERE id=?",
            [*values, m.id],
        )
    else:
        con.execute(
            "INSERT INTO productions (id, title, kind, currency, budget_total, layout, prep_start, "
            "shoot_start, shoot_end, post_end, manifest_json, manifest_sha256, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [m.id, *values[:-1], values[-1], values[-1]],
        )
    con.execute("DELETE FROM financing WHERE production_id = ?", [m.id])
    rows = [
        [
            m.id,
            i,
            f.scheme.value,
            f.label,
            f.amount,
            f.fiscal_value,
            f.signed_on,
            f.committed_spend,
            f.window_start,
            f.window_end,
        ]
        for i, f in enumerate(m.financing, start=1)
    ]
    if rows:
        con.executemany(
            "INSERT INTO financing (production_id, seq, scheme, label, amount, fiscal_value, "
            "signed_on, committed_spend, window_start, window_end) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def add_production(db: Path | None, manifest_path: Path) -> AddResult:
    """Create or update a production from its manifest; the same manifest twice changes nothing."""
    manifest, sha = load_manifest(manifest_path)
    with connect(db) as con:
        row = fetch_one(con, "SELECT manifest_sha256 FROM productions WHERE id = ?", [manifest.id])
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
    row = fetch_one(con, "SELECT manifest_json FROM productions WHERE id = ?", [production_id])
    if row is None:
        known = [r[0] for r in con.execute("SELECT id FROM productions ORDER BY id").fetchall()]
        hint = f" (known: {', '.join(known)})" if known else " (none yet: run `production add`)"
        raise UserError(f"unknown production {production_id!r}{hint}")
    return Manifest.model_validate_json(row[0])


def list_productions(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per production with its size: budget, expenses, last import."""
    return read_frame(
        con,
        """
        SELECT p.id, p.title, p.kind, p.currency,
               coalesce(p.budget_total, (SELECT sum(amount) FROM current_budget b
                                         WHERE b.production_id = p.id)) AS budget,
               (SELECT count(*) FROM expenses e WHERE e.production_id = p.id) AS expenses,
               (SELECT max(imported_at) FROM import_batches i
                WHERE i.production_id = p.id) AS last_import
        FROM productions p ORDER BY p.id
        """,
    )
