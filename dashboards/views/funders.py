"""Funders: each scheme's obligation, where it stands, where it will land, what is missing where."""

import streamlit as st

from dashboards.ui import charts, data
from dashboards.ui.funders import (
    evidence_table,
    exportable,
    figures,
    justification_file,
    parameter_table,
    scheme_colour,
    scheme_titles,
    sentences,
    show_agreements,
    verification,
    window,
)
from dashboards.ui.i18n import lang, t
from dashboards.ui.view import as_at, require_production
from finance.checks import run_check
from finance.domain.fmt import fmt_money

production = require_production()
st.title(t("funders"))
run, results = data.latest_results(data.version(), production)
# the checks are stored only when asked for: opening the page never writes to the database
if st.button(t("run_checks"), type="primary"):
    run_check(data.db_path(), production, as_at())
    data.clear()
    run, results = data.latest_results(data.version(), production)
if run is None:  # no check stored yet: today's results, evaluated for the page, not stored
    results = data.unstored_results(data.version(), production, as_at())
    st.info(t("funders.not_checked"))
else:
    st.caption(
        f"{t('last_run')}: {run['ran_at']:%d/%m/%Y %H:%M} · {t('as_at')} "
        f"{run['as_at']:%d/%m/%Y} · rulebook {run['rulebook']}"
    )
if data.ledger_changed(data.version(), production):
    st.warning(t("ledger_changed"))
if not results:
    st.info(t("funders.none"))

names = {k: t(k) for k in ("measured", "projected", "threshold")}
currency = data.manifest(data.version(), production).currency
for scheme, title in scheme_titles(results, lang()).items():
    mine = [r for r in results if r["scheme"] == scheme]
    unchecked = sum(1 for r in mine if not r.get("verified"))
    worst = next(
        (
            s
            for s in ("fail", "warn", "insufficient_data", "pass")
            if any(r["status"] == s for r in mine)
        ),
        "",
    )
    # a panel computes its content only while open (the schemes that fail or warn open at
    # first): the page no longer draws every chart and table of the schemes that pass
    flag = f" · ⚠ {unchecked} {t('results_unverified')}" if unchecked else ""
    panel = st.expander(
        f"{title} · {worst.upper()}{flag}",
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
            rule_title, explanation = sentences(r, currency)
            st.markdown(f"**{r['rule_id']}** · `{r['status']}` · {rule_title}")
            st.caption(explanation)
            checked, said = verification(r, currency)
            if checked:
                st.caption(f"✓ {said}")
            else:  # a clear flag: the result rests on figures nobody checked against the text
                st.warning(said, icon="⚠️")
            if r.get("threshold") is not None and r.get("measured") is not None:
                cols = st.columns(4)
                cols[0].metric(t("measured"), fmt_money(r["measured"], lang(), currency))
                cols[1].metric(t("threshold"), fmt_money(r["threshold"], lang(), currency))
                cols[2].metric(t("projected"), fmt_money(r["projected"], lang(), currency))
                cols[3].metric(
                    t("shortfall"),
                    fmt_money(r["shortfall"], lang(), currency),
                    help=f"{t('where')}: {r.get('spend_where') or '–'}",
                )
                if r.get("evidence_count"):
                    st.plotly_chart(
                        charts.obligation(r, names), width="stretch", key=f"chart-{r['rule_id']}"
                    )
            st.dataframe(parameter_table(r), hide_index=True, width="stretch")
        if exportable(scheme):
            left, right = st.columns(2)
            if left.button(t("prepare_files"), key=f"prepare-{scheme}"):
                st.session_state[f"files-{scheme}"] = {
                    suffix: justification_file(production, scheme, as_at(), lang(), suffix)
                    for suffix in (".xlsx", ".pdf")
                }
                data.clear()
            files = st.session_state.get(f"files-{scheme}")
            if files:
                left.download_button(
                    t("download_workbook"),
                    files[".xlsx"],
                    f"{production}-{scheme}.xlsx",
                    key=f"dl-xlsx-{scheme}",
                )
                right.download_button(
                    t("download_pdf"),
                    files[".pdf"],
                    f"{production}-{scheme}.pdf",
                    key=f"dl-pdf-{scheme}",
                )
        if any(r.get("evidence_count") for r in mine):
            st.markdown(f"**{t('evidence')}**")
            # the expenses are read on demand where the scheme passes: each scheme's evidence
            # evaluates its eligibility over the whole ledger
            attention = worst in ("fail", "warn")
            if st.toggle(t("show_evidence"), value=attention, key=f"evidence-{scheme}"):
                counts = st.toggle(t("counts"), value=True, key=f"counts-{scheme}")
                st.dataframe(
                    evidence_table(
                        production,
                        scheme,
                        counts,
                        values=figures(mine),
                        per_agreement=any(r.get("agreements") for r in mine),
                    ),
                    hide_index=True,
                    width="stretch",
                )
