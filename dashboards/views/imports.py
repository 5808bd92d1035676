"""Imports: upload, see the validation report before anything is written, confirm; quarantine."""

import streamlit as st

from dashboards.ui import data
from dashboards.ui.auth import require_editor
from dashboards.ui.coding import coding_form
from dashboards.ui.i18n import lang, t
from dashboards.ui.imports import MAX_MB, run_import, run_preview, save_upload, sign_warnings
from dashboards.ui.other_imports import KINDS, import_other
from dashboards.ui.view import require_production

require_editor()
production = require_production()
st.title(t("imports"))
# the kinds in words as the options themselves (no key: the words change with the language)
kind_of = {t(f"imports.kind.{k}"): k for k in KINDS}
kind = kind_of[str(st.radio(t("imports.kind"), list(kind_of), horizontal=True))]
upload = st.file_uploader(
    t("upload"), type=["csv", "xlsx", "txt", "tsv", "xml", "pdf", "zip"], key="upload"
)
if upload is not None:
    path = save_upload(upload.name, upload.getvalue())
    if path is None:
        st.error(f"> {MAX_MB} MB")
    elif kind != "expenses":  # a devis, a mapping or rates: imported on confirmation
        if st.button(t("confirm"), type="primary", key="confirm_other"):
            message, ok = import_other(kind, production, path)
            (st.success if ok else st.error)(message)
            data.clear()
    else:
        preview = run_preview(production, path)
        st.subheader(t("validate"))
        if isinstance(preview, str):
            st.error(preview)
        else:
            st.write(f"{preview.rows_read} {t('rows')}, {preview.valid} OK")
            if preview.problems:
                st.dataframe(
                    [
                        {"row": p.row, "column": p.column, "value": p.value, "reason": p.reason}
                        for p in preview.problems
                    ],
                    hide_index=True,
                    width="stretch",
                )
            else:
                st.success(t("all_valid"))
            skip = st.checkbox(t("skip_invalid"), value=False, key="skip_invalid")
            warnings = sign_warnings(preview, lang())
            for warning in warnings:  # more credits than debits: likely a sign error
                st.warning(warning)
            accept = bool(warnings) and st.checkbox(
                t("accept_credits"), value=False, key="accept_credits"
            )
            if st.button(t("confirm"), type="primary", key="confirm"):
                message, ok = run_import(production, path, skip, accept)
                (st.success if ok else st.error)(message)
                data.clear()

coding_form(production)

st.subheader(t("quarantine"))
quarantine = data.named(data.version(), "imports.quarantine", (("pid", production),))
st.dataframe(quarantine, hide_index=True, width="stretch")
