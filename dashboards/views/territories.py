"""Territories: where the money goes (Brussels, Wallonia, Flanders, French regions, other EEA,
outside), against where the devis plans it to date and at completion, with each funder's
territorial requirement drawn on its territory."""

import streamlit as st

from dashboards.ui import data
from dashboards.ui.expenses import expense_count
from dashboards.ui.i18n import t
from dashboards.ui.territories import (
    UNKNOWN,
    chart,
    elsewhere,
    region_table,
    spend_table,
    thresholds,
)
from dashboards.ui.view import as_at, no_expenses, require_production

production = require_production()
st.title(t("territories"))
if no_expenses(expense_count(production, as_at())):
    st.stop()
spend = data.territories(data.version(), production, as_at())
# the funders' requirements: the latest stored check's, else today's evaluated and not stored
run, results = data.latest_results(data.version(), production)
if run is None:
    results = data.unstored_results(data.version(), production, as_at())
codes = [str(c) for c in spend["territory"].to_list()]
st.subheader(t("spend_by_territory"))
st.plotly_chart(chart(spend, thresholds(results, codes)), width="stretch")
for sentence in elsewhere(results, codes):
    st.caption(sentence)
st.dataframe(spend_table(spend), hide_index=True, placeholder="–", width="stretch")
if UNKNOWN in spend["territory"].to_list():
    st.caption(t("territory.unknown_note"))
regions = data.named(
    data.version(),
    "figures.actual_by_french_region",
    (("pid", production), ("at", as_at())),
)
if regions.height:
    st.dataframe(region_table(regions), hide_index=True, placeholder="–", width="stretch")
