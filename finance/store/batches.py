"""Import batches: one row per file an import read (or form entry), with its counts, when and by
whom; every row an import writes points to its batch (its provenance)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import duckdb

from finance.store import queries
from finance.store.audit import current_actor


@dataclass(frozen=True)
class Batch:
    """What one import of one file did."""

    production_id: str
    kind: str  # budget | expenses | fx_rates | receipts
    file_name: str
    file_sha256: str
    format: str
    rows_read: int
    rows_imported: int
    rows_duplicate: int = 0
    rows_rejected: int = 0
    sheet: str | None = None
    version_label: str | None = None


def new_batch(con: duckdb.DuckDBPyConnection, batch: Batch) -> int:
    """Record the batch (now, by the current actor) inside the import's transaction; its id."""
    batch_id = int(queries.value(con, "imports.next_batch_id"))
    now = datetime.now(UTC).replace(tzinfo=None)
    values = {"id": batch_id, **asdict(batch), "imported_at": now, "imported_by": current_actor()}
    queries.execute(con, "imports.insert_batch", values)
    return batch_id
