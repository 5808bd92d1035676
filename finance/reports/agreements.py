"""The agreements of a scheme whose agreements stand on their own (the Tax Shelter's framework
agreements) and the value the spend supports, read from a check's results (the JSON of `check`,
as stored): what the justification file, its PDF summary and the dashboard show of them, the
figures and the same sentences in the reader's language.

Each agreement lists its window, its value, the value its spend supports with the factors, and
the figures of every rule evaluated per agreement; the work's line beside them is the work's
own result (its figures are the agreements' summed, or the tightest agreement's for a rule that
says so), and the work's supportable value is the agreements' summed, then limited work-wide.
Nothing here names a scheme: a pack may say a sentence in its own words (`<scheme>.<key>`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from finance.domain import i18n
from finance.domain.fmt import fmt_date
from finance.domain.packs import scheme_label
from rules.sentences import result_sentences


def _dec(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Figures:
    """One rule's figures, for one agreement or for the work."""

    rule_id: str
    title: str
    unit: str
    status: str
    measured: Decimal | None
    threshold: Decimal | None
    shortfall: Decimal | None
    projected: Decimal | None
    projected_threshold: Decimal | None
    projected_shortfall: Decimal | None
    evidence_count: int


def _figures(result: dict[str, Any], source: dict[str, Any], title: str) -> Figures:
    return Figures(
        rule_id=result["rule_id"],
        title=title,
        unit=str(result.get("unit") or "money"),
        status=str(source["status"]),
        measured=_dec(source.get("measured")),
        threshold=_dec(source.get("threshold")),
        shortfall=_dec(source.get("shortfall")),
        projected=_dec(source.get("projected")),
        projected_threshold=_dec(source.get("projected_threshold")),
        projected_shortfall=_dec(source.get("projected_shortfall")),
        evidence_count=int(source.get("evidence_count") or 0),
    )


@dataclass(frozen=True)
class Agreement:
    """One agreement: its number in signing order, its window, its value, what its spend
    supports (with the factors: `by_spend`, `direct_share`, `pro_rata`, and `at_completion`)
    and each per-agreement rule's figures."""

    k: int
    label: str | None
    signed_on: date | None
    start: date | None
    end: date | None
    pre_signing_reason: str | None
    value: Decimal | None
    supportable_value: Decimal | None
    supportable: dict[str, Any]
    rules: list[Figures]

    @property
    def at_completion(self) -> Decimal | None:
        return _dec((self.supportable.get("at_completion") or {}).get("value"))


@dataclass(frozen=True)
class Work:
    """A scheme's agreements and, beside them, the work's: the per-agreement rules' results
    and the value the spend supports (`value`, `agreements_total`, `work_limit`, and the same
    `at_completion`), empty where the pack declares none."""

    scheme: str
    agreements: list[Agreement]
    rules: list[Figures]
    supportable: dict[str, Any] = field(default_factory=dict)

    @property
    def value(self) -> Decimal | None:
        """The agreements' values summed."""
        found = [a.value for a in self.agreements if a.value is not None]
        return sum(found, Decimal(0)) if found else None

    @property
    def start(self) -> date | None:
        found = [a.start for a in self.agreements if a.start]
        return min(found) if found else None

    @property
    def end(self) -> date | None:
        found = [a.end for a in self.agreements if a.end]
        return max(found) if len(found) == len(self.agreements) and found else None


def works(results: list[dict[str, Any]], lang: str = "fr", currency: str = "EUR") -> list[Work]:
    """Each scheme of the results whose agreements stand on their own, in the results' order
    (none when no result lists agreements)."""
    by_scheme: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        if r.get("agreements"):
            by_scheme.setdefault(str(r["scheme"]), []).append(r)
    out = []
    for scheme, mine in by_scheme.items():
        titles = [result_sentences(r, lang, currency)[0] for r in mine]
        first = mine[0]
        agreements = []
        for i, a in enumerate(first["agreements"]):
            support = a.get("supportable") or {}
            window = a.get("window") or {}
            agreements.append(
                Agreement(
                    k=int(a["agreement"]),
                    label=a.get("label"),
                    signed_on=_date(a.get("signed_on")),
                    start=_date(window.get("start")),
                    end=_date(window.get("end")),
                    pre_signing_reason=window.get("pre_signing_reason"),
                    value=_dec(support.get("plan_value", a.get("amount"))),
                    supportable_value=_dec(a.get("supportable_value")),
                    supportable=support,
                    rules=[
                        _figures(r, r["agreements"][i], t)
                        for r, t in zip(mine, titles, strict=True)
                    ],
                )
            )
        support = next(
            (r["supportable"] for r in results if r["scheme"] == scheme and r.get("supportable")),
            {},
        )
        rules = [_figures(r, r, t) for r, t in zip(mine, titles, strict=True)]
        out.append(Work(scheme, agreements, rules, support))
    return out


