"""Imports: upload, see the validation report (in the file's own headers), the duplicates and
the documents to code before anything is written, confirm once; correct the quarantine."""

import streamlit as st

from dashboards.ui import data
from dashboards.ui.auth import require_editor
from dashboards.ui.coding import coding_form
from dashboards.ui.i18n import lang, t
from dashboards.ui.imports import (
    MAX_MB,
    as_polars,
    cell_text,
    column_names,
    confirm_once,
    editable,
    keep_only,
    preview_summary,
    problem_table,
    quarantine_in_words,
    quarantine_rows,
    retry,
    rows_table,
    run_import,
    run_preview,
    save_upload,
    sign_warnings,
)
from dashboards.ui.other_imports import KINDS, import_other
from dashboards.ui.view import require_production
from finance.domain import i18n

require_editor()
production = require_production()
st.title(t("imports"))
# the kinds in words as the options themselves (no key: the words change with the language)
kind_of = {t(f"imports.kind.{k}"): k for k in KINDS}
kind = kind_of[str(st.radio(t("imports.kind"), list(kind_of), horizontal=True))]
upload = st.file_uploader(
    t("upload"),
    type=["csv", "xlsx", "txt", "tsv", "xml", "pdf", "zip"],
    key="upload",
    help=i18n.text("imports.upload.help", lang(), mb=str(MAX_MB)),
    max_upload_size=MAX_MB,
)
if upload is not None:
    # one upload, one saved copy, one preview and one import (the button is disabled once done)
    done = st.session_state.setdefault("imports_done", {})
    saved = st.session_state.setdefault("imports_saved", {})
    ident = f"{production}|{kind}|{upload.file_id}"
    if ident not in saved and ident not in done:
        saved[ident] = save_upload(upload.name, upload.getvalue())
    path = saved.get(ident)
    keep_only(saved, ident, done)  # the copies of earlier uploads are removed
    if path is None:
        st.error(i18n.text("imports.too_big", lang(), mb=str(MAX_MB)))
    elif kind != "expenses":  # a devis, a mapping or rates: imported on confirmation
        confirm_once(ident, done, "confirm_other", lambda: import_other(kind, production, path))
    else:
        previews = st.session_state.setdefault("imports_previews", {})
        if ident not in previews:
            with st.spinner(t("imports.reading")):
                previews[ident] = run_preview(production, path)
        preview = previews[ident]
        st.subheader(t("validate"))
        if isinstance(preview, str):
            st.error(preview)
        else:
            st.markdown(preview_summary(preview))
            if preview.problems:
                st.caption(t("imports.preview.invalid"))
                st.dataframe(
                    problem_table(preview.problems, preview),
                    hide_index=True,
                    width="stretch",
                    placeholder="",
                )
            else:
                st.success(t("all_valid"))
            if preview.duplicates.height:
                st.caption(t("imports.preview.duplicates"))
                st.dataframe(
                    rows_table(preview.duplicates),
                    hide_index=True,
                    placeholder="–",
                    width="stretch",
                )
            if preview.waiting.height:
                st.caption(t("imports.preview.waiting"))
                st.dataframe(
                    rows_table(preview.waiting), hide_index=True, placeholder="–", width="stretch"
                )
            skip = st.checkbox(t("skip_invalid"), value=False, key="skip_invalid")
            warnings = sign_warnings(preview, lang())
            for warning in warnings:  # more credits than debits: likely a sign error
                st.warning(warning)
            accept = bool(warnings) and st.checkbox(
                t("accept_credits"), value=False, key="accept_credits"
            )
            if confirm_once(
                ident, done, "confirm", lambda: run_import(production, path, skip, accept)
            ):
                st.caption(t("imports.done_once"))

coding_form(production)

st.subheader(t("quarantine"))
quarantine = data.named(data.version(), "imports.quarantine", (("pid", production),))
if quarantine.is_empty():
    st.caption(t("imports.quarantine.none"))
else:
    st.dataframe(quarantine_in_words(quarantine), hide_index=True, placeholder="–", width="stretch")
if "fix_said" in st.session_state:  # the retry just done (the page reran to show its result)
    said = str(st.session_state.pop("fix_said"))
    st.toast(said)
    st.success(said)
invalid = quarantine_rows(production)
if invalid.height:
    st.subheader(t("imports.fix.title"))
    st.caption(t("imports.fix.hint"))
    files = sorted(set(invalid["source_file"].to_list()))
    file = st.selectbox(
        t("imports.col.file"), files, key="fix_file", placeholder=t("widgets.choose")
    )
    of_file = invalid.filter(invalid["source_file"] == file)
    rows = editable(of_file)
    names = column_names(of_file)
    headers = {c: names.get(c, c) for c in rows.columns}
    headers |= {"source_row": t("imports.col.row"), "reasons": t("imports.col.reason")}
    edited = st.data_editor(
        rows.rename(headers),
        hide_index=True,
        width="stretch",
        disabled=[headers["source_row"], headers["reasons"]],
        key=f"fix_rows|{file}",
    )
    reason = st.text_input(t("reason"), key="fix_reason", placeholder=t("expenses.pick.reason"))
    if st.button(t("imports.fix.retry"), type="primary", key="fix_retry"):
        back = {v: k for k, v in headers.items()}
        corrected = [
            {back[k]: cell_text(v) for k, v in row.items()} for row in as_polars(edited).to_dicts()
        ]
        with st.spinner(t("imports.working")):
            message, ok, rejected = retry(production, str(file), corrected, reason)
        if ok:
            st.session_state["fix_said"] = message
            st.rerun()
        else:
            st.error(message)
            if rejected:
                st.dataframe(
                    problem_table(rejected, headers=names),
                    hide_index=True,
                    placeholder="–",
                    width="stretch",
                )
