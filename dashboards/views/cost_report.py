"""Cost report: one table, each chapter's sub-total above its lines and the TOTAL under them;
a row clicked opens its expenses below; the table exported as XLSX."""

import streamlit as st

from dashboards.ui import data
from dashboards.ui.audited import recorder
from dashboards.ui.cost import (
    column_config,
    drill,
    drill_caption,
    drill_table,
    report_rows,
    shown,
    xlsx_bytes,
    xlsx_name,
)
from dashboards.ui.i18n import t
from dashboards.ui.view import as_at, no_devis, require_production

production = require_production()
report = data.report(data.version(), production, as_at())
st.title(f"{t('cost_report')} · {report.title}")
no_devis(report.chapters)

rows = report_rows(report)
# a chapter or a line over budget is flagged in a column of its own, not by colour alone:
# readable by everyone, in a screen reader or a printout too (the page is spared pandas' Styler)
st.caption(t("cost.click_hint"))
event = st.dataframe(
    shown(rows),
    hide_index=True,
    placeholder="–",
    width="stretch",
    column_config=column_config(),
    on_select="rerun",
    selection_mode="single-row",
    key="cost_table",
)
st.download_button(
    t("cost.export"),
    data=xlsx_bytes(rows, f"{t('cost_report')} · {report.title} · {as_at():%d/%m/%Y}"),
    file_name=xlsx_name(production, as_at()),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click=recorder("export.cost_report", production, xlsx_name(production, as_at()), {}),
    icon=":material/download:",
    key="cost_export",
)

selected = event.selection.rows if event else []
if selected:
    kind, key = rows.row(selected[0], named=True)["kind"], rows["key"][selected[0]]
    found = drill(report, kind, key)
    if found is not None:
        st.subheader(f"{t('cost.drill.title')} · {found.title}")
        st.caption(drill_caption(found, report.currency))
        st.dataframe(drill_table(found.expenses), hide_index=True, placeholder="–", width="stretch")
    else:
        st.caption(t("cost.drill.pick"))
