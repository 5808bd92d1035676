"""Territories: where the money goes (Brussels, Wallonia, Flanders, French regions, other EEA,
outside), against where the devis plans it."""

import streamlit as st

from dashboards.ui import charts, data
from dashboards.ui.expenses import expense_count
from dashboards.ui.i18n import t
from dashboards.ui.territories import UNKNOWN, named, region_table, spend_table
from dashboards.ui.view import as_at, no_expenses, require_production

production = require_production()
st.title(t("territories"))
if no_expenses(expense_count(production, as_at())):
    st.stop()
spend = data.named(
    data.version(),
    "figures.actual_and_planned_by_territory",
    (("pid", production), ("at", as_at())),
)
names = {k: t(k) for k in ("actual", "planned")}
st.subheader(t("spend_by_territory"))
st.plotly_chart(charts.territory_bars(named(spend), names), width="stretch")
st.dataframe(spend_table(spend), hide_index=True, width="stretch")
if UNKNOWN in spend["territory"].to_list():
    st.caption(t("territory.unknown_note"))
regions = data.named(
    data.version(),
    "figures.actual_by_french_region",
    (("pid", production), ("at", as_at())),
)
if regions.height:
    st.dataframe(region_table(regions), hide_index=True, width="stretch")
