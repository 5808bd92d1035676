"""Access: open on localhost without settings; with accounts, a login first, and the roles
`viewer` (read, export) and `editor` (imports, corrections). Passwords are stored hashed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from finance.access.auth import authenticate, load_settings, verify_password, write_user
from finance.domain.errors import UserError
from finance.store.audit import trail
from finance.store.db import connect

APP = str(Path(__file__).resolve().parent.parent / "dashboards" / "app.py")
pytestmark = pytest.mark.xdist_group("dashboard")
PASSWORDS = {"anne": "montage-2026-salle", "victor": "analyste-fonds-7"}


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "auth.toml"
    write_user(path, "anne", "editor", PASSWORDS["anne"])
    write_user(path, "victor", "viewer", PASSWORDS["victor"])
    monkeypatch.setenv("CINELEDGER_AUTH_FILE", str(path))
    return path


@pytest.fixture
def app(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Path
) -> Iterator[AppTest]:
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    monkeypatch.setenv("CINELEDGER_DB", str(db))
    monkeypatch.setenv("CINELEDGER_TODAY", "2026-11-22")
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    yield at
    st.cache_data.clear()


def log_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    return at


def test_the_password_is_stored_hashed_and_checked(settings: Path) -> None:
    text = settings.read_text()
    assert PASSWORDS["anne"] not in text and "scrypt$" in text
    loaded = load_settings()
    assert loaded is not None
    assert authenticate(loaded, "anne", PASSWORDS["anne"]) is not None
    assert authenticate(loaded, "anne", "wrong-password!") is None
    assert authenticate(loaded, "nobody", PASSWORDS["anne"]) is None
    assert not verify_password("x", "not-a-hash")


def test_a_clear_text_password_in_the_settings_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "auth.toml"
    path.write_text('[users.bob]\nrole = "editor"\npassword_hash = "hunter2"\n')
    monkeypatch.setenv("CINELEDGER_AUTH_FILE", str(path))
    with pytest.raises(UserError, match="not a hash"):
        load_settings()


def test_nothing_shows_before_login(app: AppTest) -> None:
    assert not app.exception
    assert not app.metric, "figures must not show before login"
    assert app.text_input(key="login_password").value == ""
    log_in(app, "anne", "wrong-password!")
    assert app.error and not app.metric


def test_a_viewer_reads_but_cannot_import(app: AppTest) -> None:
    log_in(app, "victor", PASSWORDS["victor"])
    assert not app.exception
    assert app.metric, "the overview shows once logged in"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("views/imports.py")  # not even routed for a viewer
    app.switch_page("views/expenses.py").run()
    assert not app.exception
    assert not [f for f in app.get("form") if "override" in str(f.proto)], "no correction form"


def test_an_editor_imports_and_corrects_and_the_trail_names_them(app: AppTest) -> None:
    log_in(app, "anne", PASSWORDS["anne"])
    app.switch_page("views/imports.py").run()
    assert not app.exception and not app.error
    assert app.get("file_uploader")
    app.switch_page("views/expenses.py").run()
    # the rows are ticked in the table (its selection), not typed as ids
    app.session_state["f_table"] = {"selection": {"rows": [0, 1], "columns": [], "cells": []}}
    app.run()
    next(s for s in app.selectbox if s.label in ("Champ", "Field")).set_value("Territoire")
    app.text_input(key="o_value").input("BE-WAL")
    app.text_input(key="o_reason").input("Walloon branch, see invoice address")
    next(b for b in app.button if b.label in ("Appliquer", "Apply")).click().run()
    assert not app.exception
    assert app.success, [e.value for e in app.error]
    with connect(Path(os.environ["CINELEDGER_DB"]), read_only=True) as con:
        entries = trail(con, "dernier-tram")
    last = entries.row(0, named=True)
    assert (last["actor"], last["action"]) == ("anne", "override")
    assert last["reason"] == "Walloon branch, see invoice address"
    app.switch_page("views/audit.py").run()
    assert not app.exception
    assert "anne" in app.dataframe[0].value.to_string()


def test_served_beyond_localhost_without_accounts_is_refused(tmp_path: Path) -> None:
    from finance.access.serve import serve

    with pytest.raises(UserError, match="accounts"):
        serve(tmp_path / "x.duckdb", 8599, "0.0.0.0")


def test_a_page_run_without_a_role_in_the_session_falls_back_to_viewer(
    demo_dashboard: Path,
) -> None:
    """Issue 21, point 15: where no role is set, the lower role, never the editor's."""
    from finance.domain.i18n import text

    page = Path(__file__).resolve().parent.parent / "dashboards" / "views" / "imports.py"
    at = AppTest.from_file(str(page), default_timeout=60)
    at.run()
    assert "role" not in at.session_state
    assert [e.value for e in at.error] == [text("editors_only", "fr")]
    assert not at.file_uploader  # no way to change data


