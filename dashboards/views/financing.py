"""Financing: does the plan cover the devis, whose money it is, which tranche waits on which
milestone or rule, what has come in (with its provenance); an editor records a receipt here;
and a what-if (a moved shoot, a delayed tranche, a dropped source) beside today's plan, computed
on a copy of the plan: opening or trying never writes."""

from decimal import Decimal

import streamlit as st

from dashboards.ui import data
from dashboards.ui.auth import is_editor
from dashboards.ui.financing import (
    comparison_table,
    country_table,
    form_error_lines,
    gap_lines,
    low_change,
    low_sentence,
    moved_table,
    open_tranches,
    receipts_table,
    rules_table,
    source_names,
    sources_table,
    status_table,
    table,
    tranches_table,
)
from dashboards.ui.i18n import lang, t
from dashboards.ui.view import as_at, require_production
from finance.domain import i18n
from finance.domain.errors import UserError
from finance.domain.fmt import fmt_money
from finance.domain.reasons import error_lines
from finance.importers.receipts import record_receipt

production = require_production()
code = lang()
view = data.financing(data.version(), production, as_at())
st.title(f"{t('financing')} · {data.manifest(data.version(), production).title}")
if not view.sources.height:
    st.info(t("cash.no_plan"))
    st.stop()

done = st.session_state.pop("receipt_done", None)
if done:  # the receipt recorded on the previous run, said once
    st.toast(done, icon=":material/check:")

# the gap first: what the producer still has to find
balance = view.balance
head, secured = gap_lines(view, code)
(st.warning if balance["gap"] > 0 else st.success)(head, icon=":material/savings:")
if secured:
    st.caption(secured)
columns = st.columns(3)
columns[0].metric(t("finpage.budget"), fmt_money(balance["budget"], code, view.currency))
columns[1].metric(t("finpage.total"), fmt_money(balance["financing"], code, view.currency))
gap_label = "finpage.gap" if balance["gap"] >= 0 else "finpage.surplus"
columns[2].metric(t(gap_label), fmt_money(abs(balance["gap"]), code, view.currency))

st.subheader(t("finpage.plan"))
table(sources_table(view, code), code)
left, right = st.columns(2)
with left:
    st.markdown(f"**{t('finpage.by_status')}**")
    table(status_table(view, code), code)
with right:
    st.markdown(f"**{t('finpage.by_country')}**")
    table(country_table(view, code), code)

st.subheader(t("finpage.tranches"))
if view.weeks.height and view.low:
    st.markdown(low_sentence(view, code))
table(tranches_table(view, code), code)

st.subheader(t("finpage.receipts"))
if view.receipts.height:
    table(receipts_table(view, code), code, height="auto")
else:
    st.caption(t("finpage.no_receipts"))

if is_editor():  # a viewer reads the receipts; only an editor records one
    # no "press Enter" hint (Streamlit's own words, in English): the button records
    with st.form("receipt_form", enter_to_submit=False):
        st.markdown(f"**{t('finpage.form.title')}**")
        first, second = st.columns(2)
        tranche = first.selectbox(
            t("finpage.col.tranche"), open_tranches(view), key=f"receipt_tranche_{production}"
        )
        received_on = second.date_input(
            t("finpage.form.date"),
            value=as_at(),
            max_value=as_at(),
            format="YYYY-MM-DD" if code == "en" else "DD/MM/YYYY",
            key="receipt_date",
        )
        amount = first.text_input(
            t("finpage.form.amount"), key="receipt_amount", help=t("finpage.form.amount_help")
        )
        payer = second.text_input(t("finpage.col.payer"), key="receipt_payer")
        reference = first.text_input(t("finpage.col.reference"), key="receipt_reference")
        submitted = st.form_submit_button(
            t("finpage.form.submit"), type="primary", key="receipt_submit"
        )
    if submitted:
        try:
            outcome = record_receipt(
                data.db_path(),
                production,
                str(tranche),
                received_on,
                amount.strip(),
                reference.strip() or None,
                payer.strip() or None,
            )
        except UserError as exc:
            st.error("  \n".join(form_error_lines(exc, code)))
        else:
            if outcome.imported:
                data.clear()
                st.session_state["receipt_done"] = i18n.text(
                    "finpage.form.done",
                    code,
                    view.currency,
                    amount=Decimal(outcome.total),
                    tranche=str(tranche),
                )
                st.rerun()
            st.info(t("finpage.form.duplicate"))

# what-if: the plan, the cash low point and the funders' windows beside today's, not stored
st.subheader(t("whatif.title"))
st.caption(t("whatif.caption"))
shift_col, delay_col, drop_col = st.columns(3)
shift = shift_col.number_input(
    t("whatif.shift"),
    min_value=-52,
    max_value=52,
    value=0,
    step=1,
    key=f"whatif_shift_{production}",
)
no_tranche = t("whatif.no_tranche")
tranches = view.payments["tranche_id"].unique(maintain_order=True).to_list()
delayed = delay_col.selectbox(
    t("whatif.delay"), [no_tranche, *tranches], key=f"whatif_tranche_{production}_{code}"
)
delay = delay_col.number_input(
    t("whatif.delay_weeks"), min_value=0, max_value=104, value=0, step=1, key="whatif_delay"
)
names = source_names(view, code)
by_name = {name: sid for sid, name in names.items()}
if len(by_name) < len(names):  # two sources of the same name: their ids tell them apart
    by_name = {f"{name} ({sid})": sid for sid, name in names.items()}
dropped = drop_col.multiselect(
    t("whatif.drop"),
    list(by_name),
    placeholder=t("widgets.choose"),
    select_all=False,
    key=f"whatif_drop_{production}_{code}",
)
delays = ((str(delayed), int(delay)),) if delayed != no_tranche and delay else ()
drops = tuple(sorted(by_name[d] for d in dropped))
if not (shift or delays or drops):
    st.caption(t("whatif.pick"))
    st.stop()
try:
    with st.spinner(t("whatif.computing")):
        found = data.what_if(data.version(), production, as_at(), int(shift), delays, drops)
except UserError as exc:
    st.error("  \n".join(error_lines(exc, code)))
    st.stop()
st.markdown(low_change(found, code))
table(comparison_table(found, code), code)
st.markdown(f"**{t('whatif.moved')}**")
if found.moved.height:
    table(moved_table(found, code), code)
else:
    st.caption(t("whatif.no_moves"))
st.markdown(f"**{t('whatif.rules')}**")
changed = rules_table(found, code)
if changed.height:
    table(changed, code)
else:
    st.caption(t("whatif.no_rule_changes"))
