"""Expenses: filter by territory, chapter, supplier, scheme, date and status; every row shows
the file and row it came from."""

import streamlit as st

from dashboards.ui.auth import is_editor
from dashboards.ui.expenses import FIELDS, apply_override, filtered_expenses, options
from dashboards.ui.i18n import lang, t
from dashboards.ui.view import as_at, money_table, no_expenses, require_production
from finance.domain import i18n
from finance.domain.fmt import fmt_count, fmt_money

#: rows per page of the table (the whole result is reachable, a page at a time)
PAGE = 1000

production = require_production()
st.title(t("expenses"))
# opened from a Funders result (`expenses?rule=...&counted=1`): that rule's expenses only
from dashboards.ui.evidence_link import evidence_filter, show_filtered  # noqa: E402

if (shown := evidence_filter(production)) is not None:
    show_filtered(shown)
    st.stop()
opts = options(production)
cols = st.columns(4)
territories = cols[0].multiselect(t("territory"), opts["territory"], key="f_territory")
chapters = cols[1].multiselect(t("chapter"), opts["chapter_code"], key="f_chapter")
statuses = cols[2].multiselect(t("status"), ["actual", "committed"], key="f_status")
schemes = cols[3].multiselect(t("scheme"), opts["scheme"], key="f_scheme")
search = st.text_input(t("search"), key="f_search", placeholder="Studio, FAC-123, BE0403170701…")
dates = st.date_input(t("date_range"), value=[], key="f_dates")
chosen = (
    territories,
    chapters,
    statuses,
    schemes,
    search,
    tuple(dates) if isinstance(dates, tuple) else (),
)
_, total, amount = filtered_expenses(production, *chosen, as_at(), limit=0)
filters = (territories, chapters, statuses, schemes, search.strip(), dates)
if total == 0 and not any(filters):  # nothing imported yet, not a filter that matches nothing
    no_expenses(total)
else:
    pages = max(1, -(-total // PAGE))
    page = 1
    if pages > 1:  # the whole result, a page at a time
        page = int(st.number_input(t("expenses.page"), 1, pages, 1, key="f_page"))
    frame = filtered_expenses(production, *chosen, as_at(), limit=PAGE, offset=(page - 1) * PAGE)[0]
    st.caption(
        i18n.text(
            "expenses.summary",
            lang(),
            count=fmt_count(total, lang()),
            total=fmt_money(amount, lang(), "EUR"),
            page=str(page),
            pages=str(pages),
        )
    )
    st.dataframe(money_table(frame), hide_index=True, width="stretch")
if is_editor():
    with st.expander(t("correct")), st.form("override"):
        ids = st.text_input(t("expense_ids"), key="o_ids")
        field = st.selectbox(t("field"), FIELDS, key="o_field")
        value = st.text_input(t("new_value"), key="o_value", placeholder="BE-WAL, direct, oui…")
        reason = st.text_input(t("reason"), key="o_reason")
        if st.form_submit_button(t("apply")):
            message, ok = apply_override(production, ids, field, value, reason)
            (st.success if ok else st.error)(message)
