"""The financing plan as two frames: its sources, and its tranches with their due dates.

A manifest is a handful of lines written by hand; reading it into rows is the one step done per
line in Python (its size is the plan's, not the ledger's). Everything after it (receipts against
tranches, states, the cash plan) is polars over these frames, for one production or a
portfolio alike.

Each tranche becomes one payment row, or two when the contract keeps a retention: the part paid
at the milestone and the retained part paid at the final cost statement. A source without
tranches is one payment of its whole amount at its signature, or an unscheduled one (no date:
the cash plan lists it apart) when it has not been signed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import polars as pl

from finance.domain.financing_plan import (
    milestone_date,
    source_ids,
    status_of,
    tranche_amount,
    tranche_ids,
)
from finance.domain.models import Financing, Manifest
from finance.domain.money import MONEY
from finance.domain.packs import catalogue
from finance.domain.tranches import Milestone, SourceKind

SOURCE_SCHEMA: dict[str, Any] = {
    "production_id": pl.String,
    "seq": pl.Int32,
    "source_id": pl.String,
    "scheme": pl.String,
    "label": pl.String,
    "kind": pl.String,
    "status": pl.String,
    "amount": MONEY,
    "public_aid": pl.Boolean,
    "country": pl.String,
    "signed_on": pl.Date,
    "strand": pl.String,  # the strand the aid is granted under (a regional fund's), if any
}
PAYMENT_SCHEMA: dict[str, Any] = {
    "production_id": pl.String,
    "seq": pl.Int32,
    "source_id": pl.String,
    "tranche_id": pl.String,
    "rank": pl.Int32,  # 0 the part paid at the milestone, 1 the retention
    "part": pl.String,  # tranche | retention
    "milestone": pl.String,  # a Milestone, or `date` for a fixed date
    "days_after": pl.Int32,  # days after the milestone
    "label": pl.String,
    "due_on": pl.Date,
    "expected_on": pl.Date,  # due_on plus the payer's payment days
    "amount": MONEY,
    "condition": pl.String,
}


def kind_of(line: Financing) -> str:
    """What kind of money: as written, else its scheme's (the pack's), else `other`."""
    if line.source is not None:
        return line.source.value
    info = catalogue().get(line.scheme)
    return info.source_kind if info else SourceKind.OTHER.value


def country_of(line: Financing) -> str | None:
    """Whose money: the line's `country`, else its `aid_country`, else its scheme's country."""
    info = catalogue().get(line.scheme)
    return line.country or line.aid_country or (info.country if info else None)


def _public_aid(line: Financing) -> bool:
    if line.public_aid is not None:
        return line.public_aid
    return kind_of(line) in (SourceKind.PUBLIC_AID, SourceKind.TAX_SHELTER, SourceKind.TAX_CREDIT)


def source_rows(manifest: Manifest) -> list[dict[str, Any]]:
    """One row per financing line."""
    return [
        {
            "production_id": manifest.id,
            "seq": seq,
            "source_id": sid,
            "scheme": str(line.scheme),
            "label": line.label,
            "kind": kind_of(line),
            "status": status_of(line).value,
            "amount": line.amount,
            "public_aid": _public_aid(line),
            "country": country_of(line),
            "signed_on": line.signed_on,
            "strand": line.strand,
        }
        for seq, (line, sid) in enumerate(
            zip(manifest.financing, source_ids(manifest), strict=True)
        )
    ]


def _due(manifest: Manifest, line: Financing, due: Milestone | date, days: int) -> date | None:
    day = milestone_date(manifest, line, due) if isinstance(due, Milestone) else due
    return day + timedelta(days=days) if day else None


def _row(
    manifest: Manifest, seq: int, sid: str, tid: str, rank: int, due: Any, amount: Decimal
) -> dict[str, Any]:
    line = manifest.financing[seq]
    milestone, due_on, condition, days, label = due
    expected = due_on + timedelta(days=line.payment_days) if due_on else None
    return {
        "production_id": manifest.id,
        "seq": seq,
        "source_id": sid,
        "tranche_id": tid,
        "rank": rank,
        "part": "retention" if rank else "tranche",
        "milestone": milestone,
        "days_after": days,
        "label": label,
        "due_on": due_on,
        "expected_on": expected,
        "amount": amount,
        "condition": condition,
    }


def _line_payments(manifest: Manifest, seq: int, sid: str) -> Iterable[dict[str, Any]]:
    line = manifest.financing[seq]
    if not line.tranches:
        milestone = Milestone.SIGNATURE.value if line.signed_on else None
        due = (milestone, line.signed_on, None, 0, None)
        yield _row(manifest, seq, sid, sid, 0, due, line.amount)
        return
    final = manifest.schedule.final_cost_statement if manifest.schedule else None
    for tranche, tid in zip(line.tranches, tranche_ids(sid, line), strict=True):
        amount = tranche_amount(line, tranche)
        kept_share = tranche.retention if tranche.retention is not None else line.retention
        kept = (amount * (kept_share or 0)).quantize(Decimal("0.01"))
        milestone = tranche.due.value if isinstance(tranche.due, Milestone) else "date"
        due_on = _due(manifest, line, tranche.due, tranche.days_after)
        paid = (milestone, due_on, tranche.condition, tranche.days_after, tranche.label)
        yield _row(manifest, seq, sid, tid, 0, paid, amount - kept)
        if kept:
            retained = (
                Milestone.FINAL_COST_STATEMENT.value,
                final,
                tranche.condition,
                0,
                tranche.label,
            )
            yield _row(manifest, seq, sid, tid, 1, retained, kept)


def payment_rows(manifest: Manifest) -> list[dict[str, Any]]:
    """One row per payment the plan expects: each tranche, and its retention apart."""
    ids = source_ids(manifest)
    return [row for seq, sid in enumerate(ids) for row in _line_payments(manifest, seq, sid)]


def sources_frame(manifests: Iterable[Manifest]) -> pl.DataFrame:
    """The sources of every manifest's plan."""
    rows = [r for m in manifests for r in source_rows(m)]
    return pl.DataFrame(rows, schema=SOURCE_SCHEMA)


def payments_frame(manifests: Iterable[Manifest]) -> pl.DataFrame:
    """The expected payments of every manifest's plan."""
    rows = [r for m in manifests for r in payment_rows(m)]
    return pl.DataFrame(rows, schema=PAYMENT_SCHEMA)
