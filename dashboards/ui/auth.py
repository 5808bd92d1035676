"""The login gate: open on localhost without settings; password or OIDC login otherwise.

Roles decide what a session may do: a `viewer` reads and exports, an `editor` also imports and
corrects. The gate keeps the logged-in user in session state and hands the name to the audit
trail (finance.store.audit.acting_as), so every change made from the dashboard names its author.
"""

from __future__ import annotations

import contextlib
import math
from pathlib import Path

import streamlit as st

from dashboards.ui.i18n import lang, t
from finance.access.auth import (
    ENV_USERS,
    AuthSettings,
    User,
    authenticate,
    load_settings,
    needs_rehash,
    write_user,
)
from finance.access.throttle import THROTTLE
from finance.domain import i18n
from finance.domain.errors import UserError
from finance.domain.reasons import error_lines
from finance.store.audit import current_actor, record
from finance.store.db import connect, transaction

LOCAL = (None, "", "localhost", "127.0.0.1", "::1")


def _oidc_configured() -> bool:
    """Streamlit's own OIDC login is configured when secrets.toml has an [auth] section."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own not-found error
        return False


def _settings() -> AuthSettings | None:
    try:
        return load_settings()
    except UserError as exc:
        st.error(error_lines(exc, lang())[0])
        st.stop()
    return None


def _client_address() -> str | None:
    """The browser's address as the server sees it (None on a local run)."""
    try:
        address = st.context.ip_address
    except Exception:  # no request context (a test, a bare run)
        return None
    return str(address) if address else None


def _record_failure(name: str, address: str | None) -> None:
    """A failed login in the audit trail (who tried which account, from where)."""
    try:
        with connect() as con, transaction(con):
            record(con, "login.failed", None, name[:64], {"address": address or "–"})
    except UserError:  # no database yet, or busy: the throttle still counts it
        pass


def _rehash(settings: AuthSettings, name: str, role: str, password: str) -> None:
    """A hash made with weaker parameters than today's, made again with today's (a file's
    accounts only: the environment's are the administrator's to change)."""
    stored = settings.users.get(name, ("", ""))[1]
    if settings.source not in ("", ENV_USERS) and needs_rehash(stored):
        with contextlib.suppress(UserError, OSError):  # the login stands; the hash waits
            write_user(Path(settings.source), name, role, password)


def _password_form(settings: AuthSettings) -> None:
    """Name and password. Failed logins are counted by the server per account and per client
    address (finance/access/throttle.py): past the limit, no password is checked until the
    lock-out ends, whatever the browser session; each failure is in the audit trail."""
    with st.form("login"):
        st.subheader(t("login"))
        name = st.text_input(t("user_name"), key="login_name")
        password = st.text_input(t("password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("log_in"), type="primary")
    if not submitted:
        return
    name, address = name.strip(), _client_address()
    wait = THROTTLE.locked_for(name, address)
    if wait > 0:
        st.error(i18n.text("login_locked", lang(), minutes=str(math.ceil(wait / 60))))
        return
    user = authenticate(settings, name, password)
    if user is None:
        THROTTLE.failed(name, address)
        _record_failure(name, address)
        st.error(t("login_failed"))
        return
    THROTTLE.succeeded(name)
    _rehash(settings, user.name, user.role, password)
    st.session_state["auth_user"] = user.name
    st.session_state["auth_role"] = user.role
    st.rerun()


def _oidc_user(settings: AuthSettings) -> User | None:
    if not getattr(st.user, "is_logged_in", False):
        st.button(t("log_in_sso"), on_click=st.login, key="sso_login")
        return None
    email = str(st.user.get("email") or st.user.get("sub") or "")
    role = settings.oidc_role(email)
    if role is None:
        st.error(t("no_access"))
        st.button(t("log_out"), on_click=st.logout, key="sso_logout")
        st.stop()
    return User(email, str(role))


def current_user() -> User:
    """The user of this session, or a login form and stop. Open mode: the local account."""
    settings = _settings()
    if settings is None:
        if st.get_option("server.address") not in LOCAL:
            st.error(t("auth_required_remote"))
            st.stop()
        return User(current_actor(), "editor")
    if "auth_user" in st.session_state:
        return User(st.session_state["auth_user"], st.session_state["auth_role"])
    if _oidc_configured():
        user = _oidc_user(settings)
        if user is not None:
            return user
    if settings.users:
        _password_form(settings)
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def logout_button(user: User) -> None:
    """In the sidebar: who is logged in, with which role, and the way out."""
    if _settings() is None:
        return
    st.sidebar.caption(f"{user.name} · {t('role_' + user.role)}")
    if st.sidebar.button(t("log_out"), key="logout"):
        for key in ("auth_user", "auth_role"):
            st.session_state.pop(key, None)
        if getattr(st.user, "is_logged_in", False):
            st.logout()
        st.rerun()


def is_editor() -> bool:
    """Whether this session may change data (set by the app from the logged-in role)."""
    return bool(st.session_state.get("role", "viewer") == "editor")  # unset: the lower role


def require_editor() -> None:
    """Stop a page that changes data when the session may only read (defence in depth: the
    app does not even route such pages for viewers)."""
    if not is_editor():
        st.error(t("editors_only"))
        st.stop()
