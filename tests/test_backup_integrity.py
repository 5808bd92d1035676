"""A backup cannot be turned against the database (issue 21, points 1 to 3): nothing read from it
reaches SQL as text, it restores exactly the schema's tables, each listed, hashed and counted, and
its index is signed with a key kept beside the database."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
from pathlib import Path

import pytest

from finance.store.backup_check import key_path
from finance.store.db import connect
from tests.test_cli import cli

pytestmark = pytest.mark.usefixtures("cli_in_english")  # reads the English errors


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, copy)
    return copy


@pytest.fixture
def folder(db: Path, tmp_path: Path) -> Path:
    out = tmp_path / "backup"
    cli("backup", str(out), db=db)
    return out


def _index(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / "backup.json").read_text())
    return data


def _rewrite(folder: Path, index: dict[str, object]) -> None:
    """What an attacker does: change the index and make its hashes match the files again."""
    files = {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in ("backup.json", "backup.sig")
    }
    (folder / "backup.json").write_text(json.dumps({**index, "files": files}))


def _restore(folder: Path, target: Path, *options: str, check: int | None = 0) -> str:
    result = cli("restore", str(folder), *options, db=target, check=check)
    return str(result.stderr) + str(result.stdout)


def test_the_key_is_made_beside_the_database_for_its_owner_only(db: Path, folder: Path) -> None:
    mode = stat.S_IMODE(key_path(db).stat().st_mode)
    assert mode == 0o600
    assert (folder / "backup.sig").is_file()


def test_a_signed_backup_restores_with_its_key(db: Path, folder: Path, tmp_path: Path) -> None:
    said = _restore(folder, tmp_path / "new.duckdb", "--key", str(key_path(db)))
    assert "not proven" not in said


def test_without_the_key_a_restore_needs_trust_and_says_so(folder: Path, tmp_path: Path) -> None:
    said = _restore(folder, tmp_path / "new.duckdb", check=2)
    assert "integrity cannot be proven" in said and "--trust" in said
    assert not (tmp_path / "new.duckdb").exists()
    trusted = _restore(folder, tmp_path / "other.duckdb", "--trust")
    assert "integrity was not proven" in trusted


def test_a_backup_rewritten_with_matching_hashes_is_refused_even_with_trust(
    db: Path, folder: Path, tmp_path: Path
) -> None:
    index = _index(folder)
    tables = dict(index["tables"])  # type: ignore[call-overload]
    tables.pop("audit_log")
    (folder / "tables" / "audit_log.parquet").unlink()
    _rewrite(folder, {**index, "tables": tables})
    for options in (("--key", str(key_path(db))), ("--key", str(key_path(db)), "--trust")):
        said = _restore(folder, tmp_path / "new.duckdb", *options, check=2)
        assert "signature does not match" in said
    assert not (tmp_path / "new.duckdb").exists()


def test_a_table_left_out_of_the_index_is_refused_by_name(folder: Path, tmp_path: Path) -> None:
    """Before: 'restored 99,560 rows in 11 tables', the audit trail and the overrides gone."""
    index = _index(folder)
    tables = dict(index["tables"])  # type: ignore[call-overload]
    for name in ("audit_log", "overrides"):
        tables.pop(name)
        (folder / "tables" / f"{name}.parquet").unlink()
    _rewrite(folder, {**index, "tables": tables})
    said = _restore(folder, tmp_path / "new.duckdb", "--trust", check=2)
    assert "missing audit_log, overrides" in said


def test_a_table_file_the_index_does_not_hash_is_never_loaded(folder: Path, tmp_path: Path) -> None:
    index = _index(folder)
    files = dict(index["files"])  # type: ignore[call-overload]
    files.pop("tables/overrides.parquet")
    (folder / "backup.json").write_text(json.dumps({**index, "files": files}))
    said = _restore(folder, tmp_path / "new.duckdb", "--trust", check=2)
    assert "tables/overrides.parquet" in said and "does not list" in said


def test_an_extra_file_in_the_backup_is_refused(folder: Path, tmp_path: Path) -> None:
    shutil.copy(folder / "tables" / "expenses.parquet", folder / "tables" / "evil.parquet")
    said = _restore(folder, tmp_path / "new.duckdb", "--trust", check=2)
    assert "tables/evil.parquet" in said


@pytest.mark.parametrize(
    "name",
    [
        "audit_log; COPY (SELECT 1) TO '/tmp/pwned.csv'",
        "expenses WHERE 1=1; DELETE FROM audit_log; --",
    ],
)
def test_a_table_name_from_the_backup_never_reaches_sql(
    folder: Path, tmp_path: Path, name: str
) -> None:
    index = _index(folder)
    tables = {**index["tables"], name: 1}  # type: ignore[dict-item]
    (folder / "tables" / f"{hashlib.md5(name.encode()).hexdigest()}.parquet").write_bytes(b"")
    _rewrite(folder, {**index, "tables": tables})
    said = _restore(folder, tmp_path / "new.duckdb", "--trust", check=2)
    assert "names or counts a backup cannot have" in said
    assert not Path("/tmp/pwned.csv").exists()


def test_a_sequence_position_that_would_keep_the_restore_busy_is_refused(
    folder: Path, tmp_path: Path
) -> None:
    index = _index(folder)
    sequences = {**index["sequences"], "expense_seq": 2**52}  # type: ignore[dict-item]
    _rewrite(folder, {**index, "sequences": sequences})
    said = _restore(folder, tmp_path / "new.duckdb", "--trust", check=2)
    assert "goes further" in said
    target = tmp_path / "new.duckdb"
    if target.exists():
        with connect(target, read_only=True) as con:
            assert con.execute("SELECT count(*) FROM productions").fetchall() == [(0,)]
