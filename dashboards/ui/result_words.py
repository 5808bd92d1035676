"""A result in the reader's words, for the Funders page: its figures as a sentence (a shortfall
for a minimum not reached, a margin, or an excess for a cap), its status as a coloured word, its
parameters as people read them with their confidence and their sources as links, and the amounts
a figure measured on the plan adds up (an EU ceiling). Pure functions of the stored results (the
JSON of `check`) and the message catalogue."""

from __future__ import annotations

import re
from datetime import UTC, date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_currency

from dashboards.ui.audit import ZONE
from dashboards.ui.strip import gap_of, operator_of, status_word, where_words
from finance.domain import i18n
from finance.domain.fmt import fmt_count, fmt_date, fmt_money, locale_of
from rules.model import WORST_FIRST, Operator, Status, worst_status
from rules.sentences import UNIT_SPEC, confidence_word, parameter_label

#: the colour of an agreement's figures by their status (Streamlit's coloured text)
STATUS_COLOUR = {"pass": "green", "warn": "orange", "fail": "red", "insufficient_data": "gray"}


#: the sites a parameter's source names (`mediabox.brussels 2016`, `legislation.gov.uk`): each
#: becomes a link to the site; the rest of the source is kept as written
_SITE = re.compile(
    r"\b((?:[a-z0-9-]+\.)+(?:be|fr|eu|com|nl|org|net|law|brussels|uk|info|de|lu))\b(?![\w-])"
)


def kind_of(result: dict[str, Any]) -> tuple[str | None, Decimal | None]:
    """How far the result's money figure stands from its threshold, in words: a `shortfall` (a
    minimum not reached), a `margin`, or an `excess` (a cap passed), with the amount; (None,
    None) for a result without money figures. A cap is a rule whose operator is `lte`: it never
    has a shortfall."""
    gap = gap_of(result)
    if gap is None:
        return None, None
    if gap >= 0:
        return "margin", gap
    return ("shortfall" if operator_of(result) is Operator.GTE else "excess"), -gap


def is_cap(result: dict[str, Any]) -> bool:
    """Whether the rule's threshold is a maximum (its operator is `lte`)."""
    return operator_of(result) is Operator.LTE


def _deadline(result: dict[str, Any]) -> date | None:
    end = (result.get("window") or {}).get("end")
    return date.fromisoformat(str(end)[:10]) if end else None


def result_sentence(result: dict[str, Any], code: str, currency: str = "EUR") -> str | None:
    """The result as a sentence from its figures, in the language and its number format:
    `Dépenses bruxelloises éligibles : 551 753,17 € sur 600 000,00 € requis — il manque
    48 246,83 €, à dépenser d'ici le 20/08/2027 (Bruxelles-Capitale)`. The subject is the
    pack's message `<rule>.subject` where it has one. None for a result without figures (not
    concerned, missing data: the explanation says why)."""
    if result.get("measured") is None or result.get("threshold") is None:
        return None
    if result.get("status") in ("not_applicable", "insufficient_data"):
        return None
    measured, threshold = Decimal(str(result["measured"])), Decimal(str(result["threshold"]))
    if result.get("unit") == "days":
        margin = measured - threshold
        key = "funders.days.margin" if margin >= 0 else "funders.days.late"
        said = i18n.text(key, code, n=fmt_count(int(abs(margin)), code))
    elif result.get("unit") == "day_count":
        said = _day_count_sentence(measured, threshold, code)
    else:
        figures = i18n.text(
            "funders.sentence.cap" if is_cap(result) else "funders.sentence.min",
            code,
            measured=fmt_money(measured, code, currency),
            threshold=fmt_money(threshold, code, currency),
        )
        kind, amount = kind_of(result)
        parts = [figures]
        if kind is not None:
            gap = i18n.text(f"funders.gap.{kind}", code, amount=fmt_money(amount, code, currency))
            parts.append(gap + _where_by(result, code) if kind == "shortfall" else gap)
        said = " — ".join(parts)
    scheme, _, rule_id = str(result["rule_id"]).partition(".")
    subject = f"{scheme}.{rule_id}.subject"
    if not i18n.has(subject):
        return said
    return i18n.text("funders.sentence.subject", code, subject=i18n.text(subject, code), said=said)


def _day_count_sentence(measured: Decimal, threshold: Decimal, code: str) -> str:
    """`5 jours sur 6 requis — il manque 1 jour` (days may be halves: the number format)."""
    said = i18n.text("funders.sentence.day_count", code, measured=measured, threshold=threshold)
    if measured >= threshold:
        return said
    return f"{said} — {i18n.text('funders.gap.days_short', code, n=threshold - measured)}"


def _where_by(result: dict[str, Any], code: str) -> str:
    """`, à dépenser d'ici le 20/08/2027 (Bruxelles-Capitale)` (the parts the result has)."""
    where = where_words(result.get("spend_where"), code)
    day = _deadline(result) if where else None
    if where and day:
        return ", " + i18n.text(
            "funders.gap.spend_by_where", code, day=fmt_date(day, code), where=where
        )
    if where:
        return ", " + i18n.text("funders.gap.spend_where", code, where=where)
    return ""


