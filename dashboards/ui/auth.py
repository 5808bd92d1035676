"""The login gate: open on localhost without settings; password or OIDC login otherwise.

Roles decide what a session may do: a `viewer` reads and exports, an `editor` also imports and
corrects. The gate keeps the logged-in user in session state and hands the name to the audit
trail (finance.store.audit.acting_as), so every change made from the dashboard names its author.
"""

from __future__ import annotations

import time

import streamlit as st

from dashboards.ui.i18n import lang, t
from finance.access.auth import AuthSettings, User, authenticate, load_settings
from finance.domain.errors import UserError
from finance.domain.reasons import error_lines
from finance.store.audit import current_actor

LOCAL = (None, "", "localhost", "127.0.0.1", "::1")
MAX_FAST_ATTEMPTS = 3


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


def _password_form(settings: AuthSettings) -> None:
    """Name and password; a failed attempt slows the next ones down (guessing is costly)."""
    with st.form("login"):
        st.subheader(t("login"))
        name = st.text_input(t("user_name"), key="login_name")
        password = st.text_input(t("password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("log_in"), type="primary")
    if not submitted:
        return
    failures = int(st.session_state.get("login_failures", 0))
    if failures >= MAX_FAST_ATTEMPTS:
        time.sleep(min(2 ** (failures - MAX_FAST_ATTEMPTS), 8))
    user = authenticate(settings, name.strip(), password)
    if user is None:
        st.session_state["login_failures"] = failures + 1
        st.error(t("login_failed"))
        return
    st.session_state["auth_user"] = user.name
    st.session_state["auth_role"] = user.role
    st.session_state.pop("login_failures", None)
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
