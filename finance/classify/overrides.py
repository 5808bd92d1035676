"""Corrections of a classification by a user: never silent, always with a reason.

The importer classifies each expense (territory from the payee's postcode, category and Tax
Shelter class from the budget line...). A funder may see it otherwise: a Brussels company's
Walloon branch, a lump sum that is really a fee. An override records the new value next to the
expense (the original stays), the newest one wins in `v_expenses`, and the audit trail keeps who
changed what, from which value, and why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from finance.domain import i18n
from finance.domain.parsing import TAX_REGIME, YES_NO
from finance.store import queries
from finance.store.audit import current_actor, record
from finance.store.db import connect, transaction
from finance.store.reference import category_defaults

FIELDS = ("territory", "category", "ts_class", "be_taxable", "av_company", "be_tax_regime")
TERRITORY = re.compile(r"^(BE-(BRU|VLG|WAL)|FR(-(\d{2}|2A|2B|97\d))?|EEA|OTHER)$")
TS_CLASSES = ("direct", "indirect", "producer_fee", "excluded")
MIN_REASON = 5


@dataclass(frozen=True)
class OverrideOutcome:
    """How many expenses were corrected, and their values before."""

    field: str
    value: str
    changed: pl.DataFrame  # id, before


def normalize_value(field: str, value: str) -> str:
    """The stored form of a new value, or a UserError naming what is accepted."""
    text = value.strip()
    if field == "territory":
        if not TERRITORY.match(text.upper()):
            raise i18n.error("error.override.territory", value=repr(value))
        return text.upper()
    if field == "category":
        known = sorted(category_defaults())
        if text.lower() not in known:
            raise i18n.error("error.override.category", value=repr(value), known=", ".join(known))
        return text.lower()
    if field == "ts_class":
        if text.lower() not in TS_CLASSES:
            raise i18n.error(
                "error.override.ts_class", value=repr(value), known=", ".join(TS_CLASSES)
            )
        return text.lower()
    if field in ("be_taxable", "av_company"):
        folded = text.lower()
        if folded not in YES_NO:
            raise i18n.error("error.override.yes_no", value=repr(value))
        return "true" if YES_NO[folded] else "false"
    if field == "be_tax_regime":
        folded = text.lower().replace("é", "e")
        if folded not in TAX_REGIME:
            raise i18n.error("error.override.tax_regime", value=repr(value))
        return TAX_REGIME[folded]
    raise i18n.error("error.override.field", field=repr(field), known=", ".join(FIELDS))


def override(
    db: Path | None,
    production_id: str,
    expense_ids: Sequence[int],
    field: str,
    value: str,
    reason: str,
) -> OverrideOutcome:
    """Set `field` to `value` on these expenses of the production, with the reason, in one
    transaction; every id must belong to the production."""
    if len((reason or "").strip()) < MIN_REASON:
        raise i18n.error("error.override.reason")
    if not expense_ids:
        raise i18n.error("error.override.no_ids")
    stored = normalize_value(field, value)
    ids = sorted({int(i) for i in expense_ids})
    with connect(db) as con, transaction(con):
        before = queries.frame(
            con,
            "overrides.before",
            {"pid": production_id, "ids": ids},
            parts={"field": field},  # one of FIELDS: normalize_value refuses any other
        )
        missing = sorted(set(ids) - set(before["id"].to_list()))
        if missing:
            raise i18n.error(
                "error.override.unknown_ids",
                production=production_id,
                ids=", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else ""),
            )
        queries.execute(
            con,
            "overrides.insert",
            {
                "ids": ids,
                "field": field,
                "value": stored,
                "reason": reason.strip(),
                "made_by": current_actor(),
                "made_at": datetime.now(UTC).replace(tzinfo=None),
            },
        )
        record(
            con,
            "override",
            production_id,
            f"{field} of expense {', '.join(map(str, ids[:20]))}"
            + (" ..." if len(ids) > 20 else ""),
            {
                "field": field,
                "value": stored,
                "before": dict(
                    zip(before["id"].to_list(), before["before"].to_list(), strict=True)
                ),
            },
            reason.strip(),
        )
    return OverrideOutcome(field, stored, before)


def parse_ids(text: str) -> list[int]:
    """`12,14-18` -> [12, 14, 15, 16, 17, 18]."""
    ids: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        lo, _, hi = part.partition("-")
        try:
            start, end = int(lo), int(hi or lo)
        except ValueError:
            raise i18n.error("error.override.ids", part=repr(part)) from None
        if end < start or end - start > 100_000:
            raise i18n.error("error.override.range", part=repr(part))
        ids.extend(range(start, end + 1))
    return ids
