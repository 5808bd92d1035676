"""Downloads that take the ledger's figures out of the tool are in the audit trail, as the
command line's exports are: who took which file out, and when."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import streamlit as st

from finance.domain.errors import UserError
from finance.store.audit import acting_as, record
from finance.store.db import connect, transaction


def recorder(
    action: str, production: str, target: str, details: dict[str, Any]
) -> Callable[[], None]:
    """A download button's `on_click`: the download recorded under the session's user. A busy
    database does not stop the download (the file is the user's already)."""

    def recorded() -> None:
        user = st.session_state.get("user")
        with contextlib.suppress(UserError), acting_as(user), connect() as con, transaction(con):
            record(con, action, production, target, details)

    return recorded
