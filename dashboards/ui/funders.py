"""Helpers of the Funders page: titles, parameter badges, the agreements and the value the spend
supports, the evidence table."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from dashboards.ui import charts, data
from dashboards.ui.evidence_link import (
    column_config,
    evidence_frame,
    link_params,
    per_agreement,
    read_evidence,
    summary,
)
from dashboards.ui.i18n import LANGS, lang, t
from dashboards.ui.result_words import (
    STATUS_COLOUR,
    breakdown,
    is_cap,
    kind_of,
    parameter_lines,
    result_sentence,
    status_markdown,
)
from finance.domain import i18n
from finance.domain.fmt import fmt_count, fmt_money
from finance.domain.packs import scheme_label
from finance.exports.run import export, exportable_schemes
from finance.reports import agreements as said
from finance.reports.evidence import has_evidence
from rules.loader import load_packs
from rules.sentences import (
    address_basis_text,
    result_sentences,
    verification_text,
    window_text,
)


def scheme_titles(results: list[dict[str, Any]], lang_code: str = "en") -> dict[str, str]:
    """Schemes of the results, in order, with their packs' labels in the language (the pack's
    title where it has none)."""
    schemes = dict.fromkeys(r["scheme"] for r in results)
    return {s: scheme_label(s, lang_code) for s in schemes}


def scheme_colour(scheme: str) -> str | None:
    """The pack's colour for the scheme, if it has one."""
    pack = load_packs().get(scheme)
    return pack.presentation.colour if pack else None


def exportable(scheme: str) -> bool:
    """Whether the scheme has a justification file (`cineledger export --scheme`)."""
    return scheme in exportable_schemes()


def sentences(result: dict[str, Any], currency: str) -> tuple[str, str]:
    """The result's title and explanation in the reader's language."""
    return result_sentences(result, lang(), currency)


def figures(results: list[dict[str, Any]]) -> dict[str, Decimal]:
    """The parameters the results used, by name (for the reasons that show one)."""
    return {p["name"]: Decimal(p["value"]) for r in results for p in r.get("parameters", [])}


def verification(result: dict[str, Any], currency: str) -> tuple[bool, str]:
    """Whether the result rests only on inputs checked against the legal text, and the sentence
    that says so or names those that are not, in the reader's language (a result stored before
    results said it is not taken as verified)."""
    return bool(result.get("verified")), verification_text(result, lang(), currency)


def window(results: list[dict[str, Any]]) -> str | None:
    """The scheme's spending window and where it comes from, in words (its first result that
    has one)."""
    return next((w for w in (window_text(r, lang()) for r in results) if w), None)


def agreements(results: list[dict[str, Any]], currency: str) -> said.Work | None:
    """The scheme's agreements, where they stand on their own (the results are one scheme's)."""
    return next(iter(said.works(results, lang(), currency)), None)


def show_agreements(scheme: str, results: list[dict[str, Any]], currency: str) -> None:
    """Each agreement on its own (its window, each of its rules measured against what it
    requires, with its status, and the value its spend supports), then the work's value
    supported today and at completion, in the reader's words."""
    code = lang()
    work = agreements(results, currency)
    if work is not None:
        st.markdown(f"**{said.heading(scheme, code)}**")
        for a in work.agreements:
            with st.container(border=True, key=f"agreement-{scheme}-{a.k}"):
                st.markdown(f"**{said.name(a, code)}** · {said.window_sentence(a, code)}")
                reason = said.reason_sentence(a, code)
                if reason:
                    st.caption(reason)
                for f in a.rules:
                    colour = STATUS_COLOUR.get(f.status, "gray")
                    st.markdown(f":{colour}[{said.rule_sentence(f, code, currency)}]")
                cols = st.columns(3)
                cols[0].metric(t("agreements.col.value"), fmt_money(a.value, code, currency))
                cols[1].metric(
                    t("agreements.supportable_today"),
                    fmt_money(a.supportable_value, code, currency),
                )
                cols[2].metric(
                    t("agreements.supportable_at_completion"),
                    fmt_money(a.at_completion, code, currency),
                )
                factors = said.factors_sentence(scheme, a, code, currency)
                if factors:
                    st.caption(factors)
    support = said.supported(results).get(scheme)
    if support:
        later = support.get("at_completion") or {}
        today, at_completion = st.columns(2)
        today.metric(
            t("agreements.work_today"),
            fmt_money(Decimal(support["value"]), code, currency),
        )
        at_completion.metric(
            t("agreements.work_at_completion"),
            fmt_money(Decimal(later["value"]) if later.get("value") else None, code, currency),
        )
        st.info(said.supportable_sentence(scheme, support, code, currency))


