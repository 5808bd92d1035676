"""The link from a Funders result's evidence to the Expenses page, both ends.

The Funders page links to `expenses?rule=<scheme>.<rule_id>&counted=1|0[&agreement=<n>]`; the
Expenses page, opened with those query parameters, shows only the expenses the rule counts (or
leaves out), with their count and total: for those counted, the rule's measured figure to the
cent (finance/reports/evidence.py reads them, as at the date of the results shown).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from dashboards.ui import data
from dashboards.ui.i18n import lang, t
from dashboards.ui.strip import where_words
from dashboards.ui.view import as_at
from finance.domain import i18n
from finance.domain.errors import UserError
from finance.domain.fmt import fmt_count, fmt_date, fmt_money, money_text
from finance.domain.packs import scheme_label
from finance.reports.evidence import Evidence, has_evidence, rule_evidence
from finance.store.db import connect
from rules.eligibility import ADDRESS_BASES
from rules.evidence import tests_supplier_address
from rules.loader import load_packs
from rules.sentences import reason_text, rule_text

#: rows of evidence shown at a time
PAGE = 1000


@st.cache_data(show_spinner=False, max_entries=64)
def _read(
    v: data.Version,
    production: str,
    rule_id: str,
    at: date,
    counted: bool,
    agreement: int | None,
    offset: int,
) -> Evidence:
    with connect(Path(v[0]), read_only=True) as con:
        return rule_evidence(con, production, rule_id, at, counted, agreement, PAGE, offset)


def evidence_date(production: str) -> date:
    """The date the results shown are as at: the latest run's, or today's (the Funders page
    then evaluates them for the page, without storing them)."""
    return data.latest_run_date(data.version(), production) or as_at()


def read_evidence(
    production: str, rule_id: str, counted: bool, agreement: int | None = None, offset: int = 0
) -> Evidence:
    """The expenses the rule counts (or leaves out), a page of them from row `offset`."""
    at = evidence_date(production)
    return _read(data.version(), production, rule_id, at, counted, agreement, offset)


def rule_title(rule_id: str, code: str) -> str:
    """The rule's title in the language (its parameters filled), the id if it has none."""
    scheme, _, name = rule_id.partition(".")
    pack = load_packs().get(scheme)
    rule = next((r for r in pack.rules if r.id == name), None) if pack else None
    if pack is None or rule is None:
        return rule_id
    values = {
        n: pack.parameters[n].at(as_at())[1].value for n in rule.parameters if n in pack.parameters
    }
    try:
        return rule_text(scheme, name, "title", code, "EUR", **values)
    except UserError:  # a title that needs a figure the pack's parameters do not give
        return rule_id


def per_agreement(rule_id: str) -> bool:
    """Whether the rule's figures are per agreement (its expenses say which each counts for)."""
    scheme, _, name = rule_id.partition(".")
    pack = load_packs().get(scheme)
    rule = next((r for r in pack.rules if r.id == name), None) if pack else None
    return bool(rule and rule.per_agreement)


def evidence_frame(ev: Evidence, per_agreement: bool = False) -> pl.DataFrame:
    """The page of evidence as a reader reads it: dates and amounts in the language's format,
    places and reasons in words, the file and row each comes from, headed in words."""
    code = lang()
    rows = ev.rows
    col = {k: t(f"funders.col.{k}") for k in ("date", "supplier", "invoice", "territory")}
    if rows.height == 0:
        return pl.DataFrame({col["date"]: [], col["supplier"]: []})
    codes = rows["reasons"].explode().drop_nulls().unique().to_list()
    words = {c: reason_text(c, code) for c in codes}
    schemes = rows["schemes"].explode().drop_nulls().unique().to_list()
    titles = {s: scheme_label(s, code) for s in schemes}
    places = {
        p: where_words(p, code) or p for p in rows["territory"].drop_nulls().unique().to_list()
    }
    double = i18n.text(
        "funders.reason.double" if ev.counted else "funders.reason.allowed", code, schemes="\x00"
    ).split("\x00")
    by_schemes = pl.concat_str(
        [
            pl.lit(double[0]),
            pl.col("schemes")
            .list.eval(pl.element().replace_strict(titles, return_dtype=pl.String))
            .list.join(" + "),
            pl.lit(double[-1]),
        ]
    )
    reasons = (
        pl.when(pl.col("schemes").list.len() > 0)
        .then(by_schemes)
        .otherwise(
            pl.col("reasons")
            .list.eval(pl.element().replace_strict(words, return_dtype=pl.String))
            .list.join("; ")
        )
    )
    # the reasons of expenses counted are the caps applied, if any: the column only where some are
    said = rows.select(reasons.fill_null("").str.len_chars().sum()).item() > 0 or not ev.counted
    pattern = "%Y-%m-%d" if code == "en" else "%d/%m/%Y"
    figure = t("funders.col.counted" if ev.counted else "funders.col.left_out")
    # the address each expense's territory was tested on, where the scheme reads a supplier record
    bases = {b: i18n.text(f"address.{b}", code) for b in ADDRESS_BASES}
    address = (
        [
            pl.col("address_used")
            .replace_strict(bases, default="", return_dtype=pl.String)
            .fill_null("")
            .alias(t("funders.col.address"))
        ]
        if tests_supplier_address(ev.rule_id)
        else []
    )
    out = rows.select(
        pl.col("doc_date").dt.strftime(pattern).alias(col["date"]),
        pl.col("supplier").alias(col["supplier"]),
        pl.col("invoice_ref").fill_null("").alias(col["invoice"]),
        pl.col("territory")
        .replace_strict(places, default=pl.col("territory"), return_dtype=pl.String)
        .fill_null("")
        .alias(col["territory"]),
        *address,
        pl.col("category").fill_null("").alias(t("funders.col.category")),
        money_text(pl.col("amount"), code).alias(t("funders.col.amount")),
        money_text(pl.col("figure"), code).alias(figure),
        *([pl.col("agreement").alias(t("funders.evidence.agreement"))] if per_agreement else []),
        *([reasons.fill_null("").alias(t("funders.col.reasons"))] if said else []),
        pl.concat_str([pl.col("source_file"), pl.col("source_row").cast(pl.String)], separator=":")
        .fill_null("")
        .alias(t("funders.col.source")),
    )
    return out


