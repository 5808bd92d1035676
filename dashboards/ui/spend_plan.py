"""The Funders page's spend-plan panel: where the remaining budget should be spent so that every
obligation is met at completion (rules/spend_plan.py), from the production's shipped options
file or an uploaded one; the suggested moves and the obligations before and after, in words."""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import streamlit as st

from dashboards.ui import data
from dashboards.ui.i18n import lang, t
from finance.demo.load import DEMO_DIR, DEMO_ID
from finance.domain import i18n
from finance.domain.errors import UserError
from finance.domain.fmt import fmt_money
from finance.domain.reasons import error_lines
from finance.store.db import connect
from rules.spend_options import read_options
from rules.spend_plan import SpendPlan, plan_spend
from rules.spend_plan_output import (
    binds_sentence,
    obligation_label,
    short_sentences,
    territory_words,
    worth_sentences,
)

#: the options file a production ships with (the demo's), by production id
SHIPPED = {DEMO_ID: DEMO_DIR / "spend-options.yaml"}
PANEL_KEY = "spend-plan"


def shipped_options(production_id: str) -> Path | None:
    """The production's own options file, when it ships one."""
    path = SHIPPED.get(production_id)
    return path if path is not None and path.exists() else None


@st.cache_data(show_spinner=False, max_entries=16)
def spend_plan(
    v: data.Version, production_id: str, at: date, name: str, content: bytes, code: str
) -> SpendPlan:
    """The plan for the options file `name` (its bytes), read-only."""
    with tempfile.TemporaryDirectory(prefix="cineledger-options-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        options = read_options(path, code)
        with connect(Path(v[0]), read_only=True) as con:
            return plan_spend(con, production_id, at, options, code)


def _moves_frame(plan: SpendPlan, code: str) -> pl.DataFrame:
    rows = plan.moves.to_dicts()
    return pl.DataFrame(
        {
            i18n.text("plan.col.line", code): [f"{m['code']} {m['label']}" for m in rows],
            i18n.text("plan.col.from", code): [territory_words(m["from"], code) for m in rows],
            i18n.text("plan.col.to", code): [territory_words(m["to"], code) for m in rows],
            i18n.text("plan.col.moved", code): [fmt_money(m["moved"], code) for m in rows],
            i18n.text("plan.col.amount", code): [fmt_money(m["amount"], code) for m in rows],
            i18n.text("plan.col.extra", code): [fmt_money(m["extra"], code) for m in rows],
        },
        schema={i18n.text(f"plan.col.{h}", code): pl.String for h in _MOVE_HEADS},
    )


_MOVE_HEADS = ("line", "from", "to", "moved", "amount", "extra")


def _state(margin: Decimal, code: str) -> str:
    if margin < 0:
        return i18n.text("plan.state.short", code, amount=-margin)
    return i18n.text("plan.state.met", code, amount=margin)


def _obligations_frame(plan: SpendPlan, code: str) -> pl.DataFrame:
    heads = ("obligation", "required", "before", "after", "state_before", "state_after")
    cols = [i18n.text(f"plan.col.{h}", code) for h in heads]
    obs = plan.obligations
    return pl.DataFrame(
        {
            cols[0]: [obligation_label(o, code) for o in obs],
            cols[1]: [fmt_money(o.required, code) for o in obs],
            cols[2]: [fmt_money(o.before, code) for o in obs],
            cols[3]: [fmt_money(o.after, code) for o in obs],
            cols[4]: [_state(o.before_margin, code) for o in obs],
            cols[5]: [_state(o.after_margin, code) for o in obs],
        },
        schema=dict.fromkeys(cols, pl.String),
    )


def show_plan(plan: SpendPlan, code: str) -> None:
    """The moves, the obligations before and after, and why."""
    if plan.moves.height:
        st.markdown(f"**{i18n.text('plan.moves', code)}**")
        st.dataframe(_moves_frame(plan, code), hide_index=True, placeholder="–", width="stretch")
        st.caption(i18n.text("plan.extra", code, amount=plan.extra_cost))
    else:
        st.info(i18n.text("plan.no_move", code))
    if plan.spent:
        st.caption(i18n.text("plan.nothing_left", code, codes=", ".join(plan.spent)))
    st.markdown(f"**{i18n.text('plan.obligations', code)}**")
    st.dataframe(_obligations_frame(plan, code), hide_index=True, placeholder="–", width="stretch")
    for sentence in short_sentences(plan, code):
        st.warning(sentence)
    if not plan.short:
        st.success(i18n.text("plan.all_met", code))
    st.markdown(f"**{i18n.text('plan.why', code)}**")
    lines = []
    for o in plan.obligations:
        lines.append(f"- {binds_sentence(o, code)}")
        lines += [f"  - {s}" for s in worth_sentences(o, plan.territories, code)]
    st.markdown("\n".join(lines))
    st.caption(i18n.text("plan.rounding", code))


def spend_plan_panel(production_id: str, at: date) -> None:
    """The panel (closed at first: the plan is solved only while it is open)."""
    panel = st.expander(t("plan.panel.title"), expanded=False, key=PANEL_KEY, on_change="rerun")
    if not panel.open:
        return
    code = lang()
    with panel:
        st.caption(t("plan.panel.help"))
        upload = st.file_uploader(
            t("plan.panel.upload"), type=["yaml", "yml", "csv"], key="spend-options-upload"
        )
        shipped = shipped_options(production_id)
        if upload is not None:
            name, content = upload.name, upload.getvalue()
        elif shipped is not None:
            name, content = shipped.name, shipped.read_bytes()
            st.caption(i18n.text("plan.panel.shipped", code, name=name))
        else:
            st.info(t("plan.panel.none"))
            return
        try:
            with st.spinner(t("plan.panel.solving")):
                plan = spend_plan(data.version(), production_id, at, name, content, code)
        except UserError as exc:
            st.error("\n".join(error_lines(exc, code)))
            return
        show_plan(plan, code)
