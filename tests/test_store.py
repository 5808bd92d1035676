"""Storage: recorded migrations, production add/update idempotence, short-lived connections."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from finance.domain.errors import UserError
from finance.store.db import connect
from finance.store.migrations import available
from finance.store.productions import add_production, get_manifest, list_productions


def test_migrations_are_recorded_once(db: Path) -> None:
    with connect(db):
        pass
    with connect(db) as con:
        rows = con.execute("SELECT version, name FROM _migrations ORDER BY version").fetchall()
    assert [r[0] for r in rows] == [v for v, _, _ in available()]


def test_money_columns_are_exact_decimals(db: Path) -> None:
    with connect(db) as con:
        types = dict(
            con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'expenses'"
            ).fetchall()
        )
    assert types["amount"] == "DECIMAL(18,2)"
    assert types["amount_orig"] == "DECIMAL(18,2)"
    assert types["fx_rate"] == "DECIMAL(18,8)"


def test_production_add_is_idempotent_and_updates(db: Path, manifest_file: Path) -> None:
    assert add_production(db, manifest_file).action == "created"
    assert add_production(db, manifest_file).action == "unchanged"
    manifest_file.write_text(manifest_file.read_text().replace("Petit Film", "Petit Film II"))
    assert add_production(db, manifest_file).action == "updated"
    with connect(db, read_only=True) as con:
        assert get_manifest(con, "petit-film").title == "Petit Film II"
        listing = list_productions(con)
        financing = get_manifest(con, "petit-film").financing  # the plan lives in the manifest
    assert listing["id"].to_list() == ["petit-film"]
    assert len(financing) == 2


def test_unknown_production_names_the_known_ones(db: Path, manifest_file: Path) -> None:
    add_production(db, manifest_file)
    with connect(db, read_only=True) as con, pytest.raises(UserError, match="known: petit-film"):
        get_manifest(con, "autre")


def test_read_only_open_of_a_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    with (
        pytest.raises(UserError, match="no database here yet"),
        connect(tmp_path / "none.duckdb", read_only=True),
    ):
        pass


def test_a_held_lock_becomes_a_clear_busy_message(db: Path) -> None:
    with connect(db):
        pass
    script = (
        f"import duckdb, time; c = duckdb.connect({str(db)!r}); "
        "print('locked', flush=True); time.sleep(5)"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        with pytest.raises(UserError, match="busy"), connect(db, timeout_s=0.3):
            pass
    finally:
        proc.kill()
        proc.wait()
