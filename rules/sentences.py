"""Plain-language forms of the rules, through the message catalogue (finance/domain/i18n.py):
each operator's verb, each reason code's words, each rule's title and explanation (Datasette
habit: declared once, used by the check, the dashboard and the exports).

A rule's sentences are its pack's messages (`<scheme>.<rule>.title`, `.explanation`), filled
from the parameters the rule lists and the figures its status came from: change a parameter and
the sentence follows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from finance.domain import i18n
from finance.domain.errors import UserError
from finance.domain.i18n import money_en
from finance.domain.packs import scheme_label
from rules.loader import load_packs
from rules.model import Operator, RuleDecl

__all__ = [
    "confidence_word",
    "explain",
    "money_en",
    "reason_text",
    "result_sentences",
    "rule_text",
    "unverified_inputs",
    "verb",
    "verification_short",
    "verification_text",
    "window_text",
]


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


#: a result's details key saying how the allocation of the invoices resolved the double
#: counting (rules/allocation_verdict.py)
ALLOCATION_DETAILS = "allocation"


def allocated_sentence(said: Mapping[str, Any], lang: str) -> str:
    """The double-counting rule's explanation after the allocation, in `lang`: the spend
    eligible for two exclusive schemes, each invoice counted in one file, and the obligations
    the exclusivity leaves short, if any."""
    twice = Decimal(str(said["eligible_twice"]))
    head = i18n.text("allocation.verdict.resolved", lang, amount=twice)
    short = said.get("short") or []
    if not short:
        return head
    named = "; ".join(
        i18n.text(
            "allocation.verdict.short_one",
            lang,
            claim=claim_words(str(s["claim"]), lang),
            amount=Decimal(str(s["shortfall"])),
        )
        for s in short
    )
    return f"{head} {i18n.text('allocation.verdict.short', lang, claims=named)}"


def claim_words(key: str, lang: str) -> str:
    """An obligation of the allocation (`scheme`, or `scheme/k` for an agreement) in words."""
    scheme, _, k = key.partition("/")
    name = scheme_label(scheme, lang)
    return i18n.text("allocate.agreement", lang, scheme=name, k=k) if k else name


def rule_text(
    scheme: str, rule_id: str, part: str, lang: str = "en", currency: str = "EUR", **values: Any
) -> str:
    """A rule's `title` or `explanation` in `lang`, filled from its parameters and figures."""
    return i18n.text(f"{scheme}.{rule_id}.{part}", lang, currency, **values)


def strand_words(scheme: str, strand: str, lang: str = "en") -> str:
    """A strand of a scheme's aid in words (its pack's `strand.<name>`), else its name."""
    key = f"{scheme}.strand.{strand}"
    return i18n.text(key, lang) if strand and i18n.has(key) else strand


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
                "result.agreement",
                lang,
                k=str(a["agreement"]),
                day=_day(a["signed_on"], lang) if a.get("signed_on") else "?",
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
        details = result.get("details") or {}
        if details.get("not_recorded"):
            return i18n.text("result.not_recorded", lang, field=details["not_recorded"])
        if "strand" in details:
            words = strand_words(scheme, str(details["strand"]), lang)
            return i18n.text("result.other_strand", lang, strand=words)
        return i18n.text("result.not_concerned", lang)
    not_given = (result.get("details") or {}).get("not_given")
    if status == "insufficient_data" and not_given:
        return i18n.text("result.not_given", lang, field=not_given)
    if status == "insufficient_data" or result.get("measured") is None:
        return str(result.get("explanation", ""))
    allocated = (result.get("details") or {}).get(ALLOCATION_DETAILS)
    if allocated:
        return allocated_sentence(allocated, lang)
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


#: how a parameter's value is said, by its unit (finance/domain/i18n.py's specs), where the
#: catalogue has no `unit.<unit>` message
UNIT_SPEC = {"ratio": "percent", "EUR": "amount", "EUR_per_night": "amount"}
_INPUT = re.compile(r"(?P<kind>[a-z_]+) \((?P<confidence>[a-z-]+)\)")


def address_basis_text(
    result: Mapping[str, Any], lang: str = "en", currency: str = "EUR"
) -> str | None:
    """Where the scheme tests a supplier's recorded address: which address its measured spend
    was tested on, and how much rests on each (`seat of operations EUR 1,200.00; invoice
    address EUR 300.00`); None for a result without it."""
    found = (result.get("details") or {}).get("address_basis")
    if not found:
        return None
    parts = [
        i18n.text(
            "check.address_part",
            lang,
            currency,
            address=i18n.text(f"address.{b}", lang),
            amount=Decimal(str(v)),
        )
        for b, v in found.items()
    ]
    return i18n.text("check.address_basis", lang, parts="; ".join(parts))


