"""Helpers of the Overview: the funders strip (one card per scheme of the latest stored check)
and the reading of the variance and of the run-out date against delivery.

The strip reads the stored run's results (the JSON of `check`) and never runs a check: opening
the Overview writes nothing. Each card shows the scheme's worst result: its status, its gap in
euros (a shortfall for a minimum, a margin or an excess for a cap), where and by when the money
must be spent, and whether the result rests on unverified figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import streamlit as st

from dashboards.ui import data
from dashboards.ui.i18n import lang, t
from finance.domain import i18n
from finance.domain.fmt import fmt_date, fmt_money
from finance.domain.packs import scheme_label
from rules.loader import load_packs
from rules.model import Operator
from rules.sentences import verification_short

#: statuses from the most to the least pressing (the Funders page's order, then not concerned)
SEVERITY = ("fail", "warn", "insufficient_data", "pass", "not_applicable")
#: the colour of a status word (Streamlit's coloured text)
STATUS_COLOUR = {"pass": "green", "warn": "orange", "fail": "red"}
#: a colour of Streamlit's metric deltas
Colour = Literal["red", "green", "orange", "gray"]


@dataclass(frozen=True)
class Card:
    """One scheme's card: its worst result, read for a producer."""

    scheme: str
    title: str
    status: str
    #: shortfall (a minimum not reached), margin, or excess (a cap exceeded); None without figures
    kind: str | None
    amount: Decimal | None
    where: str | None
    by: date | None
    result: dict[str, Any]

    @property
    def verified(self) -> bool:
        return bool(self.result.get("verified"))


def operator_of(result: dict[str, Any]) -> Operator | None:
    scheme, _, rule_id = str(result["rule_id"]).partition(".")
    pack = load_packs().get(scheme)
    rule = next((r for r in pack.rules if r.id == rule_id), None) if pack else None
    return rule.operator if rule else None


def gap_of(result: dict[str, Any]) -> Decimal | None:
    """How far the money figure stands from its threshold, in the good direction: above a
    minimum, below a cap (negative: a shortfall or an excess); None for a result without money
    figures (not applicable, missing data, a deadline counted in days)."""
    if result.get("unit", "money") != "money" or result.get("measured") is None:
        return None
    if result.get("threshold") is None:
        return None
    measured, threshold = Decimal(str(result["measured"])), Decimal(str(result["threshold"]))
    operator = operator_of(result)
    if operator is None:
        return None
    return measured - threshold if operator is Operator.GTE else threshold - measured


def _rank(result: dict[str, Any]) -> tuple[int, int, Decimal]:
    """Sort key of a scheme's results: the most pressing status, then a result with money
    figures, then the smallest gap (the largest shortfall or excess, the thinnest margin)."""
    status = str(result.get("status"))
    gap = gap_of(result)
    severity = SEVERITY.index(status) if status in SEVERITY else len(SEVERITY)
    return severity, gap is None, gap if gap is not None else Decimal(0)


def where_words(where: str | None, code: str) -> str | None:
    """A result's `spend_where` (a territory code) in words, in the language."""
    if not where:
        return None
    key = f"where.{where}"
    return i18n.text(key, code) if i18n.has(key) else where


def card(scheme: str, results: list[dict[str, Any]], code: str) -> Card:
    """The card of one scheme from its results (its worst result's figures)."""
    worst = min(results, key=_rank)
    gap = gap_of(worst)
    kind: str | None
    if gap is None:
        kind = None
    elif gap >= 0:
        kind = "margin"
    else:  # a minimum not reached is a shortfall; a cap passed, an excess
        kind = "shortfall" if operator_of(worst) is Operator.GTE else "excess"
    where = worst.get("spend_where")
    end = (worst.get("window") or {}).get("end")
    return Card(
        scheme=scheme,
        title=scheme_label(scheme, code),
        status=str(worst.get("status")),
        kind=kind,
        amount=abs(gap) if gap is not None else None,
        where=where_words(where, code),
        # a deadline to spend by: only for an obligation to spend somewhere
        by=date.fromisoformat(str(end)[:10]) if where and end else None,
        result=worst,
    )