def column_config() -> dict[str, Any]:
    """The evidence table's columns: the reasons wide (read whole), the amounts narrow."""
    return {
        t("funders.col.reasons"): st.column_config.TextColumn(width="large"),
        t("funders.col.supplier"): st.column_config.TextColumn(width="medium"),
    }


def summary(ev: Evidence) -> str:
    """`648 dépenses comptées — total 551 753,17 €`."""
    code = lang()
    return i18n.text(
        "funders.evidence.summary_counted"
        if ev.counted
        else "funders.evidence.summary_not_counted",
        code,
        count=fmt_count(ev.count, code),
        total=fmt_money(ev.total, code, "EUR"),
    )


def link_params(rule_id: str, counted: bool, agreement: int | None) -> dict[str, str]:
    """The Expenses page's query parameters that show the rule's evidence."""
    params = {"rule": rule_id, "counted": "1" if counted else "0"}
    if agreement is not None and counted:
        params["agreement"] = str(agreement)
    return params


def page_key(rule_id: str, counted: bool, agreement: int | None) -> str:
    """The key of the page number of one rule's evidence (each keeps its own)."""
    return f"evidence_page-{rule_id}-{int(counted)}-{agreement or 0}"


@dataclass(frozen=True)
class Shown:
    """What the Expenses page shows when opened from a rule's evidence."""

    evidence: Evidence
    caption: str
    at: date


def evidence_filter(production: str) -> Shown | None:
    """The rule's evidence named by the page's query parameters (`rule`, `counted`,
    `agreement`), with the caption that says what is shown; None without them (or for a rule
    that has no expense evidence)."""
    rule_id = st.query_params.get("rule")
    if not rule_id or not has_evidence(rule_id):
        return None
    counted = st.query_params.get("counted", "1") != "0"
    raw = st.query_params.get("agreement", "")
    agreement = int(raw) if raw.isdigit() else None
    page = int(st.session_state.get(page_key(rule_id, counted, agreement), 1))
    with st.spinner(t("funders.evidence.reading")):
        ev = read_evidence(production, rule_id, counted, agreement, (page - 1) * PAGE)
    code = lang()
    title = rule_title(rule_id, code)
    if agreement is not None:
        title = f"{title} · {i18n.text('funders.link.agreement', code, k=agreement)}"
    caption = i18n.text(
        "funders.link.caption_counted" if counted else "funders.link.caption_not_counted",
        code,
        rule=title,
        count=fmt_count(ev.count, code),
        total=fmt_money(ev.total, code, "EUR"),
    )
    return Shown(ev, caption, evidence_date(production))


def show_filtered(shown: Shown) -> None:
    """The Expenses page restricted to a rule's evidence: the caption (count and total), the
    rows a page at a time, and the way back to every expense."""
    st.markdown(f"**{shown.caption}**")
    st.caption(f"{t('as_at')} {fmt_date(shown.at, lang())}")
    pages = max(1, -(-shown.evidence.count // PAGE))
    if pages > 1:
        ev = shown.evidence
        key = page_key(ev.rule_id, ev.counted, ev.agreement)
        st.number_input(t("expenses.page"), 1, pages, 1, key=key)
    st.dataframe(
        evidence_frame(shown.evidence, per_agreement(shown.evidence.rule_id)),
        hide_index=True,
        placeholder="–",
        width="stretch",
        column_config=column_config(),
    )
    if st.button(t("funders.link.clear"), key="evidence_clear"):
        st.query_params.clear()
        st.rerun()
