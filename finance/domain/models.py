"""Frozen domain types guarding the boundaries: the production manifest and its financing plan.

Bulk data (budget lines, expenses) lives in DuckDB and polars frames; these pydantic models guard
what a user writes by hand (the manifest) and single records crossing an edge.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    field_validator,
    model_validator,
)

from finance.domain.codes import PLANNED_TERRITORY
from finance.domain.days import Day
from finance.domain.money import MAX_MONEY
from finance.domain.packs import catalogue, funder_schemes
from finance.domain.tranches import (
    SOURCE_ID,
    Retention,
    SourceKind,
    SourceStatus,
    Tranche,
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class Kind(StrEnum):
    """What kind of work: drives thresholds (screen.brussels minimum) and windows (animation)."""

    FEATURE = "feature"
    DOCUMENTARY = "documentary"
    ANIMATION = "animation"
    SERIES = "series"


class Scheme(str):
    """A funding scheme's name: one of the rule packs' funders, or `other` (interfaces.md
    section 1). A scheme is a folder under rules/packs (finance/domain/packs.py): the names are
    read from the packs, never written in Python."""

    @property
    def value(self) -> str:
        """The name itself (a scheme was an enum; `.value` still reads it)."""
        return str(self)

    @classmethod
    def check(cls, value: str) -> Scheme:
        """The scheme named `value`, or the error listing the known ones."""
        known = funder_schemes()
        if value not in known:
            quoted = [f"'{s}'" for s in known]
            expected = ", ".join(quoted[:-1]) + f" or {quoted[-1]}"
            raise ValueError(f"Input should be {expected}")
        return cls(value)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: type[Any], handler: GetCoreSchemaHandler) -> Any:
        """Validated as a text naming a known scheme; written as that text."""
        return handler(Annotated[str, AfterValidator(cls.check)])


class Status(StrEnum):
    """Actual spend is invoiced; committed spend is ordered and enters projections only."""

    ACTUAL = "actual"
    COMMITTED = "committed"


class TsClass(StrEnum):
    """Tax Shelter class of a budget line or expense (funding-rules.md section 1)."""

    DIRECT = "direct"
    INDIRECT = "indirect"
    PRODUCER_FEE = "producer_fee"
    EXCLUDED = "excluded"


Money = Annotated[Decimal, Field(ge=-MAX_MONEY, le=MAX_MONEY, max_digits=18, decimal_places=2)]
PositiveMoney = Annotated[Decimal, Field(ge=0, le=MAX_MONEY, max_digits=18, decimal_places=2)]


class Frozen(BaseModel):
    """Base for domain records: immutable, and unknown keys are errors, not silently dropped."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Schedule(Frozen):
    """Production phases; they spread the devis into the planned burn curve."""

    prep_start: Day
    shoot_start: Day
    shoot_end: Day
    post_end: Day
    #: optional milestones of the financing plan's tranches (finance/domain/tranches.py)
    delivery: Day | None = None
    final_cost_statement: Day | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Schedule:
        days = [self.prep_start, self.shoot_start, self.shoot_end, self.post_end]
        if days != sorted(days):
            raise ValueError(
                "phases must be in order: prep_start <= shoot_start <= shoot_end <= post_end"
            )
        later = [d for d in (self.delivery, self.final_cost_statement) if d is not None]
        if any(d < self.shoot_end for d in later) or later != sorted(later):
            raise ValueError(
                "milestones must be in order: shoot_end <= delivery <= final_cost_statement"
            )
        return self


