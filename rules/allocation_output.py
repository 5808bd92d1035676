"""The allocation of invoices to obligations as people and programs read it: `cineledger allocate`'s
table (in the reader's language) and its JSON (money as two-decimal strings)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from finance.domain import i18n
from finance.domain.fmt import aligned, fmt_date, fmt_money, jsonable
from finance.domain.money import ZERO
from finance.domain.packs import scheme_label
from rules.allocation import Allocation, ClaimFigures

#: moved invoices the table lists (the JSON lists them all)
MOVED_SHOWN = 40


def claim_label(f: ClaimFigures, lang: str) -> str:
    """The obligation as people name it: the scheme's label, and its agreement."""
    name = scheme_label(f.claim.scheme, lang)
    if f.claim.agreement is None:
        return name
    return i18n.text("allocate.agreement", lang, scheme=name, k=str(f.claim.agreement))


def _status(f: ClaimFigures) -> str:
    if f.margin is None:
        return "no_threshold"
    return "short" if f.short else "met"


def allocation_json(a: Allocation) -> dict[str, Any]:
    """What `allocate --format json` prints."""
    obligations = [
        {
            "claim": f.claim.key,
            "scheme": f.claim.scheme,
            "agreement": f.claim.agreement,
            "label": f.claim.label,
            "rule_id": f.claim.rule_id,
            "status": _status(f),
            "required": f.claim.required,
            "allocated": f.allocated,
            "margin": f.margin,
            "shortfall": None if f.margin is None else max(-f.margin, ZERO),
            "naive": f.naive,
            "naive_margin": f.naive_margin,
            "check": f.claim.check_figure,
            "weight": str(f.claim.weight),
            "invoices": f.invoices,
            "split_invoices": f.split,
        }
        for f in a.claims
    ]
    split: dict[int, dict[str, Any]] = {}
    for row in a.parts.to_dicts():
        entry = split.setdefault(
            row["expense_id"],
            {k: row[k] for k in ("expense_id", "doc_date", "supplier", "invoice_ref", "amount")}
            | {"parts": []},
        )
        entry["parts"].append({"claim": row["claim"], "counted": row["counted"]})
    out: dict[str, Any] = jsonable(
        {
            "production": a.production,
            "at": a.at,
            "obligations": obligations,
            "check_double_counted": a.check_overlap,
            "double_counted": a.double_counted,
            "shortfall": a.shortfall,
            "naive_shortfall": a.naive_shortfall,
            "bound": a.bound,
            "gap": a.gap,
            "kept_naive": a.kept_naive,
            "moved": a.moves.to_dicts(),
            "split": list(split.values()),
        }
    )
    return out


def _money(value: Decimal | None, lang: str) -> str:
    return fmt_money(value, lang)


def _obligation_rows(a: Allocation, lang: str) -> list[list[str]]:
    heads = ("obligation", "required", "allocated", "margin", "naive", "naive_margin", "check")
    rows = [[i18n.text(f"allocate.col.{h}", lang) for h in heads]]
    rows[0].append(i18n.text("allocate.col.status", lang))
    for f in a.claims:
        rows.append(
            [
                claim_label(f, lang),
                _money(f.claim.required, lang),
                _money(f.allocated, lang),
                _money(f.margin, lang),
                _money(f.naive, lang),
                _money(f.naive_margin, lang),
                _money(f.claim.check_figure, lang),
                i18n.text(f"allocate.status.{_status(f)}", lang),
            ]
        )
    return rows


def _keys_named(keys: list[str], names: dict[str, str]) -> str:
    return ", ".join(names.get(k, k) for k in keys) or "–"


def allocation_table(a: Allocation, lang: str = "fr") -> str:
    """The obligations' figures beside the naive allocation's, what the double counting
    becomes, the invoices moved and the split ones."""
    names = {f.claim.key: claim_label(f, lang) for f in a.claims}
    lines = [
        i18n.text("allocate.title", lang, production=a.production, day=fmt_date(a.at, lang)),
        "",
        *aligned(_obligation_rows(a, lang), left=(0, 7)),
        "",
    ]
    if a.check_overlap:
        lines.append(i18n.text("allocate.overlap.resolved", lang, amount=a.check_overlap))
    else:
        lines.append(i18n.text("allocate.overlap.none", lang))
    for f in a.short:
        lines.append(
            i18n.text(
                "allocate.short", lang, obligation=names[f.claim.key], amount=-(f.margin or 0)
            )
        )
    if not a.short:
        lines.append(i18n.text("allocate.all_met", lang))
    lines.append(
        i18n.text(
            "allocate.shortfall",
            lang,
            amount=a.shortfall,
            naive=a.naive_shortfall,
            bound=a.bound,
        )
    )
    if a.kept_naive:
        lines.append(i18n.text("allocate.kept_naive", lang))
    lines.append(i18n.text("allocate.naive", lang))
    lines += ["", *_moved_lines(a, lang, names), *_split_lines(a, lang, names)]
    return "\n".join(lines).rstrip() + "\n"


def _moved_lines(a: Allocation, lang: str, names: dict[str, str]) -> list[str]:
    moved = a.moves.filter(~a.moves["split"]) if a.moves.height else a.moves
    if not moved.height:
        return [i18n.text("allocate.moved.none", lang)]
    heads = ("date", "supplier", "reference", "amount", "lost", "gained")
    rows = [[i18n.text(f"allocate.col.{h}", lang) for h in heads]]
    for r in moved.head(MOVED_SHOWN).to_dicts():
        rows.append(
            [
                fmt_date(r["doc_date"], lang),
                r["supplier"] or "–",
                r["invoice_ref"] or f"#{r['expense_id']}",
                _money(r["amount"], lang),
                _keys_named(r["lost"], names),
                _keys_named(r["gained"], names),
            ]
        )
    out = [
        i18n.text("allocate.moved.title", lang, n=moved.height),
        *aligned(rows, left=(0, 1, 2, 4, 5)),
    ]
    if moved.height > MOVED_SHOWN:
        out.append(i18n.text("allocate.moved.more", lang, n=moved.height - MOVED_SHOWN))
    return out


def _split_lines(a: Allocation, lang: str, names: dict[str, str]) -> list[str]:
    if not a.parts.height:
        return []
    out = ["", i18n.text("allocate.split.title", lang)]
    for (expense_id,), rows in a.parts.group_by(["expense_id"], maintain_order=True):
        first = rows.row(0, named=True)
        parts = "; ".join(
            f"{names.get(r['claim'], r['claim'])} {_money(r['counted'], lang)}"
            for r in rows.to_dicts()
        )
        out.append(
            f"  {fmt_date(first['doc_date'], lang)}  {first['supplier'] or '–'}  "
            f"{first['invoice_ref'] or f'#{expense_id}'}  {_money(first['amount'], lang)}: {parts}"
        )
    out.append(i18n.text("allocate.split.why", lang))
    return out
