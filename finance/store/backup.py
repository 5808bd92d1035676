"""Backup and restore: a consistent snapshot as Parquet files plus the manifests.

A backup is a folder anyone can read without Cinéledger (Parquet opens in DuckDB, polars, pandas,
Excel's Power Query): one file per table, each production's manifest as YAML, the supporting
documents kept next to the database, and `backup.json` with the schema version, row counts,
sequence positions and a SHA-256 per file. It is taken from one read-only connection, so it is a
single point in time even while nothing else can write.

A restore checks every hash first, then loads the whole snapshot in one transaction into a
database that has no productions yet; the result answers every report exactly as the original.
A backup of an older release is migrated on the way in, as that release's database would be.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

from finance.domain import i18n
from finance.store.audit import record
from finance.store.backup_check import (
    check_tables,
    checked_index,
    database_key,
    key_path,
    read_key,
    sign,
    verify,
)
from finance.store.db import connect, fetch_value, transaction
from finance.store.migrations import available, migrate
from finance.store.reference import sync_reference
from finance.store.sql import literal

FORMAT = "cineledger-backup"
FORMAT_VERSION = 1
#: Rebuilt by the software itself on open: not part of the snapshot.
DERIVED = {"_migrations", "categories"}
#: Tables of older versions that are now computed on demand: skipped on restore.
RETIRED = {"eligibility", "financing"}


#: the most sequence positions a restore moves on beyond the rows it restored (ids consumed by
#: imports that were rolled back): a crafted position cannot keep a restore busy for hours
SPARE_POSITIONS = 10**8


@dataclass(frozen=True)
class BackupOutcome:
    folder: Path
    tables: dict[str, int]


@dataclass(frozen=True)
class RestoreOutcome:
    """The tables restored and how the backup's integrity was established: `signed` (its
    signature matches the key) or `trusted` (no key or no signature: the user said --trust)."""

    tables: dict[str, int]
    proof: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND schema_name = 'main' "
        "ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows if r[0] not in DERIVED]


def _documents_folder(db: Path) -> Path:
    return db.with_suffix(".documents")


def backup(db: Path, folder: Path, key: bytes | None = None) -> BackupOutcome:
    """Write the snapshot of `db` into `folder` (new, or empty), signed with `key` or else the
    database's own key (finance/store/backup_check.py)."""
    if not db.exists():
        raise i18n.error("error.backup.no_database", path=str(db))
    if folder.exists() and any(folder.iterdir()):
        raise i18n.error("error.backup.not_empty", folder=str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tables").mkdir()
    (folder / "manifests").mkdir()
    counts: dict[str, int] = {}
    with connect(db, read_only=True) as con:
        con.execute("BEGIN TRANSACTION")  # one snapshot for every table
        for table in _tables(con):
            target = folder / "tables" / f"{table}.parquet"
            con.execute(f"COPY (SELECT * FROM {table}) TO {literal(target)} (FORMAT parquet)")
            counts[table] = int(fetch_value(con, f"SELECT count(*) FROM {table}"))
        sequences = dict(
            con.execute(
                "SELECT sequence_name, coalesce(last_value, 0) FROM duckdb_sequences()"
            ).fetchall()
        )
        migrations = [r[0] for r in con.execute("SELECT version FROM _migrations").fetchall()]
        manifests = con.execute("SELECT id, manifest_json FROM productions ORDER BY id").fetchall()
        con.execute("COMMIT")
    for production_id, manifest_json in manifests:
        (folder / "manifests" / f"{production_id}.yaml").write_text(
            yaml.safe_dump(json.loads(manifest_json), allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
    documents = _documents_folder(db)
    if documents.is_dir():
        shutil.copytree(documents, folder / "documents")
    _write_index(folder, counts, sequences, migrations)
    sign(folder, key if key is not None else database_key(db))
    with connect(db) as con, transaction(con):
        record(con, "backup", None, folder.name, {"tables": counts})
    return BackupOutcome(folder, counts)


def _write_index(
    folder: Path, counts: dict[str, int], sequences: dict[str, int], migrations: list[int]
) -> None:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    index: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        "schema_versions": sorted(migrations),
        "tables": counts,
        "sequences": sequences,
        "files": {str(p.relative_to(folder)): _sha256(p) for p in files},
    }
    (folder / "backup.json").write_text(json.dumps(index, indent=2), encoding="utf-8")


def _read_index(folder: Path) -> dict[str, Any]:
    path = folder / "backup.json"
    if not path.is_file():
        raise i18n.error("error.backup.no_index", folder=str(folder))
    try:
        index: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise i18n.error("error.backup.unreadable", path=str(path), detail=str(exc)) from None
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        raise i18n.error("error.backup.not_backup", path=str(path))
    index = checked_index(folder, index)
    known = {v for v, _, _ in available()}
    newer = sorted(set(index.get("schema_versions", [])) - known)
    if newer:
        raise i18n.error("error.backup.newer", folder=str(folder), schema=str(newer))
    for name, digest in index.get("files", {}).items():
        file = folder / name
        if not file.is_file() or _sha256(file) != digest:
            raise i18n.error("error.backup.damaged", folder=str(folder), file=name)
    return index


def _load(
    con: duckdb.DuckDBPyConnection, sources: dict[str, str], expected: dict[str, int]
) -> None:
    """Fill each table from its source relation (a Parquet file or an attached table), by
    column name, checking the row counts."""
    current = set(_tables(con))
    for table, source in sources.items():
        if table in RETIRED:
            continue
        if table not in current:
            raise i18n.error("error.backup.unknown_table", table=table)
        con.execute(f"DELETE FROM {table}")
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {source}")
        got = int(fetch_value(con, f"SELECT count(*) FROM {table}"))
        if table in expected and got != expected[table]:
            raise i18n.error(
                "error.backup.row_count", table=table, got=str(got), expected=str(expected[table])
            )


def _advance(con: duckdb.DuckDBPyConnection, sequences: dict[str, int], rows: int = 0) -> None:
    """Move each sequence to the position it had (fresh sequences start at 1). Only the
    database's own sequences: a name read from the backup never reaches SQL as text; and no
    further than the rows restored allow (SPARE_POSITIONS)."""
    known = {r[0] for r in con.execute("SELECT sequence_name FROM duckdb_sequences()").fetchall()}
    for name, last in sequences.items():
        if name not in known:
            raise i18n.error("error.backup.unknown_sequence", sequence=repr(name))
        if int(last) > rows + SPARE_POSITIONS:
            raise i18n.error("error.backup.sequence_too_far", sequence=repr(name))
        if last:
            con.execute(f"SELECT max(nextval('{name}')) FROM range({int(last)})").fetchall()


def _parquet_sources(folder: Path, index: dict[str, Any]) -> dict[str, str]:
    return {
        table: f"read_parquet({literal(folder / 'tables' / f'{table}.parquet')})"
        for table in index["tables"]
    }


def _carried_forward(folder: Path, index: dict[str, Any], staging: Path) -> dict[str, int]:
    """A backup of an older schema loaded into a staging database of that schema, then migrated
    like any database of that release; returns the staging sequences' positions."""
    con = duckdb.connect(str(staging))
    try:
        migrate(con, upto=max(index["schema_versions"]))
        sync_reference(con)
        check_tables(index["tables"], set(_tables(con)), RETIRED)
        with transaction(con):
            _load(con, _parquet_sources(folder, index), index["tables"])
            _advance(con, index["sequences"], sum(index["tables"].values()))
        migrate(con)
        return dict(
            con.execute(
                "SELECT sequence_name, coalesce(last_value, 0) FROM duckdb_sequences()"
            ).fetchall()
        )
    finally:
        con.close()


def restore(
    folder: Path, db: Path, key: bytes | None = None, trust: bool = False
) -> RestoreOutcome:
    """Load a backup into `db`, which must hold no production yet. All or nothing.

    The index's signature is checked first with `key`, else the key beside `db` if there is one;
    without a key (or for an unsigned backup) only `trust` lets it in (backup_check.verify).
    A backup made by an older release (fewer migrations) is first loaded into a staging
    database of its own schema and migrated there, so it arrives as that release's database
    would after an upgrade."""
    if key is None and key_path(db).is_file():
        key = read_key(key_path(db))
    proof = verify(folder, key, trust)
    index = _read_index(folder)
    latest = max(v for v, _, _ in available())
    older = bool(index.get("schema_versions")) and max(index["schema_versions"]) < latest
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "staging.duckdb"
        sequences = _carried_forward(folder, index, staging) if older else index["sequences"]
        with connect(db) as con:
            current = set(_tables(con))
            if any(fetch_value(con, f"SELECT count(*) FROM {t}") for t in current):
                raise i18n.error("error.backup.not_new", path=str(db))
            if older:
                con.execute(f"ATTACH {literal(staging)} AS staging (READ_ONLY)")
            try:
                with transaction(con):
                    if older:
                        _load(con, {t: f"staging.main.{t}" for t in sorted(current)}, {})
                    else:
                        check_tables(index["tables"], current, RETIRED)
                        _load(con, _parquet_sources(folder, index), index["tables"])
                    _advance(con, sequences, sum(index["tables"].values()))
                    details = {"tables": index["tables"], "integrity": proof}
                    record(con, "restore", None, folder.name, details)
            finally:
                if older:
                    con.execute("DETACH staging")
    if (folder / "documents").is_dir():
        shutil.copytree(folder / "documents", _documents_folder(db), dirs_exist_ok=True)
    return RestoreOutcome(dict(index["tables"]), proof)
