"""Portfolio: every production in the database with its burn and the status of each obligation."""

import streamlit as st

from dashboards.ui.i18n import lang, t
from dashboards.ui.portfolio import portfolio_table, styled
from dashboards.ui.view import as_at, require_production
from finance.domain import i18n

st.title(t("portfolio"))
require_production()  # the empty state (no production yet) and what to do about it
table, money = portfolio_table(as_at())
if table.is_empty():
    st.info(i18n.text("portfolio.empty", lang(), page=t("imports")))
    st.stop()
st.caption(i18n.text("portfolio.sort_hint", lang(), page=t("funders"), button=t("run_checks")))
st.dataframe(
    styled(table, money),
    hide_index=True,
    placeholder="–",
    width="stretch",
    column_config={name: st.column_config.NumberColumn(name) for name in money},
)
ids = table[t("portfolio.col.id")].to_list()
chosen = st.selectbox(t("production"), ids, key="portfolio_pick", placeholder=t("widgets.choose"))
if st.button(t("open"), key="portfolio_open"):
    st.session_state["production"] = chosen
    st.switch_page("views/overview.py")
