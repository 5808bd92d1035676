"""The financing plan's schedule as data: a source's status and kind, and its tranches.

A tranche is a share or an amount of its source, due at a milestone of the production's
schedule (`shoot_start`, `delivery`...) or at a fixed date, possibly some days after it; the
contract may keep part of it (`retention`) until the final cost statement is approved. A tranche
may wait on a funder's rule (`condition: <scheme>.<rule>`): the cash plan shows it at risk
while that rule fails. Milestone dates come from the schedule, so a moved shooting date moves
every tranche tied to it (finance/financing/tranches.py resolves them).
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from finance.domain.days import Day
from finance.domain.money import MAX_MONEY


class SourceStatus(StrEnum):
    """How far a source of financing has gone, from hoped-for to received."""

    EXPECTED = "expected"
    LETTER_OF_INTENT = "letter_of_intent"
    SIGNED = "signed"
    CONDITIONS_MET = "conditions_met"
    PAID = "paid"


#: the statuses a bank counts as secured (a signed contract or better)
SECURED = (SourceStatus.SIGNED, SourceStatus.CONDITIONS_MET, SourceStatus.PAID)


class SourceKind(StrEnum):
    """What kind of money a source is. A funder's line is `public_aid` (or `tax_shelter`,
    `tax_credit`) by its pack; the others say what they are."""

    PUBLIC_AID = "public_aid"
    TAX_SHELTER = "tax_shelter"
    TAX_CREDIT = "tax_credit"
    COPRODUCER = "coproducer"
    PRESALE = "presale"
    MINIMUM_GUARANTEE = "minimum_guarantee"
    BROADCASTER = "broadcaster"
    BANK_LOAN = "bank_loan"
    EQUITY = "equity"
    DEFERMENT = "deferment"
    OTHER = "other"


class Milestone(StrEnum):
    """The schedule's dates a tranche can fall due at. `signature` is the source's own
    `signed_on`; the others are fields of the manifest's `schedule`."""

    SIGNATURE = "signature"
    PREP_START = "prep_start"
    SHOOT_START = "shoot_start"
    SHOOT_END = "shoot_end"
    POST_END = "post_end"
    DELIVERY = "delivery"
    FINAL_COST_STATEMENT = "final_cost_statement"


#: a share of a source: more than 0, at most 1
Share = Annotated[Decimal, Field(gt=0, le=1, max_digits=7, decimal_places=6)]
#: a retention: 0 to 1
Retention = Annotated[Decimal, Field(ge=0, lt=1, max_digits=7, decimal_places=6)]
#: a tranche's or a source's id: lowercase letters, digits, dashes and dots
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
#: a rule id as the packs spell it: `scheme.rule`
RULE_ID = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+$")


class Tranche(BaseModel):
    """One payment of a source: `share` of its amount or a fixed `amount`, `due` at a milestone
    or on a date, `days_after` it; `retention` (a share) kept until the final cost statement
    (the source's retention unless given here); `condition` a rule id that must hold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, Field(pattern=SOURCE_ID.pattern)] | None = None
    label: str | None = None
    share: Share | None = None
    amount: (
        Annotated[Decimal, Field(gt=0, le=MAX_MONEY, max_digits=18, decimal_places=2)] | None
    ) = None
    due: Milestone | Day
    days_after: Annotated[int, Field(ge=-366, le=1096)] = 0
    retention: Retention | None = None
    condition: Annotated[str, Field(pattern=RULE_ID.pattern)] | None = None

    @model_validator(mode="after")
    def _share_or_amount(self) -> Tranche:
        if (self.share is None) == (self.amount is None):
            raise ValueError("give either share or amount")
        return self