def confidence_word(confidence: str, lang: str = "en") -> str:
    """A confidence level (`high`, `medium-high`, `medium`, `unverified`) in words."""
    key = f"confidence.{confidence}"
    return i18n.text(key, lang) if i18n.has(key) else confidence


def parameter_label(scheme: str, param: Mapping[str, Any], lang: str = "en") -> str:
    """What a parameter is, in words: its pack's message `parameter.<name>` in the language,
    else the parameter file's title (English), else its name."""
    key = f"{scheme}.parameter.{param['name']}"
    if i18n.has(key):
        return i18n.text(key, lang)
    return str(param.get("title") or param["name"])


def parameter_words(
    scheme: str, param: Mapping[str, Any], lang: str = "en", currency: str = "EUR"
) -> str:
    """A parameter in words: what it is, its value and its confidence."""
    unit, figure = str(param.get("unit")), Decimal(str(param["value"]))
    if i18n.has(f"unit.{unit}"):
        value = i18n.text(f"unit.{unit}", lang, currency, value=figure)
    else:
        spec = UNIT_SPEC.get(unit, "number")
        value = i18n.render("{v:" + spec + "}", lang, currency, v=figure)
    return i18n.text(
        "verification.parameter",
        lang,
        label=parameter_label(scheme, param, lang),
        value=value,
        confidence=confidence_word(str(param["confidence"]), lang),
    )


def unverified_inputs(
    result: Mapping[str, Any], lang: str = "en", currency: str = "EUR"
) -> list[str]:
    """The inputs a result rests on that were not checked against the legal text (its
    `unverified` list), each in words: a parameter with its value and confidence, the scheme's
    eligibility choices or the rule's reading with their confidence."""
    scheme = str(result["rule_id"]).partition(".")[0]
    params = {p["name"]: p for p in result.get("parameters", [])}
    out = []
    for name in result.get("unverified", []):
        found = _INPUT.fullmatch(str(name))
        if name in params:
            out.append(parameter_words(scheme, params[name], lang, currency))
        elif found and i18n.has(f"verification.input.{found['kind']}"):
            confidence = confidence_word(found["confidence"], lang)
            out.append(
                i18n.text(f"verification.input.{found['kind']}", lang, confidence=confidence)
            )
        else:
            out.append(str(name))
    return out


def _verification(
    result: Mapping[str, Any], lang: str, currency: str, verified: str, unverified: str
) -> str:
    """Whether a result rests only on verified inputs, with the messages `verified` and
    `unverified` (this one naming the inputs); a result stored before results said it: unknown."""
    if "verified" not in result:
        return i18n.text("verification.unknown", lang)
    if result["verified"]:
        return i18n.text(verified, lang)
    separator = i18n.text("verification.separator", lang)
    inputs = separator.join(unverified_inputs(result, lang, currency))
    return i18n.text(unverified, lang, inputs=inputs)


def verification_text(result: Mapping[str, Any], lang: str = "en", currency: str = "EUR") -> str:
    """Whether a result rests only on inputs checked against the legal text, in a sentence
    naming those that were not (a result stored before results said it: unknown)."""
    return _verification(result, lang, currency, "verification.verified", "verification.unverified")


def verification_short(result: Mapping[str, Any], lang: str = "en", currency: str = "EUR") -> str:
    """The same, short, for a table cell or a flag."""
    return _verification(
        result, lang, currency, "verification.short_verified", "verification.short_unverified"
    )


def window_text(result: Mapping[str, Any], lang: str = "en") -> str | None:
    """A result's spending window and where it comes from (the agreement, the regulation's
    default, or none), in words; None for a rule without a window."""
    window = result.get("window") or {}
    source = window.get("source")
    if not source:
        return None
    start, end = window.get("start"), window.get("end")
    return i18n.text(
        "window.period",
        lang,
        start=_day(start, lang) if start else i18n.text("window.open_start", lang),
        end=_day(end, lang) if end else i18n.text("window.open_end", lang),
        source=i18n.text(f"window.source.{source}", lang),
    )


def _day(iso: str, lang: str) -> str:
    """An ISO date as the reader writes it (dd/mm/yyyy in French and Dutch)."""
    year, month, day = str(iso)[:10].split("-")
    return f"{year}-{month}-{day}" if lang == "en" else f"{day}/{month}/{year}"
