"""Territories: where the money goes (Brussels, Wallonia, Flanders, French regions, other EEA,
outside), against where the devis plans it."""

import streamlit as st

from dashboards.ui import charts, data
from dashboards.ui.i18n import t
from dashboards.ui.view import as_at, money_table, require_production

production = require_production()
st.title(t("territories"))
spend = data.query(
    data.version(),
    """
    WITH actual AS (
        SELECT CASE WHEN territory LIKE 'FR-%' THEN 'FR' ELSE territory END AS territory,
               sum(amount) FILTER (status = 'actual') AS actual
        FROM v_expenses WHERE production_id = $p AND doc_date <= $at GROUP BY 1),
    planned AS (
        SELECT CASE WHEN territory LIKE 'FR%' THEN 'FR' ELSE coalesce(territory, '?') END AS territory,
               sum(amount) AS planned
        FROM current_budget WHERE production_id = $p GROUP BY 1)
    SELECT territory, coalesce(actual, 0)::DECIMAL(18,2) AS actual, coalesce(planned, 0)::DECIMAL(18,2) AS planned
    FROM actual FULL JOIN planned USING (territory) ORDER BY planned DESC NULLS LAST
    """,
    (("p", production), ("at", as_at())),
)
names = {k: t(k) for k in ("actual", "planned")}
st.subheader(t("spend_by_territory"))
st.plotly_chart(charts.territory_bars(spend, names), width="stretch")
st.dataframe(money_table(spend), hide_index=True, width="stretch")
regions = data.query(
    data.version(),
    "SELECT fr_region, sum(amount) FILTER (status = 'actual')::DECIMAL(18,2) AS actual FROM v_expenses "
    "WHERE production_id = $p AND fr_region IS NOT NULL AND doc_date <= $at GROUP BY 1 ORDER BY 2 DESC",
    (("p", production), ("at", as_at())),
)
if regions.height:
    st.dataframe(money_table(regions), hide_index=True, width="stretch")
