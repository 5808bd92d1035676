"""The financing side in the reader's words: the plan's line against the devis, the cash low
point in a sentence, and the Financing page's tables (sources, statuses, countries, tranches,
receipts, a what-if beside today), every state, status, kind and milestone said in the language,
money and dates in the Belgian formats (finance.domain.fmt).

The tables are the plan's size (a handful of sources and tranches): their words are looked up
once per distinct value (view.in_words), their money and dates formatted a column at a time.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, Literal

import polars as pl
import streamlit as st

from dashboards.ui import charts
from dashboards.ui.strip import status_word
from dashboards.ui.view import in_words
from finance.domain import i18n
from finance.domain.errors import UserError
from finance.domain.fmt import fmt_date, fmt_money, fmt_pct, money_text
from finance.domain.money import MONEY
from finance.domain.packs import scheme_label
from finance.domain.reasons import error_lines
from finance.financing.balance import STATUSES
from finance.financing.output import compared_figures, gap_sentence
from finance.financing.run import FinancingView
from finance.financing.whatif import Comparison
from rules.sentences import strand_words


def word(prefix: str, value: str | None, lang: str) -> str:
    """`financing.state.overdue` and the like in `lang` (a value the catalogue lacks: as is)."""
    if not value:
        return "–"
    key = f"{prefix}.{value}"
    return i18n.text(key, lang) if i18n.has(key) else value


def pct_text(column: pl.Expr, lang: str) -> pl.Expr:
    """A share (0-1) as a percentage with one decimal, as fmt_pct writes it, for a column."""
    number = (column * 100).cast(pl.Decimal(18, 1)).cast(pl.String)
    if lang != "en":
        number = number.str.replace(".", ",", literal=True)
    return number + pl.lit("%" if lang == "en" else "\u00a0%")


def date_text(column: pl.Expr, lang: str) -> pl.Expr:
    """A date column as fmt_date writes it (`22/03/2027`, ISO in English); null stays null."""
    return column.dt.strftime("%Y-%m-%d" if lang == "en" else "%d/%m/%Y")


def _share(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"))


def gap_lines(view: FinancingView, lang: str) -> tuple[str, str]:
    """The plan against the devis (what is missing, or that it covers it) and its secured part."""
    b, money = view.balance, view.currency
    if view.sources.height == 0 or b["budget_source"] == "none":
        return gap_sentence(view, lang), ""  # no plan, or no devis: said as such, nothing secured
    key = "cash.gap.short" if b["gap"] > 0 else "cash.gap.covered"
    head = i18n.text(key, lang, money, financing=b["financing"], budget=b["budget"], gap=b["gap"])
    secured = i18n.text(
        "cash.secured",
        lang,
        money,
        secured=b["secured"],
        share=fmt_pct(_share(b["secured"], b["budget"]), lang),
        to_secure=max(b["secured_gap"], Decimal(0)),
    )
    return head, secured


def tranche_count(frame: pl.DataFrame) -> int:
    """How many tranches the payments of `frame` belong to (a retention is its tranche's)."""
    return int(frame["tranche_id"].n_unique()) if frame.height else 0


def low_sentence(view: FinancingView, lang: str) -> str:
    """The cash plan in words: its lowest point and week, the bridging it needs, and how many
    tranches are overdue and at risk."""
    low = view.low
    key = "cash.low.bridging" if low["bridging"] > 0 else "cash.low.no_bridging"
    said = i18n.text(
        key,
        lang,
        view.currency,
        low=low["low"],
        week=fmt_date(low["low_week"], lang),
        bridging=low["bridging"],
    )
    counts = i18n.text(
        "cash.tranches",
        lang,
        overdue=tranche_count(view.overdue),
        at_risk=tranche_count(view.at_risk),
    )
    return f"{said} {counts}"


def cash_labels(view: FinancingView, lang: str) -> dict[str, str]:
    """The cash chart's names in `lang`, the low point's mark with its week and amount."""
    names = {
        k: i18n.text(f"cash.{k}", lang)
        for k in ("position", "position_secured", "inflow", "outflow")
    }
    low = view.low
    names["low"] = i18n.text(
        "cash.low_marker",
        lang,
        week=fmt_date(low.get("low_week"), lang),
        amount=fmt_money(low.get("low"), lang, view.currency),
    )
    return names


def cash_chart(view: FinancingView, lang: str) -> Any:
    """The cash chart of the view (finance.financing.cashflow's weeks)."""
    return charts.cash_position(
        view.weeks, view.low, cash_labels(view, lang), lang=lang, currency=view.currency
    )


def _source_names(sources: pl.DataFrame, lang: str) -> pl.Expr:
    """A source's name: its label, else its scheme's name for people (once per scheme)."""
    schemes = sources["scheme"].unique().to_list()
    names = {s: scheme_label(s, lang) for s in schemes}
    scheme = pl.col("scheme").replace_strict(
        names, default=pl.col("scheme"), return_dtype=pl.String
    )
    strands = {
        s: strand_words(r, s, lang)
        for r, s in sources.select("scheme", "strand").unique().iter_rows()
        if s
    }
    strand = pl.col("strand").replace_strict(strands, default=None, return_dtype=pl.String)
    name = pl.coalesce(pl.col("label"), scheme)
    return pl.when(strand.is_null()).then(name).otherwise(name + " (" + strand + ")")


def source_names(view: FinancingView, lang: str) -> dict[str, str]:
    """Each source id's name in `lang` (the what-if's choice of sources to drop)."""
    named = view.sources.select("source_id", _source_names(view.sources, lang).alias("name"))
    return dict(zip(named["source_id"].to_list(), named["name"].to_list(), strict=True))


def sources_table(view: FinancingView, lang: str) -> pl.DataFrame:
    """The plan: each source's name, kind, status, country, amount, share of the devis and
    what it has brought in so far."""
    received = view.payments.group_by("source_id").agg(pl.col("received").sum().cast(MONEY))
    frame = view.sources.join(received, on="source_id", how="left").with_columns(
        pl.col("received").fill_null(0).cast(MONEY)
    )
    return frame.select(
        _source_names(frame, lang).alias(i18n.text("finpage.col.source", lang)),
        in_words(frame, "kind", lambda v: word("financing.kind", v, lang)).alias(
            i18n.text("finpage.col.kind", lang)
        ),
        in_words(frame, "status", lambda v: word("financing.status", v, lang)).alias(
            i18n.text("finpage.col.status", lang)
        ),
        pl.col("country").alias(i18n.text("finpage.col.country", lang)),
        money_text(pl.col("amount"), lang).alias(i18n.text("finpage.col.amount", lang)),
        pct_text(pl.col("share_of_budget"), lang).alias(i18n.text("finpage.col.share", lang)),
        money_text(pl.col("received"), lang).alias(i18n.text("finpage.col.received", lang)),
    )


def status_table(view: FinancingView, lang: str) -> pl.DataFrame:
    """The plan's total per status (every status, in the order a source goes through them)."""
    b = view.balance
    frame = pl.DataFrame(
        {"status": list(STATUSES), "amount": [b.get(s, Decimal(0)) for s in STATUSES]},
        schema={"status": pl.String, "amount": MONEY},
    ).with_columns(
        (pl.col("amount").cast(pl.Decimal(38, 10)) / b["budget"]).alias("share")
        if b.get("budget")
        else pl.lit(None, pl.Decimal(38, 10)).alias("share")
    )
    return frame.select(
        in_words(frame, "status", lambda v: word("financing.status", v, lang)).alias(
            i18n.text("finpage.col.status", lang)
        ),
        money_text(pl.col("amount"), lang).alias(i18n.text("finpage.col.amount", lang)),
        pct_text(pl.col("share"), lang).alias(i18n.text("finpage.col.share", lang)),
    )


def country_table(view: FinancingView, lang: str) -> pl.DataFrame:
    """Whose money: per country, the financing, the coproducers' part of it, the share."""
    frame = view.countries
    return frame.select(
        pl.col("country")
        .fill_null(i18n.text("finpage.country_unknown", lang))
        .alias(i18n.text("finpage.col.country", lang)),
        money_text(pl.col("amount"), lang).alias(i18n.text("finpage.col.amount", lang)),
        money_text(pl.col("coproducer"), lang).alias(i18n.text("finpage.col.coproducer", lang)),
        pct_text(pl.col("share_of_budget"), lang).alias(i18n.text("finpage.col.share", lang)),
    )


def _tranche_name(lang: str) -> pl.Expr:
    """`coproducer-fr/1`, and `coproducer-fr/1 (retenue)` for the part a contract keeps back."""
    retention = pl.lit(f" ({i18n.text('finpage.retention', lang)})")
    return (
        pl.when(pl.col("part") == "retention")
        .then(pl.col("tranche_id") + retention)
        .otherwise(pl.col("tranche_id"))
    )


def _milestones(frame: pl.DataFrame, lang: str) -> pl.Expr:
    """Each payment's milestone in words, with the days after it (`signature + 60 j`), said
    once per distinct milestone and delay."""
    keyed = frame.select(
        pl.concat_str(pl.col("milestone"), pl.col("days_after").fill_null(0), separator="|").alias(
            "due"
        )
    )

    def say(due: str) -> str:
        milestone, days = due.split("|")
        said = word("financing.milestone", milestone, lang)
        if int(days) == 0:
            return said
        return i18n.text("financing.after_days", lang, milestone=said, days=days)

    due = pl.concat_str(pl.col("milestone"), pl.col("days_after").fill_null(0), separator="|")
    return due.replace_strict(
        {v: say(v) for v in keyed["due"].drop_nulls().unique().to_list()},
        default=None,
        return_dtype=pl.String,
    )


def tranches_table(view: FinancingView, lang: str) -> pl.DataFrame:
    """Every expected payment: its tranche, milestone, due and expected dates, amount,
    received, outstanding, state in words, and the funder's rule it waits on with that rule's
    status in words (at risk said apart)."""
    frame = view.payments.with_columns(
        pl.when(pl.col("condition").is_null())
        .then(None)
        .otherwise(pl.col("rule_status").fill_null("insufficient_data"))
        .alias("said_status")
    )
    state = in_words(frame, "state", lambda v: word("financing.state", v, lang))
    late = pl.col("overdue") & (pl.col("state") != "overdue")
    state = (
        pl.when(late)
        .then(state + pl.lit(f" · {i18n.text('financing.state.overdue', lang)}"))
        .otherwise(state)
    )
    rule = (
        pl.col("condition")
        + pl.lit(" · ")
        + in_words(frame, "said_status", lambda v: status_word(v, lang))
    )
    return frame.select(
        _tranche_name(lang).alias(i18n.text("finpage.col.tranche", lang)),
        _milestones(frame, lang).alias(i18n.text("finpage.col.milestone", lang)),
        date_text(pl.col("due_on"), lang).alias(i18n.text("finpage.col.due", lang)),
        date_text(pl.col("expected_on"), lang).alias(i18n.text("finpage.col.expected", lang)),
        money_text(pl.col("amount"), lang).alias(i18n.text("finpage.col.amount", lang)),
        money_text(pl.col("received"), lang).alias(i18n.text("finpage.col.received", lang)),
        money_text(pl.col("outstanding"), lang).alias(i18n.text("finpage.col.outstanding", lang)),
        state.alias(i18n.text("finpage.col.state", lang)),
        rule.alias(i18n.text("finpage.col.condition", lang)),
        pl.when(pl.col("at_risk"))
        .then(pl.lit(f"⚠ {i18n.text('finpage.at_risk', lang)}"))
        .otherwise(None)
        .alias(i18n.text("finpage.col.risk", lang)),
    )


def receipts_table(view: FinancingView, lang: str) -> pl.DataFrame:
    """The receipts recorded, each with its provenance: the file and row it came from (or the
    dashboard's form) and who recorded it."""
    frame = view.receipts.sort("received_on", "id")
    source = (
        pl.when(pl.col("source_format") == "form")
        .then(pl.lit(i18n.text("finpage.form_source", lang)))
        .otherwise(pl.col("source_file"))
    )
    row = pl.when(pl.col("source_format") == "form").then(None).otherwise(pl.col("source_row"))
    return frame.select(
        date_text(pl.col("received_on"), lang).alias(i18n.text("finpage.col.received_on", lang)),
        pl.col("tranche_id").alias(i18n.text("finpage.col.tranche", lang)),
        money_text(pl.col("amount"), lang).alias(i18n.text("finpage.col.amount", lang)),
        pl.col("payer").alias(i18n.text("finpage.col.payer", lang)),
        pl.col("reference").alias(i18n.text("finpage.col.reference", lang)),
        source.alias(i18n.text("finpage.col.file", lang)),
        row.alias(i18n.text("finpage.col.row", lang)),
        pl.col("imported_by").alias(i18n.text("finpage.col.recorded_by", lang)),
    )


def open_tranches(view: FinancingView) -> list[str]:
    """The tranches a receipt can still be recorded against (something outstanding), in the
    plan's order; every tranche when none is open (the form then says why it refuses)."""
    ids = view.payments.filter(pl.col("outstanding") > 0)["tranche_id"].unique(maintain_order=True)
    return ids.to_list() or view.payments["tranche_id"].unique(maintain_order=True).to_list()


def comparison_table(found: Comparison, lang: str) -> pl.DataFrame:
    """Today's figures and the what-if's side by side (the command's own comparison)."""
    rows = compared_figures(found, lang)
    return pl.DataFrame(
        {
            i18n.text("whatif.col.figure", lang): [r[0] for r in rows],
            i18n.text("whatif.col.today", lang): [r[1] for r in rows],
            i18n.text("whatif.col.what_if", lang): [r[2] for r in rows],
        }
    )


def low_change(found: Comparison, lang: str) -> str:
    """Whether the low point's week moves, in a sentence."""
    before, after = found.today.low.get("low_week"), found.scenario.low.get("low_week")
    if before == after:
        return i18n.text("whatif.low_stays", lang, week=fmt_date(before, lang))
    return i18n.text(
        "whatif.low_moves", lang, before=fmt_date(before, lang), after=fmt_date(after, lang)
    )


def moved_table(found: Comparison, lang: str) -> pl.DataFrame:
    """The payments still outstanding whose expected date moves (or that a dropped source
    takes away), with what is outstanding on each."""
    frame = found.moved
    return frame.select(
        _tranche_name(lang).alias(i18n.text("finpage.col.tranche", lang)),
        money_text(pl.col("outstanding"), lang).alias(i18n.text("finpage.col.outstanding", lang)),
        in_words(frame, "state", lambda v: word("financing.state", v, lang)).alias(
            i18n.text("finpage.col.state", lang)
        ),
        date_text(pl.col("expected_on"), lang).alias(i18n.text("whatif.col.today", lang)),
        date_text(pl.col("expected_on_what_if"), lang)
        .fill_null(i18n.text("whatif.dropped", lang))
        .alias(i18n.text("whatif.col.what_if", lang)),
    )


def rules_table(found: Comparison, lang: str) -> pl.DataFrame:
    """The funders' rules whose status or window end the what-if changes."""
    frame = found.rules.filter(
        pl.col("status").ne_missing(pl.col("status_what_if"))
        | pl.col("window_end").ne_missing(pl.col("window_end_what_if"))
    )
    return frame.select(
        pl.col("rule_id").alias(i18n.text("whatif.col.rule", lang)),
        in_words(frame, "status", lambda v: status_word(v, lang)).alias(
            i18n.text("whatif.col.status_today", lang)
        ),
        in_words(frame, "status_what_if", lambda v: status_word(v, lang)).alias(
            i18n.text("whatif.col.status_what_if", lang)
        ),
        date_text(pl.col("window_end"), lang).alias(i18n.text("whatif.col.window_today", lang)),
        date_text(pl.col("window_end_what_if"), lang).alias(
            i18n.text("whatif.col.window_what_if", lang)
        ),
    )


#: the receipt form's fields, as the importer names them in its problems
FORM_FIELDS = ("tranche", "date", "amount", "reference", "payer")


def form_error_lines(exc: UserError, lang: str) -> list[str]:
    """A refused receipt in the form's words: the form named as such (not as a file), each
    field by its name in `lang`, each reason in `lang` (finance.domain.reasons)."""
    where = i18n.text("finpage.form_source", lang)
    problems = [
        replace(
            p,
            file=where,
            column=i18n.text(f"finpage.form.field.{p.column}", lang)
            if p.column in FORM_FIELDS
            else p.column,
        )
        for p in exc.problems
    ]
    values = {**exc.values, "name": where} if "name" in exc.values else exc.values
    return error_lines(UserError(exc.message, problems, exc.key, values), lang)


#: the columns that hold figures (amounts, shares, the what-if's two sides): right-aligned
FIGURES = (
    "finpage.col.amount",
    "finpage.col.share",
    "finpage.col.received",
    "finpage.col.coproducer",
    "finpage.col.outstanding",
    "finpage.col.row",
    "whatif.col.today",
    "whatif.col.what_if",
)


def table(frame: pl.DataFrame, lang: str, height: Literal["auto", "content"] = "content") -> None:
    """A table of the page: figures right-aligned, a missing value a dash; every row shown
    (the plan's size) unless `height` says `auto` (ten rows, then a scroll: the receipts)."""
    figures = {i18n.text(k, lang) for k in FIGURES}
    config = {c: st.column_config.Column(alignment="right") for c in frame.columns if c in figures}
    st.dataframe(
        frame,
        hide_index=True,
        placeholder="–",
        width="stretch",
        height=height,
        column_config=config,
    )
