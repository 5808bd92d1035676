"""Cinéledger dashboard entry: sidebar (language, production) and page routing. No logic here."""

from __future__ import annotations

import streamlit as st

from dashboards.ui.i18n import t
from dashboards.ui.view import sidebar

st.set_page_config(page_title="Cinéledger", page_icon="🎬", layout="wide")

sidebar()
pages = [
    st.Page(
        "views/overview.py",
        title=t("overview"),
        icon=":material/monitoring:",
        url_path="overview",
        default=True,
    ),
    st.Page(
        "views/cost_report.py",
        title=t("cost_report"),
        icon=":material/table_chart:",
        url_path="cost-report",
    ),
    st.Page(
        "views/funders.py",
        title=t("funders"),
        icon=":material/account_balance:",
        url_path="funders",
    ),
    st.Page(
        "views/expenses.py",
        title=t("expenses"),
        icon=":material/receipt_long:",
        url_path="expenses",
    ),
    st.Page(
        "views/territories.py",
        title=t("territories"),
        icon=":material/map:",
        url_path="territories",
    ),
    st.Page(
        "views/imports.py", title=t("imports"), icon=":material/upload_file:", url_path="imports"
    ),
    st.Page(
        "views/portfolio.py", title=t("portfolio"), icon=":material/work:", url_path="portfolio"
    ),
]
st.navigation(pages).run()