@pytest.mark.parametrize("name", ["anne.smith", "anne@prod.example", "a.b@c.d"])
def test_a_name_with_a_dot_or_an_at_sign_is_an_account_that_logs_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Issue 21, point 14: `anne.smith` became a nested table (invalid for everyone, or an
    account that could never log in)."""
    path = tmp_path / "auth.toml"
    write_user(path, "victor", "viewer", "first password 1")
    write_user(path, name, "editor", "second password 2")
    write_user(path, name, "viewer", "third password 3")  # replaced, not duplicated
    monkeypatch.setenv("CINELEDGER_AUTH_FILE", str(path))
    settings = load_settings()
    assert settings is not None
    assert set(settings.users) == {"victor", name}
    user = authenticate(settings, name, "third password 3")
    assert user is not None and user.role == "viewer"
    assert authenticate(settings, "victor", "first password 1") is not None


def test_the_auth_file_is_never_readable_by_others(tmp_path: Path) -> None:
    path = tmp_path / "auth.toml"
    write_user(path, "anne", "editor", "a long password")
    assert path.stat().st_mode & 0o077 == 0
    assert not list(tmp_path.glob("*.tmp"))  # written atomically, nothing left behind


def test_a_busy_database_is_said_in_words_and_retried_never_a_traceback(
    demo_dashboard: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21, point 16: a database held past the wait showed a full traceback with the
    server's paths. Now: a sentence, automatic retries, then a button; and the served app never
    shows error details."""
    import subprocess
    import sys

    from finance.access.serve import command
    from finance.domain.i18n import text

    assert command(8599)[command(8599).index("--client.showErrorDetails") + 1] == "none"
    monkeypatch.setenv("CINELEDGER_LOCK_WAIT", "0.2")
    monkeypatch.setattr("dashboards.ui.busy.PAUSE_S", 0.05)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('held', flush=True); time.sleep(60)",
            str(demo_dashboard),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert text("db_busy_retrying", "fr") in [w.value for w in at.warning]
        assert at.session_state["busy_retries"] == 3
    finally:
        holder.kill()
        holder.wait()
    at.button(key="busy_retry").click().run()
    assert not at.exception
    assert text("db_busy_retrying", "fr") not in [w.value for w in at.warning]
    assert at.metric  # the Overview's figures are back


def test_failed_logins_are_counted_by_the_server_not_the_browser_session(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21, point 13: a new browser session reset the count. The server now counts per
    account (and per client address): after five failures the account is locked out for every
    session, even with the right password; each failure is in the audit trail."""
    from finance.access import throttle
    from finance.domain.i18n import text

    monkeypatch.setattr(throttle, "THROTTLE", throttle.Throttle())
    monkeypatch.setattr("dashboards.ui.auth.THROTTLE", throttle.THROTTLE)
    for _ in range(throttle.MAX_FAILURES):
        fresh = AppTest.from_file(APP, default_timeout=120)  # a new browser session each time
        fresh.run()
        log_in(fresh, "anne", "not-her-password")
        assert [e.value for e in fresh.error] == [text("login_failed", "fr")]
    locked = log_in(app, "anne", PASSWORDS["anne"])
    assert "auth_user" not in locked.session_state
    assert "15 minutes" in locked.error[0].value
    other = log_in(AppTest.from_file(APP, default_timeout=120).run(), "victor", PASSWORDS["victor"])
    assert other.session_state["auth_user"] == "victor"  # the other account is not locked
    with connect(read_only=True) as con:
        failed = con.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'login.failed' AND target = 'anne'"
        ).fetchall()
    assert failed == [(throttle.MAX_FAILURES,)]


def test_the_lock_out_ends_and_counts_per_address_too() -> None:
    from finance.access.throttle import LOCKOUT_S, MAX_FAILURES, Throttle

    now = [1000.0]
    gate = Throttle(clock=lambda: now[0])
    for i in range(MAX_FAILURES):
        gate.failed(f"name-{i}", "203.0.113.9")  # five accounts tried from one address
    assert gate.locked_for("someone-else", "203.0.113.9") > 0
    assert gate.locked_for("someone-else", "198.51.100.1") == 0
    now[0] += LOCKOUT_S + 1
    assert gate.locked_for("someone-else", "203.0.113.9") == 0


def test_a_weaker_hash_is_made_again_at_the_next_login(
    settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hashes made with N=2^14 (before) are re-made with N=2^17 once the password is known."""
    import base64
    import hashlib

    from dashboards.ui.auth import _rehash
    from finance.access.auth import SCRYPT, needs_rehash

    salt = b"0123456789abcdef"
    old = hashlib.scrypt(PASSWORDS["anne"].encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    weak = f"scrypt$16384$8$1${base64.b64encode(salt).decode()}${base64.b64encode(old).decode()}"
    text = settings.read_text()
    start = text.index('password_hash = "', text.index("[users.anne]"))
    end = text.index('"', start + len('password_hash = "'))
    settings.write_text(text[:start] + f'password_hash = "{weak}' + text[end:])
    loaded = load_settings()
    assert loaded is not None and authenticate(loaded, "anne", PASSWORDS["anne"]) is not None
    assert needs_rehash(loaded.users["anne"][1])
    _rehash(loaded, "anne", "editor", PASSWORDS["anne"])
    again = load_settings()
    assert again is not None and not needs_rehash(again.users["anne"][1])
    assert f"scrypt${SCRYPT['n']}$" in again.users["anne"][1]
    assert authenticate(again, "anne", PASSWORDS["anne"]) is not None