def status_markdown(status: str, code: str) -> str:
    """The status as a coloured word: `:red[**● En échec**]`."""
    colour = STATUS_COLOUR.get(status, "gray")
    return f":{colour}[**● {status_word(status, code)}**]"


def parameter_value(param: dict[str, Any], code: str, currency: str = "EUR") -> str:
    """A parameter's value as people read it: `90 %`, `250 000 €`, `18 mois`."""
    unit, figure = str(param.get("unit")), Decimal(str(param["value"]))
    if unit in ("EUR", "EUR_per_night"):
        return str(
            format_currency(
                figure, currency, format="#,##0.## ¤", locale=locale_of(code), currency_digits=False
            )
        )
    if i18n.has(f"unit.{unit}"):
        return i18n.text(f"unit.{unit}", code, currency, value=figure)
    spec = UNIT_SPEC.get(unit, "number")
    return i18n.render("{v:" + spec + "}", code, currency, v=figure)


def source_links(source: str) -> str:
    """The source as written, each site it names a link to the site (markdown)."""
    text = source.replace("[", "(").replace("]", ")").replace("$", "\\$")
    return _SITE.sub(lambda m: f"[{m[1]}](https://{m[1]})", text)


def confidence_words(param: dict[str, Any], code: str) -> str:
    """Whether the figure was checked against the legal text, and how sure we are, in words."""
    confidence = confidence_word(str(param["confidence"]), code)
    if param.get("verified"):
        return i18n.text("funders.param.verified", code, confidence=confidence)
    if param["confidence"] == "unverified":
        return i18n.text("funders.param.unverified", code)
    return i18n.text("funders.param.secondary", code, confidence=confidence)


def parameter_lines(result: dict[str, Any], code: str, currency: str = "EUR") -> list[str]:
    """Each parameter of the result as a line: what it is, its value, whether it was checked
    and how sure we are, its source with links, since when (markdown)."""
    scheme = str(result["rule_id"]).partition(".")[0]
    return [
        i18n.text(
            "funders.param.line",
            code,
            label=parameter_label(scheme, p, code)[:1].upper()
            + parameter_label(scheme, p, code)[1:],
            value=parameter_value(p, code, currency),
            checked=confidence_words(p, code),
            source=source_links(str(p.get("source") or "–")),
            day=fmt_date(date.fromisoformat(str(p["valid_from"])[:10]), code)
            if p.get("valid_from")
            else "–",
        )
        for p in result.get("parameters", [])
    ]


_COUNTED = re.compile(
    r"(?P<scheme>[a-z0-9_]+) \((?P<country>[A-Z]{2})\) (?P<amount>-?\d+(?:\.\d+)?)"
)


def breakdown(result: dict[str, Any]) -> list[tuple[str, Decimal]]:
    """The amounts that make up a figure measured on the plan, from the result's details: a
    mapping of schemes to amounts (`obligations`), or a list `<scheme> (<country>) <amount>`
    (`counted`); empty when the details hold neither."""
    out: list[tuple[str, Decimal]] = []
    for value in (result.get("details") or {}).values():
        if isinstance(value, dict):
            out += [(str(k), Decimal(str(v))) for k, v in value.items() if _number(v)]
        elif isinstance(value, str):
            out += [(m["scheme"], Decimal(m["amount"])) for m in _COUNTED.finditer(value)]
    return out


def _number(value: Any) -> bool:
    try:
        Decimal(str(value))
    except ArithmeticError:
        return False
    return True


#: the zone the dashboard's times are read in (the audit page's)
_ZONE = ZoneInfo(ZONE)


def run_line(run: dict[str, Any], lang: str) -> str:
    """The stored check's caption: when it ran (Brussels time, zone shown), the date it
    evaluates, and the rulebook it applied."""
    ran = run["ran_at"].replace(tzinfo=UTC).astimezone(_ZONE)
    return i18n.text(
        "funders.run_line",
        lang,
        day=fmt_date(ran.date(), lang),
        time=f"{ran:%H:%M} {ran:%Z}",
        as_at=fmt_date(run["as_at"], lang),
        rulebook=str(run["rulebook"]),
    )


def worst_first(titles: dict[str, str], results: list[dict[str, Any]]) -> dict[str, str]:
    """The schemes in the order a reader acts on them: failing, then lacking data, warning,
    passing, not concerned (the packs' order within each)."""
    rank = {str(s): i for i, s in enumerate(WORST_FIRST)}

    def worst(scheme: str) -> int:
        statuses = [Status(r["status"]) for r in results if r["scheme"] == scheme]
        return rank.get(str(worst_status(statuses)), len(rank))

    return dict(sorted(titles.items(), key=lambda item: worst(item[0])))
