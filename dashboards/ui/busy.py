"""The database held by another process past the wait (an import running from the command line):
said in words, retried by itself a few times, then on a button; never a traceback."""

from __future__ import annotations

import time

import streamlit as st

from dashboards.ui.i18n import t

#: automatic retries before the page waits for the user's click
RETRIES = 3
PAUSE_S = 2.0


def database_busy() -> None:
    """Say the database is busy and retry: by itself RETRIES times, then on a button."""
    tries = int(st.session_state.get("busy_retries", 0))
    st.warning(t("db_busy_retrying"), icon=":material/hourglass_top:")
    if tries < RETRIES:
        st.session_state["busy_retries"] = tries + 1
        time.sleep(PAUSE_S)
        st.rerun()
    if st.button(t("retry"), key="busy_retry"):
        st.session_state["busy_retries"] = 0
        st.rerun()
