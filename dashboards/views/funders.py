"""Funders: does each scheme pass, by how much, and what to do about it, in the reader's words;
each result's figures as a sentence, its parameters and their sources, the expenses behind it."""

import streamlit as st

from dashboards.ui import data
from dashboards.ui.funders import (
    exportable,
    file_name,
    prepare_files,
    scheme_colour,
    scheme_titles,
    show_agreements,
    show_result,
    window,
    zipped,
)
from dashboards.ui.i18n import lang, t
from dashboards.ui.result_words import run_line, status_markdown, worst_first
from dashboards.ui.spend_plan import spend_plan_panel
from dashboards.ui.view import as_at, require_production
from finance.checks import run_check

production = require_production()
st.title(t("funders"))
run, results = data.latest_results(data.version(), production)
# the checks are stored only when asked for: opening the page never writes to the database
if st.button(t("run_checks"), type="primary"):
    with st.spinner(t("funders.running")):
        run_check(data.db_path(), production, as_at())
    data.clear()
    st.toast(t("funders.ran"), icon=":material/check:")
    run, results = data.latest_results(data.version(), production)
if run is None:  # no check stored yet: today's results, evaluated for the page, not stored
    results = data.unstored_results(data.version(), production, as_at())
    st.info(t("funders.not_checked"))
else:
    st.caption(run_line(run, lang()))
if data.ledger_changed(data.version(), production):
    st.warning(t("ledger_changed"))
if not results:
    st.info(t("funders.none"))

code = lang()
# the schemes that fail or warn first: the reader's first question is what needs doing
titles = worst_first(scheme_titles(results, code), results)
day = as_at()
# the justification files of every scheme at once (each scheme's own are in its panel)
files_of = [s for s in titles if exportable(s)]
if files_of:
    if st.button(t("funders.files.prepare_all"), key="prepare-all", icon=":material/folder_zip:"):
        st.session_state["files-all"] = zipped(prepare_files(production, files_of, day, code))
    if st.session_state.get("files-all"):
        st.download_button(
            t("funders.files.download_all"),
            st.session_state["files-all"],
            file_name(production, "schemes", day, ".zip"),
            key="dl-all",
            icon=":material/download:",
        )

# the panel named in the address (`funders?scheme=`, the Overview's strip links there) opens,
# once: the reader may close it afterwards
wanted = st.query_params.get("scheme")
if wanted in titles and st.session_state.get("_funders_opened") != wanted:
    st.session_state[f"scheme-{wanted}"] = True
    st.session_state["_funders_opened"] = wanted

names = {k: t(k) for k in ("measured", "projected", "threshold")}
currency = data.manifest(data.version(), production).currency
for scheme, title in titles.items():
    mine = [r for r in results if r["scheme"] == scheme]
    unchecked = sum(1 for r in mine if not r.get("verified"))
    worst = next(
        (
            s
            for s in ("fail", "warn", "insufficient_data", "pass")
            if any(r["status"] == s for r in mine)
        ),
        "not_applicable",
    )
    # a panel computes its content only while open (the schemes that fail or warn open at
    # first): the page no longer draws every chart and table of the schemes that pass
    flag = f" · ⚠ {unchecked} {t('results_unverified')}" if unchecked else ""
    panel = st.expander(
        f"{title} · {status_markdown(worst, code)}{flag}",
        expanded=worst in ("fail", "warn"),
        key=f"scheme-{scheme}",
        on_change="rerun",
    )
    if not panel.open:
        continue
    with panel:
        colour = scheme_colour(scheme)
        if colour:  # the pack's colour (validated as #rrggbb when the pack loads)
            st.markdown(
                f'<span style="color:{colour}">■</span> **{title}**', unsafe_allow_html=True
            )
        period = window(mine)
        if period:
            st.caption(period)
        # each agreement on its own and the value the spend supports (schemes that have them)
        show_agreements(scheme, mine, currency)
        for r in mine:
            show_result(production, r, currency, names)
        if exportable(scheme):
            st.markdown(f"**{t('funders.files.heading')}**")
            if st.button(
                t("funders.files.prepare"), key=f"prepare-{scheme}", icon=":material/description:"
            ):
                st.session_state[f"files-{scheme}"] = prepare_files(production, [scheme], day, code)
            files = st.session_state.get(f"files-{scheme}")
            if files:
                left, right = st.columns(2)
                for column, suffix, label in (
                    (left, ".xlsx", "download_workbook"),
                    (right, ".pdf", "download_pdf"),
                ):
                    name = file_name(production, scheme, day, suffix)
                    if name in files:
                        column.download_button(
                            t(label), files[name], name, key=f"dl-{suffix[1:]}-{scheme}"
                        )

# where the rest of the budget should be spent so that every obligation is met (issue 20)
spend_plan_panel(production, day)