def supported(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The work's supportable value of each scheme that has one (its first result's)."""
    out: dict[str, dict[str, Any]] = {}
    for r in results:
        if r.get("supportable"):
            out.setdefault(str(r["scheme"]), r["supportable"])
    return out


# --- the same in words ------------------------------------------------------------------------


def own(scheme: str, key: str, default: str) -> str:
    """The pack's own sentence where it has one (the Tax Shelter's V), else the general one."""
    return f"{scheme}.{key}" if i18n.has(f"{scheme}.{key}") else default


def day(value: date | None, lang: str) -> str:
    """A date as the reader writes it; an open end in words."""
    return fmt_date(value, lang) if value else i18n.text("check.open_end", lang)


def name(a: Agreement, lang: str) -> str:
    """`convention 1 (signée le 16/02/2026)`, with its label where it has one."""
    said = i18n.text("result.agreement", lang, k=str(a.k), day=day(a.signed_on, lang))
    return f"{said} {a.label}" if a.label else said


def heading(scheme: str, lang: str) -> str:
    return i18n.text("agreements.heading", lang, scheme=scheme_label(scheme, lang))


def head_sentence(scheme: str, a: Agreement, lang: str, currency: str = "EUR") -> str:
    """The agreement's name, window, value and supportable value (check's own line)."""
    return i18n.text(
        own(scheme, "agreement_head", "check.agreement.head"),
        lang,
        currency,
        name=name(a, lang),
        start=day(a.start, lang),
        end=day(a.end, lang),
        value=a.value,
        supportable=a.supportable_value,
    ).strip()


def window_sentence(a: Agreement, lang: str) -> str:
    return i18n.text("agreements.window", lang, start=day(a.start, lang), end=day(a.end, lang))


def reason_sentence(a: Agreement, lang: str) -> str | None:
    """The reason the months before signing count, where one is recorded."""
    if not a.pre_signing_reason:
        return None
    return i18n.text("check.agreement.reason", lang, reason=a.pre_signing_reason).strip()


def figure(value: Decimal | None, unit: str, lang: str, currency: str = "EUR") -> str:
    """A rule's figure in words: money, or a number of days."""
    if unit in ("days", "day_count") and value is not None:
        return i18n.text("check.days", lang, days=value)
    return i18n.render("{v}", lang, currency, v=value)


def rule_sentence(f: Figures, lang: str, currency: str = "EUR") -> str:
    """`OK Les dépenses … : 290 000,00 € mesuré pour 270 000,00 € requis`."""
    gap = ""
    if f.shortfall:
        gap = i18n.text(
            "check.agreement.gap", lang, gap=figure(f.shortfall, f.unit, lang, currency)
        )
    return i18n.text(
        "check.agreement.rule",
        lang,
        status=i18n.text(f"check.mark.{f.status}", lang),
        measure=f.title,
        measured=figure(f.measured, f.unit, lang, currency),
        threshold=figure(f.threshold, f.unit, lang, currency),
        gap=gap,
    ).strip()


def factors_sentence(scheme: str, a: Agreement, lang: str, currency: str = "EUR") -> str | None:
    """How the agreement's supportable value is reached, each factor named."""
    s = a.supportable
    if not s or s.get("by_spend") is None:
        return None
    return i18n.text(
        own(scheme, "agreements.factors", "agreements.factors"),
        lang,
        currency,
        supportable=_dec(s.get("value")),
        value=_dec(s.get("plan_value")),
        by_spend=_dec(s.get("by_spend")),
        pro_rata=i18n.render("{v:percent}", lang, v=_dec(s.get("pro_rata"))),
        direct_share=i18n.render("{v:percent}", lang, v=_dec(s.get("direct_share"))),
    )


def supportable_sentence(scheme: str, s: dict[str, Any], lang: str, currency: str = "EUR") -> str:
    """The work's supportable value today and at completion, the agreements' total and the
    work's limit (check's own line)."""
    later = s.get("at_completion") or {}
    return i18n.text(
        own(scheme, "supportable_summary", "check.supportable"),
        lang,
        currency,
        scheme=scheme_label(scheme, lang),
        value=_dec(s.get("value")),
        completion=_dec(later.get("value")),
        total=_dec(s.get("agreements_total", s.get("value"))),
        limit=_dec(s.get("work_limit")),
    )
