"""Cinéledger dashboard entry: language, login gate, production picker and page routing.

No logic here. Pages that change data (imports, corrections) are only routed for editors; the
logged-in name is handed to the audit trail for everything the session does.
"""

from __future__ import annotations

import streamlit as st

from dashboards.ui.auth import current_user, logout_button
from dashboards.ui.busy import database_busy
from dashboards.ui.i18n import t
from dashboards.ui.view import language_switch, sidebar
from finance.domain.errors import DatabaseBusyError
from finance.store.audit import acting_as

st.set_page_config(page_title="Cinéledger", page_icon="🎬", layout="wide")

language_switch()
user = current_user()
st.session_state["role"] = user.role
st.session_state["user"] = user.name


def page(file: str, key: str, icon: str, url: str, default: bool = False) -> st.Page:
    return st.Page(
        f"views/{file}", title=t(key), icon=f":material/{icon}:", url_path=url, default=default
    )


pages = [
    page("overview.py", "overview", "monitoring", "overview", default=True),
    page("financing.py", "financing", "savings", "financing"),
    page("cost_report.py", "cost_report", "table_chart", "cost-report"),
    page("funders.py", "funders", "account_balance", "funders"),
    page("expenses.py", "expenses", "receipt_long", "expenses"),
    page("territories.py", "territories", "map", "territories"),
    *([page("imports.py", "imports", "upload_file", "imports")] if user.can_edit else []),
    page("portfolio.py", "portfolio", "work", "portfolio"),
    page("audit.py", "audit", "history", "audit"),
]
with acting_as(user.name):
    try:  # every read of the database, the sidebar's included
        sidebar()
        logout_button(user)
        st.navigation(pages).run()
        st.session_state.pop("busy_retries", None)
    except DatabaseBusyError:
        database_busy()
