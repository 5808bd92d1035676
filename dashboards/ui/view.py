"""Small display helpers shared by the pages: the sidebar, money tables, the as-at date."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import polars as pl
import streamlit as st

from dashboards.ui import data
from dashboards.ui.auth import is_editor
from dashboards.ui.i18n import LANGS, lang, t
from finance.domain.errors import UserError
from finance.domain.fmt import fmt_money, money_text
from finance.domain.reasons import error_lines
from finance.reports.cost_report import FIGURES
from finance.store.productions import add_production

MONEY_COLUMNS = (
    *FIGURES,
    "amount",
    "eligible_amount",
    "counted",
    "amount_orig",
    "measured",
    "threshold",
    "shortfall",
    "projected",
    "planned",
    "planned_to_date",
)


def as_at() -> date:
    """The date figures are computed at: today, or CINELEDGER_TODAY for reproducible runs."""
    env = os.environ.get("CINELEDGER_TODAY")
    return date.fromisoformat(env) if env else date.today()


def _remember(widget: str, target: str) -> None:
    """Copy a widget's value into plain session state, which outlives the widget."""
    st.session_state[target] = st.session_state[widget]


def language_switch() -> None:
    """The language radio, first in the sidebar (the login form speaks the language too). A
    session starts in the language a link asks for (`?lang=nl`), French otherwise."""
    langs = list(LANGS)
    if "lang" not in st.session_state:
        asked = st.query_params.get("lang")
        st.session_state["lang"] = asked if asked in LANGS else "fr"
    current = st.session_state["lang"]
    st.sidebar.radio(
        t("language"),
        langs,
        index=langs.index(current),
        format_func=lambda k: LANGS[k],
        key="_lang_widget",
        horizontal=True,
        on_change=_remember,
        args=("_lang_widget", "lang"),
    )


def sidebar() -> str | None:
    """The production picker (after login); returns the chosen production id."""
    prods = data.productions(data.version())
    if prods.height == 0:
        return None
    ids = prods["id"].to_list()
    if st.session_state.get("production") not in ids:
        st.session_state["production"] = ids[0]
    titles = dict(zip(ids, prods["title"].to_list(), strict=True))
    st.sidebar.selectbox(
        t("production"),
        ids,
        index=ids.index(st.session_state["production"]),
        format_func=lambda i: f"{titles[i]} ({i})",
        key="_production_widget",
        placeholder=t("widgets.choose"),
        on_change=_remember,
        args=("_production_widget", "production"),
    )
    st.sidebar.caption(f"{t('as_at')} {as_at():%d/%m/%Y}")
    return str(st.session_state["production"])


def money_table(frame: pl.DataFrame, columns: Sequence[str] | None = None) -> pl.DataFrame:
    """Money columns as Belgian-formatted text (right-aligned by the table), other columns kept."""
    chosen = list(columns) if columns else frame.columns
    out = frame.select(chosen)
    money = [c for c in chosen if c in MONEY_COLUMNS]
    code = lang()
    return out.with_columns(
        money_text(pl.col(c), code).alias(c)
        if _two_decimals(out.schema[c])
        else pl.col(c).map_elements(lambda v: fmt_money(v, code), return_dtype=pl.String)
        for c in money
    )


def in_words(frame: pl.DataFrame, column: str, say: Callable[[str], str]) -> pl.Expr:
    """A text column put in words by `say`, called once per distinct value (a file's thousands
    of refused rows share a handful of reasons), not once per row; nulls stay null."""
    distinct = frame[column].drop_nulls().unique().to_list()
    words = {value: say(str(value)) for value in distinct}
    return pl.col(column).replace_strict(words, default=None, return_dtype=pl.String)


def _two_decimals(dtype: pl.DataType) -> bool:
    """Money as stored (a DECIMAL with at most two decimals) is formatted a column at a time;
    anything else (a computed ratio, a float) goes through fmt_money value by value."""
    return isinstance(dtype, pl.Decimal) and (dtype.scale or 0) <= 2


def require_production() -> str:
    """The chosen production, or a friendly stop when the database has none."""
    production = st.session_state.get("production")
    if not production:
        st.info(t("no_production"))
        if is_editor():
            st.markdown(t("empty.add_production"))
            add_production_form()
        else:
            st.caption(t("empty.ask_editor"))
        st.stop()
    return str(production)


def add_production_form() -> None:
    """An editor adds the first production by dropping its manifest (the database is created
    then, and only then: nothing is written before the button is clicked)."""
    upload = st.file_uploader(
        t("empty.manifest"),
        type=["yaml", "yml"],
        key="manifest_upload",
        help=t("imports.manifest.help"),
    )
    if upload is None or not st.button(t("empty.add"), type="primary", key="manifest_add"):
        return
    with tempfile.TemporaryDirectory(prefix="cineledger-manifest-") as tmp:
        path = Path(tmp) / "manifest.yaml"
        path.write_bytes(upload.getvalue())
        try:
            added = add_production(data.db_path(), path)
        except UserError as exc:
            st.error("\n".join(error_lines(exc, lang())))
            return
    data.clear()
    st.session_state["production"] = added.production_id
    st.rerun()  # the pages open on the production just added


def no_devis(report_chapters: pl.DataFrame) -> None:
    """Stop a page that shows the devis when the production has none yet, saying so."""
    if report_chapters.height == 0:
        st.info(t("empty.no_devis"))
        st.stop()


def no_expenses(count: int) -> bool:
    """Say so when the production has no expense yet (`count` is 0); whether it has none."""
    if count == 0:
        st.info(t("empty.no_expenses"))
    return count == 0
