"""The spend plan as people and programs read it: `cineledger plan-spend`'s table and sentences
(in the reader's language) and its JSON (money as two-decimal strings)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from finance.domain import i18n
from finance.domain.fmt import aligned, fmt_date, fmt_money, jsonable
from finance.domain.money import ZERO
from finance.domain.packs import scheme_label
from rules.spend_plan import CENT, Obligation, SpendPlan


def territory_words(code: str | None, lang: str) -> str:
    """A territory as people say it: Wallonia, Paris, France (département 13)."""
    if not code:
        return i18n.text("plan.territory.none", lang)
    for key in (f"plan.territory.{code}", f"where.{code}"):
        if i18n.has(key):
            return i18n.text(key, lang)
    if code.startswith("FR-"):
        return i18n.text("plan.territory.fr_department", lang, department=code[3:])
    return code


def territory_in(code: str | None, lang: str) -> str:
    """A territory with its preposition, as a sentence says it: in Wallonia, à Bruxelles."""
    if code and i18n.has(f"plan.in.{code}"):
        return i18n.text(f"plan.in.{code}", lang)
    if code and code.startswith("FR-"):
        return i18n.text("plan.in.fr_department", lang, department=code[3:])
    return i18n.text("plan.in.other", lang, territory=territory_words(code, lang))


def obligation_label(o: Obligation, lang: str) -> str:
    name = scheme_label(o.claim.scheme, lang)
    if o.claim.agreement is None:
        return name
    return i18n.text("allocate.agreement", lang, scheme=name, k=str(o.claim.agreement))


def _state(margin: Decimal) -> str:
    return "short" if margin < 0 else "met"


def _price(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def binds_sentence(o: Obligation, lang: str) -> str:
    """What binds the obligation (the constraint that stops it going higher), in words."""
    name = obligation_label(o, lang)
    kind = o.binds
    if kind == "fixed":
        return i18n.text("plan.binds.fixed", lang, obligation=name)
    if kind == "short":
        return i18n.text("plan.binds.short", lang, obligation=name, amount=-o.after_margin)
    if kind == "threshold":
        return i18n.text("plan.binds.threshold", lang, obligation=name, price=_price(o.dual))
    return i18n.text("plan.binds.slack", lang, obligation=name, amount=o.after_margin)


def worth_sentences(o: Obligation, territories: list[str], lang: str) -> list[str]:
    """What one more euro spent in each territory of the options is worth for the obligation,
    from its row dual and the ranging (rules/spend_plan.py)."""
    kind = o.binds
    if kind in ("fixed", "slack"):
        return []
    name = obligation_label(o, lang)
    out = []
    for t in territories:
        if not o.counts_in(t):
            continue
        values: dict[str, Any] = {"where": territory_in(t, lang), "obligation": name}
        if kind == "short":
            key = "plan.worth.short"
        else:
            key = "plan.worth.cost"
            values["price"] = _price(o.dual)
        if o.until is None:
            key += "_open"
        else:
            values["until"] = o.until
        out.append(i18n.text(key, lang, **values))
    counted = [t for t in territories if o.counts_in(t)]
    others = [territory_in(t, lang) for t in territories if not o.counts_in(t)]
    if counted and others:
        out.append(
            i18n.text("plan.worth.elsewhere", lang, obligation=name, where=", ".join(others))
        )
    return out


def plan_json(p: SpendPlan, lang: str = "en") -> dict[str, Any]:
    """What `plan-spend --format json` prints."""
    obligations = [
        {
            "claim": o.claim.key,
            "scheme": o.claim.scheme,
            "agreement": o.claim.agreement,
            "rule_id": o.claim.rule_id,
            "required": o.required,
            "before": o.before,
            "after": o.after,
            "margin_before": o.before_margin,
            "margin_after": o.after_margin,
            "state_before": _state(o.before_margin),
            "state_after": _state(o.after_margin),
            "binds": o.binds,
            "dual": str(_price(o.dual)) if o.binds == "threshold" else None,
            "until": o.until,
            "territories": list(o.territories),
            "explanation": [binds_sentence(o, lang), *worth_sentences(o, p.territories, lang)],
        }
        for o in p.obligations
    ]
    out: dict[str, Any] = jsonable(
        {
            "production": p.production,
            "at": p.at,
            "options": p.options_name,
            "moves": p.moves.to_dicts(),
            "extra_cost": p.extra_cost,
            "shortfall_before": p.shortfall_before,
            "shortfall_after": p.shortfall_after,
            "obligations": obligations,
            "short": [o.claim.key for o in p.short],
            "options_used": p.options.drop("stays").to_dicts(),
            "nothing_left": p.spent,
            "rounding": "amounts rounded to the cent from the solver's figures",
        }
    )
    return out


def plan_table(p: SpendPlan, lang: str = "fr") -> str:
    """The moves, the obligations before and after, and why, in `lang`."""
    lines = [
        i18n.text(
            "plan.title",
            lang,
            production=p.production,
            day=fmt_date(p.at, lang),
            name=p.options_name,
            n=p.lines.height,
        ),
        "",
    ]
    if p.moves.height:
        heads = ("line", "from", "to", "moved", "amount", "extra")
        rows = [[i18n.text(f"plan.col.{h}", lang) for h in heads]]
        for m in p.moves.to_dicts():
            rows.append(
                [
                    f"{m['code']} {m['label']}",
                    territory_words(m["from"], lang),
                    territory_words(m["to"], lang),
                    fmt_money(m["moved"], lang),
                    fmt_money(m["amount"], lang),
                    fmt_money(m["extra"], lang),
                ]
            )
        lines += [i18n.text("plan.moves", lang), *aligned(rows, left=(0, 1, 2)), ""]
        lines.append(i18n.text("plan.extra", lang, amount=p.extra_cost))
    else:
        lines.append(i18n.text("plan.no_move", lang))
    if p.spent:
        lines.append(i18n.text("plan.nothing_left", lang, codes=", ".join(p.spent)))
    lines += ["", i18n.text("plan.obligations", lang)]
    heads = ("obligation", "required", "before", "after", "state_before", "state_after")
    rows = [[i18n.text(f"plan.col.{h}", lang) for h in heads]]
    for o in p.obligations:
        rows.append(
            [
                obligation_label(o, lang),
                fmt_money(o.required, lang),
                fmt_money(o.before, lang),
                fmt_money(o.after, lang),
                _state_words(o.before_margin, lang),
                _state_words(o.after_margin, lang),
            ]
        )
    lines += aligned(rows, left=(0, 4, 5))
    lines += ["", i18n.text("plan.why", lang)]
    for o in p.obligations:
        lines.append(f"- {binds_sentence(o, lang)}")
        lines += [f"  {s}" for s in worth_sentences(o, p.territories, lang)]
    lines.append("")
    lines += short_sentences(p, lang) or [i18n.text("plan.all_met", lang)]
    lines.append(i18n.text("plan.rounding", lang))
    return "\n".join(lines).rstrip() + "\n"


def short_sentences(p: SpendPlan, lang: str) -> list[str]:
    """One sentence per obligation still short with the plan (empty: every one is met)."""
    return [
        i18n.text("plan.short", lang, obligation=obligation_label(o, lang), amount=-o.after_margin)
        for o in p.short
    ]


def _state_words(margin: Decimal, lang: str) -> str:
    if margin < 0:
        return i18n.text("plan.state.short", lang, amount=-margin)
    return i18n.text("plan.state.met", lang, amount=max(margin, ZERO))
