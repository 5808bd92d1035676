"""Portfolio: every production in the database with its burn and the status of each obligation."""

import streamlit as st

from dashboards.ui.i18n import t
from dashboards.ui.portfolio import portfolio_table
from dashboards.ui.view import as_at, require_production

st.title(t("portfolio"))
require_production()  # the empty state (no production yet) and what to do about it
table = portfolio_table(as_at())
st.dataframe(table, hide_index=True, width="stretch")
ids = table["id"].to_list() if table.height else []
if ids:
    chosen = st.selectbox(
        t("production"), ids, key="portfolio_pick", placeholder=t("widgets.choose")
    )
    if st.button(t("open"), key="portfolio_open"):
        st.session_state["production"] = chosen
        st.switch_page("views/overview.py")
