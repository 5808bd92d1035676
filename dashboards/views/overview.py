"""Overview: whether the financing plan covers the devis (the first thing a producer reads),
where the money stands against the devis and the schedule, each funder's obligation as the
latest stored check left it, and the cash position week by week under the burn chart."""

import streamlit as st

from dashboards.ui import charts, data
from dashboards.ui.financing import cash_chart, gap_lines, low_sentence
from dashboards.ui.i18n import lang, t
from dashboards.ui.strip import runout_words, show_strip, variance_word
from dashboards.ui.view import as_at, no_devis, require_production
from finance.domain import i18n
from finance.domain.fmt import fmt_date, fmt_money, fmt_pct

production = require_production()
report = data.report(data.version(), production, as_at())
manifest = data.manifest(data.version(), production)
st.title(f"{t('overview')} · {report.title}")
# one read of the financing side (cached like the report): the plan's gap first, the cash
# chart under the burn chart
financing = data.financing(data.version(), production, as_at())
if financing.sources.height:
    head, secured = gap_lines(financing, lang())
    (st.warning if financing.balance["gap"] > 0 else st.success)(head, icon=":material/savings:")
    if secured:
        st.caption(secured)
no_devis(report.chapters)

figures = ("budget", "actual", "committed", "estimate_at_completion")
labels = ("budget", "actual", "committed", "eac")
columns = [*st.columns(3), *st.columns(3)[:2]]
for column, key, label in zip(columns[:4], figures, labels, strict=True):
    column.metric(t(label), fmt_money(report.totals[key], lang(), report.currency))
# the variance (budget less the estimate at completion): over budget in red, under in green
said, colour = variance_word(report.totals["variance"])
columns[4].metric(
    t("variance"),
    fmt_money(report.totals["variance"], lang(), report.currency),
    delta=said,
    delta_color=colour,
    delta_arrow="off",
)

left, middle, right = st.columns(3)
left.metric(t("pct_spent"), fmt_pct(report.burn.pct_budget_spent, lang()))
middle.metric(t("pct_schedule"), fmt_pct(report.burn.pct_schedule_elapsed, lang()))
# the run-out date against delivery (the schedule's end of post-production)
delivery = manifest.schedule.post_end if manifest.schedule else None
runout = runout_words(report.burn.budget_runs_out_on, delivery, lang())
right.metric(
    t("runs_out"),
    fmt_date(report.burn.budget_runs_out_on, lang()),
    delta=runout[0] if runout else None,
    delta_color=runout[1] if runout else "off",
    delta_arrow="off",
    help=f"{t('trailing')}: {fmt_money(report.burn.trailing_4_weeks, lang(), report.currency)}",
)

show_strip(production, report.currency)

names = {k: t(k) for k in ("actual", "committed", "planned", "budget", "trailing")}
names |= {p: t(f"burn.phase.{p}") for p in ("prep", "shoot", "post")}
names["projection"] = t("burn.projection")
names["today"] = i18n.text("burn.today", lang(), day=fmt_date(as_at(), lang()))
st.subheader(t("burn_up"))
st.plotly_chart(
    charts.burn_up(
        report.weekly,
        report.totals["budget"],
        manifest.schedule,
        names,
        lang=lang(),
        currency=report.currency,
        today=as_at(),
        runs_out_on=report.burn.budget_runs_out_on,
    ),
    width="stretch",
)
st.subheader(t("cash.title"))
if financing.weeks.height and financing.low:
    st.plotly_chart(cash_chart(financing, lang()), width="stretch", key="cash_chart")
    st.markdown(low_sentence(financing, lang()))
else:
    st.caption(t("cash.no_weeks"))
st.subheader(t("weekly_burn"))
st.plotly_chart(
    charts.weekly_burn(report.weekly, names, lang=lang(), currency=report.currency),
    width="stretch",
)
