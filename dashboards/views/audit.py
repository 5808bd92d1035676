"""Audit trail: who imported, corrected, checked or exported what, when and why."""

import polars as pl
import streamlit as st

from dashboards.ui import data
from dashboards.ui.i18n import t
from dashboards.ui.view import require_production

production = require_production()
st.title(t("audit"))
st.caption(t("audit_intro"))
frame = data.audit_trail(data.version(), production)
actions = sorted(set(frame["action"].to_list()))
chosen = st.multiselect(t("action"), actions, key="audit_actions")
if chosen:
    frame = frame.filter(pl.col("action").is_in(chosen))
shown = frame.select(
    pl.col("occurred_at").dt.strftime("%d/%m/%Y %H:%M:%S").alias(t("when")),
    pl.col("actor").alias(t("who")),
    pl.col("action").alias(t("action")),
    pl.col("target").alias(t("target")),
    pl.col("reason").alias(t("reason")),
    pl.col("details").alias(t("details")),
)
st.dataframe(shown, hide_index=True, width="stretch")
