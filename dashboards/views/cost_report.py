"""Cost report: chapters, opening to lines and to the expenses on a line."""

import polars as pl
import streamlit as st

from dashboards.ui import data
from dashboards.ui.cost import headed, with_total
from dashboards.ui.i18n import t
from dashboards.ui.view import as_at, money_table, no_devis, require_production
from finance.reports.cost_report import FIGURES

production = require_production()
report = data.report(data.version(), production, as_at())
st.title(f"{t('cost_report')} · {report.title}")
no_devis(report.chapters)

# a chapter over budget is flagged in a column of its own, not by colour alone: readable by
# everyone, in a screen reader or a printout too (and the page is spared pandas' Styler); the
# column comes first, where it is seen without scrolling the wide table
flagged = with_total(report.chapters, report.totals).with_columns(
    pl.when(pl.col("variance") < 0).then(pl.lit("⚠")).otherwise(pl.lit("")).alias(t("over_budget"))
)
chapters = money_table(
    flagged, [t("over_budget"), "chapter_code", "chapter_label", *FIGURES, "pct_spent"]
)
st.dataframe(headed(chapters), hide_index=True, width="stretch")
codes = report.chapters["chapter_code"].to_list()
labels = dict(zip(codes, report.chapters["chapter_label"].to_list(), strict=True))
chapter = st.selectbox(
    t("open_chapter"), codes, format_func=lambda c: f"{c} · {labels[c]}", key="chapter"
)
lines = report.lines.filter(pl.col("chapter_code") == chapter)
st.dataframe(
    headed(money_table(lines, ["code", "label", *FIGURES, "pct_spent", "expenses"])),
    hide_index=True,
    width="stretch",
)
line = st.selectbox(t("open_line"), lines["code"].to_list(), key="line")
if line:
    expenses = data.named(
        data.version(),
        "dashboard.line_expenses",
        (("pid", production), ("code", line), ("at", as_at())),
    )
    st.caption(f"{expenses.height} {t('rows')}")
    st.dataframe(money_table(expenses.head(2000)), hide_index=True, width="stretch")
