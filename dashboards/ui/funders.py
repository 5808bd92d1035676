"""Helpers of the Funders page: titles, parameter badges, the agreements and the value the spend
supports, the evidence table."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from dashboards.ui import data
from dashboards.ui.i18n import LANGS, lang, t
from dashboards.ui.view import as_at, money_table
from finance.domain.fmt import fmt_money
from finance.exports.run import export, exportable_schemes
from finance.reports import agreements as said
from rules.loader import load_packs
from rules.sentences import (
    confidence_word,
    reason_text,
    result_sentences,
    verification_text,
    window_text,
)


def scheme_titles(results: list[dict[str, Any]], lang_code: str = "en") -> dict[str, str]:
    """Schemes of the results, in order, with their packs' labels in the language (the pack's
    title where it has none)."""
    packs = load_packs()
    schemes = list(dict.fromkeys(r["scheme"] for r in results))
    out = {}
    for s in schemes:
        pack = packs.get(s)
        labels = pack.presentation.label if pack else {}
        out[s] = labels.get(lang_code) or labels.get("en") or (pack.title if pack else s)
    return out


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


def parameter_table(result: dict[str, Any]) -> pl.DataFrame:
    """Parameters with value, confidence in words, source and an unverified badge, headed in
    the reader's language."""
    head = {k: t(f"parameter_header.{k}") for k in ("value", "confidence", "source", "valid_from")}
    rows = [
        {
            t("parameters"): p["name"],
            head["value"]: p["value"],
            head["confidence"]: confidence_word(p["confidence"], lang()),
            "": "⚠ " + t("unverified") if not p["verified"] else "✓",
            head["source"]: p["source"],
            head["valid_from"]: p["valid_from"],
        }
        for p in result.get("parameters", [])
    ]
    return pl.DataFrame(rows) if rows else pl.DataFrame({t("parameters"): []})


def verification(result: dict[str, Any], currency: str) -> tuple[bool, str]:
    """Whether the result rests only on inputs checked against the legal text, and the sentence
    that says so or names those that are not, in the reader's language (a result stored before
    results said it is not taken as verified)."""
    return bool(result.get("verified")), verification_text(result, lang(), currency)


def window(results: list[dict[str, Any]]) -> str | None:
    """The scheme's spending window and where it comes from, in words (its first result that
    has one)."""
    return next((w for w in (window_text(r, lang()) for r in results) if w), None)


#: the colour of an agreement's figures by their status (Streamlit's coloured text)
STATUS_COLOUR = {"pass": "green", "warn": "orange", "fail": "red", "insufficient_data": "gray"}


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


def evidence_table(
    production: str,
    scheme: str,
    counts: bool,
    limit: int = 1000,
    values: dict[str, Decimal] | None = None,
    per_agreement: bool = False,
) -> pl.DataFrame:
    """Expenses examined for the scheme that count (or not), with reasons in words and provenance;
    the first `limit` by date (the CLI's `evidence` command gives them all). With
    `per_agreement` (the scheme's agreements stand on their own), the agreement each counts for."""
    v = data.version()
    # the evidence of the results shown: the latest run's date, or today's (the results are
    # then evaluated for the page and not stored)
    run_at = data.latest_run_date(v, production) or as_at()
    relation = data.eligibility_at(v, production, run_at, scheme)
    # the first rows are chosen in the relation, then joined to the ledger's view for their
    # provenance: joining first would resolve the view for every expense examined
    rows = data.named(
        v,
        "dashboard.examined",
        (("pid", production), ("at", run_at), ("s", scheme), ("c", counts), ("n", limit)),
        (("relation", relation),),
    )
    if rows.height == 0:
        return rows
    # each distinct reason code is put in words once, then every row's list at once
    codes = rows["reasons"].explode().drop_nulls().unique().to_list()
    words = {code: reason_text(code, lang(), values) for code in codes}
    reasons = rows.select(
        pl.col("reasons")
        .list.eval(pl.element().replace_strict(words, return_dtype=pl.String))
        .list.join("; ")
        .alias(t("reasons"))
    )
    shown = money_table(rows.drop("reasons"))
    if per_agreement:
        shown = shown.rename({"agreement": t("agreements.col.agreement")})
    else:
        shown = shown.drop("agreement")
    return pl.concat([shown, reasons], how="horizontal").rename({"counts": t("counts")})


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
