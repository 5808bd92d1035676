"""Plain-language forms of the rules, through the message catalogue (finance/domain/i18n.py):
each operator's verb, each reason code's words, each rule's title and explanation (Datasette
habit: declared once, used by the check, the dashboard and the exports).

A rule's sentences are its pack's messages (`<scheme>.<rule>.title`, `.explanation`), filled
from the parameters the rule lists and the figures its status came from: change a parameter and
the sentence follows.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from finance.domain import i18n
from finance.domain.errors import UserError
from finance.domain.i18n import money_en
from rules.loader import load_packs
from rules.model import Operator, RuleDecl

__all__ = ["explain", "money_en", "reason_text", "result_sentences", "rule_text", "verb"]


def verb(op: Operator, met: bool, lang: str = "en") -> str:
    """`reaches` / `is below` (gte), `is within` / `exceeds` (lte), in `lang`."""
    return i18n.text(f"verb.{op.value}.{'met' if met else 'missed'}", lang)


def reason_text(code: str, lang: str = "en", values: Mapping[str, Any] | None = None) -> str:
    """The words for a reason code (the code itself if unknown). A reason that shows a figure
    (`producer_fee_capped`) shows it when `values` has the parameter, else the words without."""
    key = f"reason.{code}"
    if not i18n.has(key):
        return code
    filled = f"{key}.figure"
    if values and i18n.has(filled):
        try:
            return i18n.text(filled, lang, **values)
        except UserError:  # a parameter the sentence needs is missing: the plain words
            pass
    return i18n.text(key, lang)


def rule_text(
    scheme: str, rule_id: str, part: str, lang: str = "en", currency: str = "EUR", **values: Any
) -> str:
    """A rule's `title` or `explanation` in `lang`, filled from its parameters and figures."""
    return i18n.text(f"{scheme}.{rule_id}.{part}", lang, currency, **values)


def explain(
    scheme: str,
    rule_id: str,
    op: Operator,
    met: bool,
    measured: Decimal | None,
    threshold: Decimal | None,
    currency: str,
    params: Mapping[str, Decimal],
    lang: str = "en",
) -> str:
    """A rule's explanation from the same figures the status came from."""
    return rule_text(
        scheme,
        rule_id,
        "explanation",
        lang,
        currency,
        measured=measured,
        threshold=threshold,
        verb=verb(op, met, lang),
        **params,
    )


def result_sentences(
    result: Mapping[str, Any], lang: str, currency: str = "EUR"
) -> tuple[str, str]:
    """A stored result's (title, explanation) in `lang`, from its own parameters and figures
    (the JSON of `check`, English, re-said in the reader's language); a result over several
    agreements says each agreement's."""
    scheme, _, rule_id = str(result["rule_id"]).partition(".")
    pack = load_packs().get(scheme)  # loading the packs registers their messages
    rule = next((r for r in pack.rules if r.id == rule_id), None) if pack else None
    if rule is None:
        return str(result.get("title", "")), str(result.get("explanation", ""))
    values = {p["name"]: Decimal(p["value"]) for p in result.get("parameters", [])}
    title = rule_text(scheme, rule_id, "title", lang, currency, **values)
    agreements = result.get("agreements") or []
    if len(agreements) >= 2:
        said = [
            i18n.text(
                "result.agreement", lang, k=str(a["agreement"]), day=str(a["signed_on"] or "?")
            )
            + ": "
            + _figures_sentence(scheme, rule, a, values, lang, currency)
            for a in agreements
        ]
        return title, "; ".join(said)
    return title, _figures_sentence(scheme, rule, result, values, lang, currency)


def _figures_sentence(
    scheme: str,
    rule: RuleDecl,
    result: Mapping[str, Any],
    values: Mapping[str, Decimal],
    lang: str,
    currency: str,
) -> str:
    """The explanation of one set of figures (a result's, or one agreement's)."""
    status = result.get("status")
    if status == "not_applicable":
        day = result.get("not_in_force_on") or (result.get("details") or {}).get("not_in_force_on")
        if day:
            return i18n.text("result.not_in_force", lang, day=day)
        lacking = (result.get("details") or {}).get("not_recorded")
        if lacking:
            return i18n.text("result.not_recorded", lang, field=lacking)
        return i18n.text("result.not_concerned", lang)
    if status == "insufficient_data" or result.get("measured") is None:
        return str(result.get("explanation", ""))
    measured, threshold = Decimal(result["measured"]), Decimal(result["threshold"])
    # met from the figures, not the status: an `info` limit passes while its figure exceeds it
    met = measured >= threshold if rule.operator is Operator.GTE else measured <= threshold
    return explain(
        scheme,
        rule.id,
        rule.operator,
        met,
        measured,
        threshold,
        currency,
        values,
        lang,
    )