#: an ISO 3166 country code, or `EU` for supranational European aid (Eurimages, Creative Europe)
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class Financing(Frozen):
    """One source of the financing plan. Scheme-specific fields are checked below.

    `public_aid` and `aid_country` say whether the line is public aid and whose; unset, they
    come from the scheme's pack (its `public_aid` trait and its country), and a line of
    `other` is no public aid. `application_stage` says whether the aid was applied for before
    or after shooting (aid caps that depend on it)."""

    scheme: Scheme
    amount: PositiveMoney
    label: str | None = None
    fiscal_value: PositiveMoney | None = None
    signed_on: Day | None = None
    committed_spend: PositiveMoney | None = None
    window_start: Day | None = None
    window_end: Day | None = None
    #: why spend before the signing date belongs to this agreement (a scheme whose window
    #: opens before signing "where justified" opens it only with a reason recorded here)
    pre_signing_reason: str | None = Field(default=None, min_length=3)
    #: the day the scheme's certificate was issued (the Tax Shelter attestation): the deadline
    #: rule passes only once it is recorded
    certificate_issued_on: Day | None = None
    public_aid: bool | None = None
    aid_country: CountryCode | None = None
    application_stage: Literal["before_shooting", "after_shooting"] | None = None
    #: the financing plan (issue 19): the source's id in the plan (default: the scheme, or the
    #: scheme and its rank when it has several lines), how far it has gone, what kind of money
    #: it is (a funder's line: from its pack), whose money (country), its tranches, the share
    #: each tranche keeps until the final cost statement, and the days the payer has to pay
    id: Annotated[str, Field(pattern=SOURCE_ID.pattern)] | None = None
    status: SourceStatus | None = None
    source: SourceKind | None = None
    country: CountryCode | None = None
    tranches: list[Tranche] = Field(default_factory=list)
    retention: Retention | None = None
    payment_days: Annotated[int, Field(ge=0, le=365)] = 30
    #: the strand of the scheme the aid was granted under (a regional fund's majority,
    #: international or technical-industries aid): one of its pack's `financing_line.strands`,
    #: required where the pack lists some; its rules and thresholds may depend on it
    strand: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")] | None = None

    @model_validator(mode="after")
    def _scheme_fields(self) -> Financing:
        """The fields a scheme's lines require (its pack's `financing_line`), and only there."""
        schemes = catalogue()
        info = schemes.get(self.scheme)
        _check_strand(self, info.strands if info else ())
        for name, meaning in (info.requires if info else {}).items():
            if getattr(self, name) is None:
                raise ValueError(f"{self.scheme} needs {name} ({meaning})")
        for name in SCHEME_FIELDS:
            owners = [s for s, i in schemes.items() if name in i.requires]
            if getattr(self, name) is not None and self.scheme not in owners:
                raise ValueError(f"{name} only applies to {' or '.join(owners) or 'no scheme'}")
        if self.window_start and self.window_end and self.window_start > self.window_end:
            raise ValueError("window_start is after window_end")
        return self


#: the fields of a financing line that only some schemes' lines carry (their packs say which)
SCHEME_FIELDS = ("fiscal_value",)


def _check_strand(line: Financing, strands: tuple[str, ...]) -> None:
    """A line of a scheme with strands names one of them; a line of another scheme none."""
    if not strands:
        if line.strand is not None:
            raise ValueError(f"strand: {line.scheme} has no strands")
        return
    if line.strand not in strands:
        raise ValueError(f"{line.scheme} needs strand (one of: {', '.join(strands)})")


class ShootingDays(Frozen):
    """Days of principal photography in one territory (BE-VLG, FR-75, ...): a half day is
    `0.5`, and a day shot in two territories counts half in each when it comes from a
    shooting schedule (finance/domain/shooting.py)."""

    territory: Annotated[str, Field(pattern=PLANNED_TERRITORY)]
    days: Annotated[Decimal, Field(ge=0, le=10000, decimal_places=2)]


class Coproduction(Frozen):
    """An international coproduction as its contract states it: the amount the French
    coproducers bring (the French participation, the base of the French aid ceilings and of
    the film tax credit), whether the work is French-initiated, and the partner country whose
    spend an aid rule may require (ISO 3166 code)."""

    french_participation: PositiveMoney
    french_initiative: bool = False
    partner_country: CountryCode | None = None


#: the recorded derogations that allow a higher public-aid intensity (RGA art. 211-17)
AidDerogation = Literal["low_budget", "first_film", "second_film", "difficult_work"]


class Manifest(Frozen):
    """The production manifest (interfaces.md section 1), one YAML file per production.

    Optional, for the French and EU aid rules: `coproduction` (an international coproduction),
    `original_language` (ISO 639-1 code of the original version, e.g. `fr`) and
    `aid_derogation` (the derogation granted on the public-aid intensity, if any)."""

    id: str
    title: str = Field(min_length=1)
    kind: Kind
    currency: str = "EUR"
    budget_total: PositiveMoney | None = None
    layout: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")] = "cnc"
    schedule: Schedule | None = None
    financing: list[Financing] = Field(default_factory=list)
    coproduction: Coproduction | None = None
    original_language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")] | None = None
    aid_derogation: AidDerogation | None = None
    #: the shooting days by territory (rules on a share of the shooting in a region need
    #: them; without, they say insufficient_data), given as a list or read from the CSV
    #: shooting schedule `shooting_schedule` names (finance/domain/shooting.py)
    shooting_days: list[ShootingDays] | None = None
    shooting_schedule: Annotated[str, Field(min_length=1, max_length=255)] | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError(
                "must be a slug: lowercase letters, digits and dashes, e.g. dernier-tram"
            )
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError("must be an ISO 4217 code such as EUR")
        return value

    def schemes(self) -> list[Scheme]:
        """Schemes of the financing plan, in plan order, without repeats."""
        return list(dict.fromkeys(f.scheme for f in self.financing))
