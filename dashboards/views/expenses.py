"""Expenses: filter by territory, chapter, supplier, scheme, date and status (in words); every
row shows the file and row it came from; the filtered view exported; rows selected to correct."""

import streamlit as st

from dashboards.ui.audited import recorder
from dashboards.ui.auth import is_editor
from dashboards.ui.evidence_link import evidence_filter, show_filtered
from dashboards.ui.expenses import (
    Filters,
    apply_override,
    chapter_labels,
    date_columns,
    export_maker,
    export_name,
    field_labels,
    filtered_expenses,
    options,
    scheme_labels,
    selected_ids,
    shown,
    status_labels,
    territory_labels,
)
from dashboards.ui.i18n import lang, t
from dashboards.ui.view import as_at, no_expenses, require_production
from finance.domain import i18n
from finance.domain.fmt import fmt_count, fmt_money

#: rows per page of the table (the whole result is reachable, a page at a time)
PAGE = 1000

production = require_production()
st.title(t("expenses"))
# opened from a Funders result (`expenses?rule=...&counted=1`): that rule's expenses only
if (evidence := evidence_filter(production)) is not None:
    show_filtered(evidence)
    st.stop()
#: a restriction of the rows before the filters (expense ids, None for all)
only_ids: list[int] | None = None
opts = options(production)
# the options are the words themselves (mapped back to codes): no key, the words change with
# the language
territory_of = territory_labels(opts["territory"])
chapter_of = chapter_labels(production, opts["chapter_code"])
status_of = status_labels()
scheme_of = scheme_labels(opts["scheme"])
cols = st.columns(4)
picked = [
    column.multiselect(
        t(label), list(words), placeholder=t(f"expenses.pick.{name}"), select_all=False
    )
    for column, label, name, words in (
        (cols[0], "territory", "territory", territory_of),
        (cols[1], "chapter", "chapter", chapter_of),
        (cols[2], "status", "status", status_of),
        (cols[3], "scheme", "scheme", scheme_of),
    )
]
search = st.text_input(t("search"), key="f_search", placeholder=t("expenses.pick.search"))
dates = st.date_input(t("date_range"), value=[], key="f_dates", format="DD/MM/YYYY")
chosen = Filters(
    tuple(territory_of[w] for w in picked[0]),
    tuple(chapter_of[w] for w in picked[1]),
    tuple(status_of[w] for w in picked[2]),
    tuple(scheme_of[w] for w in picked[3]),
    search,
    tuple(dates) if isinstance(dates, tuple) and len(dates) == 2 else (),
)
args = (
    chosen.territories,
    chosen.chapters,
    chosen.statuses,
    chosen.schemes,
    chosen.search,
    chosen.dates,
)
_, total, amount = filtered_expenses(production, *args, as_at(), limit=0, only_ids=only_ids)
if total == 0 and not chosen.any() and only_ids is None:  # nothing imported yet
    no_expenses(total)
    st.stop()
pages = max(1, -(-total // PAGE))
page = 1
if pages > 1:  # the whole result, a page at a time
    page = int(st.number_input(t("expenses.page"), 1, pages, 1, key="f_page"))
frame = filtered_expenses(
    production, *args, as_at(), limit=PAGE, offset=(page - 1) * PAGE, only_ids=only_ids
)[0]
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
editor = is_editor()
event = st.dataframe(
    shown(frame),
    column_config=date_columns(),
    hide_index=True,
    width="stretch",
    placeholder="",
    key="f_table",
    on_select="rerun" if editor else "ignore",
    selection_mode="multi-row",
)
if total:  # the whole filtered view, made when the user clicks (not on every rerun)
    down = st.columns(2)
    for column, suffix, mime in (
        (down[0], "csv", "text/csv"),
        (down[1], "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        column.download_button(
            t(f"expenses.export.{suffix}"),
            export_maker(production, chosen, as_at(), total, suffix, only_ids),
            export_name(production, as_at(), suffix),
            mime=mime,
            help=t("expenses.export.help"),
            key=f"export_{suffix}",
            on_click=recorder(
                "export.expenses",
                production,
                export_name(production, as_at(), suffix),
                {"format": suffix, "rows": total},
            ),
        )
if editor:
    rows = list(event.selection.rows) if editor and event is not None else []  # type: ignore[union-attr]
    ids = selected_ids(frame, rows)
    with st.expander(t("correct"), expanded=bool(ids)):
        if ids:
            listed = ", ".join(str(i) for i in ids[:20]) + (" …" if len(ids) > 20 else "")
            st.caption(i18n.text("expenses.fix.selected", lang(), count=str(len(ids)), ids=listed))
        else:
            st.caption(t("expenses.fix.hint"))
        with st.form("override"):
            field_of = field_labels()
            field = st.selectbox(t("field"), list(field_of), placeholder=t("widgets.choose"))
            value = st.text_input(
                t("new_value"), key="o_value", placeholder=t("expenses.pick.value")
            )
            reason = st.text_input(
                t("reason"), key="o_reason", placeholder=t("expenses.pick.reason")
            )
            if st.form_submit_button(t("apply")):
                message, ok = apply_override(production, ids, field_of[str(field)], value, reason)
                (st.success if ok else st.error)(message)
