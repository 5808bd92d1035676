"""Overview: where the money stands against the devis and the schedule."""

import streamlit as st

from dashboards.ui import charts, data
from dashboards.ui.i18n import lang, t
from dashboards.ui.view import as_at, no_devis, require_production
from finance.domain.fmt import fmt_date, fmt_money, fmt_pct

production = require_production()
report = data.report(data.version(), production, as_at())
manifest = data.manifest(data.version(), production)
st.title(f"{t('overview')} · {report.title}")
no_devis(report.chapters)

figures = ("budget", "actual", "committed", "estimate_at_completion", "variance")
labels = ("budget", "actual", "committed", "eac", "variance")
columns = [*st.columns(3), *st.columns(3)[:2]]
for column, key, label in zip(columns, figures, labels, strict=True):
    column.metric(t(label), fmt_money(report.totals[key], lang(), report.currency))

left, middle, right = st.columns(3)
left.metric(t("pct_spent"), fmt_pct(report.burn.pct_budget_spent, lang()))
middle.metric(t("pct_schedule"), fmt_pct(report.burn.pct_schedule_elapsed, lang()))
right.metric(
    t("runs_out"),
    fmt_date(report.burn.budget_runs_out_on, lang()),
    help=f"{t('trailing')}: {fmt_money(report.burn.trailing_4_weeks, lang(), report.currency)}",
)

names = {k: t(k) for k in ("actual", "committed", "planned", "budget", "trailing")}
st.subheader(t("burn_up"))
st.plotly_chart(
    charts.burn_up(report.weekly, report.totals["budget"], manifest.schedule, names),
    width="stretch",
)
st.subheader(t("weekly_burn"))
st.plotly_chart(charts.weekly_burn(report.weekly, names), width="stretch")
