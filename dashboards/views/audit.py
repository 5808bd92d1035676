"""Audit trail: who imported, corrected, checked or exported what, when and why, in words: the
actions and their details in the reader's language, the times in the productions' zone."""

import polars as pl
import streamlit as st

from dashboards.ui import audit, data
from dashboards.ui.i18n import lang, t
from dashboards.ui.view import require_production

production = require_production()
st.title(t("audit"))
st.caption(t("audit_intro"))
frame = data.audit_trail(data.version(), production)
actions = sorted(set(frame["action"].to_list()))
chosen = st.multiselect(
    t("action"),
    actions,
    format_func=lambda code: audit.action_text(code, lang()),
    key="audit_actions",
    placeholder=t("widgets.choose_many"),
    select_all=False,
)
if chosen:
    frame = frame.filter(pl.col("action").is_in(chosen))
st.dataframe(audit.readable(frame, lang()), hide_index=True, placeholder="–", width="stretch")