def justification_file(production: str, scheme: str, at: Any, lang_code: str, suffix: str) -> bytes:
    """The scheme's workbook or PDF summary, built on demand: the check it rests on is evaluated
    and not stored (preparing a file adds no hidden rule run; the export is in the audit trail)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{production}-{scheme}{suffix}"
        export(
            data.db_path(),
            production,
            scheme,
            out,
            at,
            lang_code if lang_code in LANGS else "fr",
            store_run=False,
        )
        return out.read_bytes()


def show_result(
    production: str, result: dict[str, Any], currency: str, names: dict[str, str]
) -> None:
    """One result, for a reader who does not know the rule ids: its title and status in words,
    its figures as a sentence, whether it rests on checked figures, its metrics, its
    parameters, and the expenses behind its figure."""
    code = lang()
    rule_id = str(result["rule_id"])
    title, explanation = sentences(result, currency)
    with st.container(border=True, key=f"result-{rule_id.replace('.', '-')}"):
        st.markdown(f"**{title}** · {status_markdown(str(result['status']), code)}")
        st.caption(
            i18n.text(
                "funders.rule_caption", code, rule=rule_id, reference=result.get("reference") or "–"
            )
        )
        said = result_sentence(result, code, currency)
        if said:
            st.markdown(said)
        if explanation:
            st.caption(explanation)
        basis = address_basis_text(result, code, currency)
        if basis:  # the scheme tests a supplier's recorded address: which, and for how much
            st.caption(basis)
        checked, flag = verification(result, currency)
        if checked:
            st.caption(f"✓ {flag}")
        else:  # a clear flag: the result rests on figures nobody checked against the text
            st.warning(flag, icon="⚠️")
        kind, amount = kind_of(result)
        if result.get("unit", "money") == "money" and kind is not None:
            cols = st.columns(4)
            cols[0].metric(
                t("funders.metric.measured"), fmt_money(result["measured"], code, currency)
            )
            cols[1].metric(
                t("funders.metric.maximum" if is_cap(result) else "funders.metric.required"),
                fmt_money(result["threshold"], code, currency),
            )
            cols[2].metric(
                t("funders.metric.projected"), fmt_money(result["projected"], code, currency)
            )
            cols[3].metric(t(f"funders.metric.{kind}"), fmt_money(amount, code, currency))
            if result.get("evidence_count"):
                st.plotly_chart(
                    charts.obligation(result, names, lang()),
                    width="stretch",
                    key=f"chart-{rule_id}",
                )
        lines = parameter_lines(result, code, currency)
        if lines:
            st.markdown(f"**{t('funders.params.heading')}**")
            st.markdown("\n".join(f"- {line}" for line in lines))
        show_evidence(production, result, currency)


def show_evidence(production: str, result: dict[str, Any], currency: str) -> None:
    """The expenses behind the result's figure (counted, or not counted and why), their count
    and total above the table (for those counted, the measured figure), and the link that opens
    the Expenses page on them; for a rule on the plan's figures (an EU ceiling), the amounts that
    make up its figure."""
    code = lang()
    rule_id = str(result["rule_id"])
    if result.get("measured") is None or result.get("status") == "not_applicable":
        return
    if not has_evidence(rule_id):
        show_breakdown(result, currency)
        return
    st.markdown(f"**{t('funders.evidence.heading')}**")
    # read on demand: each result's evidence evaluates its scheme over the whole ledger (seconds
    # at a million expenses), the page opens without it
    if not st.toggle(t("funders.evidence.show"), value=False, key=f"evidence-{rule_id}"):
        return
    labels = [t("funders.evidence.counted"), t("funders.evidence.not_counted")]
    choice = st.radio(
        t("funders.evidence.choice"), labels, horizontal=True, key=f"counted-{rule_id}"
    )
    counted = choice != labels[1]
    agreements = [int(a["agreement"]) for a in result.get("agreements") or []]
    agreement, expected = (
        pick_agreement(result, agreements) if counted and len(agreements) >= 2 else (None, None)
    )
    if expected is None:
        expected = Decimal(str(result["measured"]))
    with st.spinner(t("funders.evidence.reading")):
        ev = read_evidence(production, rule_id, counted, agreement)
    line = summary(ev)
    if counted and ev.total == expected:
        line += f" · {t('funders.evidence.equals')}"
    st.markdown(f"**{line}**", help=None)
    if ev.count > ev.rows.height:
        st.caption(i18n.text("funders.evidence.first", code, n=fmt_count(ev.rows.height, code)))
    st.dataframe(
        evidence_frame(ev, per_agreement=per_agreement(rule_id) and counted),
        hide_index=True,
        placeholder="–",
        width="stretch",
        column_config=column_config(),
        key=f"evidence-table-{rule_id}",
    )
    st.page_link(
        "views/expenses.py",
        label=t("funders.evidence.open"),
        icon=":material/receipt_long:",
        query_params=link_params(rule_id, counted, agreement),
    )


def pick_agreement(
    result: dict[str, Any], agreements: list[int]
) -> tuple[int | None, Decimal | None]:
    """The agreement whose evidence the reader asks for (None: every one) and its measured
    figure, for a rule whose figures are per agreement."""
    every = t("funders.evidence.all_agreements")
    picked = st.radio(
        t("funders.evidence.agreement"),
        [every, *(str(k) for k in agreements)],
        horizontal=True,
        key=f"agreement-{result['rule_id']}",
    )
    if picked == every:
        return None, None
    mine = next(a for a in result["agreements"] if str(a["agreement"]) == picked)
    return int(picked), Decimal(str(mine["measured"])) if mine.get("measured") else None


def show_breakdown(result: dict[str, Any], currency: str) -> None:
    """A figure measured on the plan (an EU ceiling): the amounts it adds up, their count and
    total, each scheme by its name; shown only where they add up to the measured figure (a
    result whose details list more, such as aid it leaves out, shows its explanation alone)."""
    code = lang()
    parts = breakdown(result)
    total = sum((a for _, a in parts), Decimal(0))
    if not parts or total != Decimal(str(result["measured"])):
        return
    st.markdown(f"**{t('funders.evidence.figures')}**")
    line = i18n.text(
        "funders.evidence.figures_total",
        code,
        count=fmt_count(len(parts), code),
        total=fmt_money(total, code, currency),
    )
    st.markdown(f"**{line} · {t('funders.evidence.equals')}**")
    st.dataframe(
        pl.DataFrame(
            {
                t("funders.col.scheme"): [scheme_label(s, code) for s, _ in parts],
                t("funders.col.amount"): [fmt_money(a, code, currency) for _, a in parts],
            }
        ),
        hide_index=True,
        placeholder="–",
        width="stretch",
        key=f"breakdown-{result['rule_id']}",
    )


# --- the justification files ----------------------------------------------------------------


def file_name(production: str, scheme: str, at: date, suffix: str) -> str:
    """`<production>-<scheme>-2026-12-05.xlsx`: the production, the scheme, the date."""
    return f"{production}-{scheme}-{at.isoformat()}{suffix}"


def prepare_files(production: str, schemes: list[str], at: date, code: str) -> dict[str, bytes]:
    """Each scheme's workbook and PDF, by file name, with a progress indicator where it happens
    (`st.status`) and a toast when done. The check they rest on is evaluated and not stored."""
    out: dict[str, bytes] = {}
    with st.status(t("funders.files.preparing"), expanded=False) as status:
        for scheme in schemes:
            for suffix in (".xlsx", ".pdf"):
                name = file_name(production, scheme, at, suffix)
                st.write(
                    i18n.text(
                        "funders.files.step", code, scheme=scheme_label(scheme, code), file=name
                    )
                )
                out[name] = justification_file(production, scheme, at, code, suffix)
        status.update(label=t("funders.files.ready"), state="complete")
    st.toast(t("funders.files.ready"), icon="✅")
    return out


def zipped(files: dict[str, bytes]) -> bytes:
    """The files in one zip archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
