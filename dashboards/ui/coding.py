"""The Imports page's form to book a waiting document on a budget line, with a reason (the
same code as `cineledger code`)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards.ui import data
from dashboards.ui.i18n import lang, t
from dashboards.ui.imports import interface_words, reasons_words
from finance.domain import i18n
from finance.domain.errors import UserError
from finance.importers.coding import code_documents


def waiting_documents(production: str) -> pl.DataFrame:
    """The documents of the production waiting for a budget line: file, row, reasons."""
    rows = data.named(data.version(), "imports.quarantine", (("pid", production),))
    return rows.filter(pl.col("kind") == "to_code")


def budget_lines(production: str) -> list[str]:
    """The codes of the production's current devis, in order."""
    lines = data.named(data.version(), "imports.budget_lines", (("pid", production),))
    return [str(c) for c in lines["code"].to_list()]


def coding_form(production: str) -> None:
    """Choose a waiting document, a line of the devis and a reason; book it."""
    st.subheader(t("coding.title"))
    lines = budget_lines(production)
    waiting = waiting_documents(production)
    if waiting.is_empty():
        st.caption(t("coding.none"))
        return
    code = lang()
    labels = [
        f"{f} · {r} · {reasons_words(str(why), None, code)}"
        for f, r, why in waiting.select("source_file", "source_row", "reasons").iter_rows()
    ]
    with st.form("coding"):
        chosen = st.selectbox(
            t("coding.document"),
            range(len(labels)),
            format_func=labels.__getitem__,
            placeholder=t("widgets.choose"),
        )
        line = st.selectbox(
            t("coding.line"), lines, key="coding-line", placeholder=t("widgets.choose")
        )
        reason = st.text_input(
            t("coding.reason"), key="coding-reason", placeholder=t("expenses.pick.reason")
        )
        if st.form_submit_button(t("coding.book"), type="primary"):
            file, row = waiting.row(int(chosen or 0))[1:3]
            try:
                out = code_documents(
                    data.db_path(), production, str(file), [int(row)], str(line), reason
                )
            except UserError as exc:
                st.error(interface_words(exc))
                return
            booked = sum(f.imported + f.duplicates for f in out.files)
            st.success(i18n.text("coding.done", lang(), count=str(booked), line=str(line)))
            data.clear()