def _pressing(c: Card) -> tuple[int, Decimal]:
    """A card's place: its status, then the larger shortfall or excess first."""
    severity = SEVERITY.index(c.status) if c.status in SEVERITY else 9
    owed = c.amount if c.kind in ("shortfall", "excess") and c.amount is not None else Decimal(0)
    return severity, -owed


def cards(results: list[dict[str, Any]], code: str) -> list[Card]:
    """One card per scheme of the results, the most pressing first: the worst status, then the
    largest amount missing (in the results' order among equals)."""
    schemes = list(dict.fromkeys(str(r["scheme"]) for r in results))
    made = [card(s, [r for r in results if r["scheme"] == s], code) for s in schemes]
    return sorted(made, key=_pressing)


def figures_line(c: Card, code: str, currency: str) -> str:
    """`Wallonie · manque 273 568,52 € · avant le 02/08/2027` (the parts the card has)."""
    parts = [
        c.where,
        i18n.text(f"strip.kind.{c.kind}", code, amount=fmt_money(c.amount, code, currency))
        if c.kind
        else None,
        i18n.text("strip.by", code, day=fmt_date(c.by, code)) if c.by else None,
    ]
    line = " · ".join(p for p in parts if p)
    return line[:1].upper() + line[1:]


def status_word(status: str, code: str) -> str:
    key = f"strip.status.{status}"
    return i18n.text(key, code) if i18n.has(key) else status


def show_strip(production: str, currency: str) -> None:
    """The funders strip of the production's latest stored check (or how to get one)."""
    code = lang()
    st.subheader(t("funders"))
    run, results = data.latest_results(data.version(), production)
    if run is None:
        st.info(i18n.text("strip.no_run", code, page=t("funders"), button=t("run_checks")))
        return
    st.caption(i18n.text("strip.run", code, day=fmt_date(run["as_at"], code)))
    with st.container(horizontal=True, gap="small", key="funders-strip"):
        for c in cards(results, code):
            with st.container(border=True, width=300, key=f"strip-{c.scheme}"):
                colour = STATUS_COLOUR.get(c.status, "gray")
                st.markdown(f"**{c.title}**  \n:{colour}[**● {status_word(c.status, code)}**]")
                line = figures_line(c, code, currency)
                if line:
                    st.markdown(line)
                if not c.verified:
                    st.caption(
                        t("strip.unverified"),
                        help=verification_short(c.result, code, currency),
                    )
                if st.button(
                    t("strip.open"),
                    key=f"strip-open-{c.scheme}",
                    type="tertiary",
                    icon=":material/arrow_forward:",
                ):
                    # the Funders page opens the panel whose key is set, and the scheme named
                    # in its address (`funders?scheme=`: the link can be shared)
                    st.session_state[f"scheme-{c.scheme}"] = True
                    st.switch_page("views/funders.py", query_params={"scheme": c.scheme})


def variance_word(variance: Decimal) -> tuple[str, Colour]:
    """The variance (budget less the estimate at completion) in words and its colour."""
    if variance < 0:
        return t("variance.over"), "red"
    if variance > 0:
        return t("variance.under"), "green"
    return t("variance.even"), "gray"


def _months(later: date, earlier: date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


def runout_words(
    runs_out: date | None, delivery: date | None, code: str
) -> tuple[str, Colour] | None:
    """When the budget runs out against the delivery date (the schedule's end of post-production),
    in words, and its colour: red before delivery, green after; None without both dates."""
    if runs_out is None or delivery is None:
        return None
    if runs_out == delivery:
        return i18n.text("runout.same_day", code), "orange"
    later, earlier = max(runs_out, delivery), min(runs_out, delivery)
    months = _months(later, earlier)
    days = (later - earlier).days
    if months >= 1:
        span = i18n.text(f"runout.span.{'month' if months == 1 else 'months'}", code, n=months)
    else:
        span = i18n.text(f"runout.span.{'day' if days == 1 else 'days'}", code, n=days)
    if runs_out > delivery:
        return i18n.text("runout.after", code, span=span), "green"
    return i18n.text("runout.before", code, span=span), "red"
