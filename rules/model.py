"""Frozen, validated types of a rule pack: parameters with dated values, and rule declarations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Confidence(StrEnum):
    """How sure we are of a figure (funding-rules.md): never show `unverified` as settled law."""

    HIGH = "high"
    MEDIUM_HIGH = "medium-high"
    MEDIUM = "medium"
    UNVERIFIED = "unverified"


class Status(StrEnum):
    """Result statuses of the contract (interfaces.md section 5)."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    NOT_APPLICABLE = "not_applicable"
    INSUFFICIENT_DATA = "insufficient_data"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DatedValue(Frozen):
    """A parameter's value from a date on, with where it comes from."""

    value: Decimal
    source: str = Field(min_length=3)
    confidence: Confidence
    verified: bool
    note: str | None = None


class Parameter(Frozen):
    """One legal figure (OpenFisca habit): a file per parameter, values by validity date."""

    name: str
    scheme: str
    title: str = Field(min_length=3)
    description: str | None = None
    unit: str  # ratio | EUR | months | EUR_per_night
    reference: str = Field(min_length=3)
    last_checked: date | None = None
    values: dict[date, DatedValue]

    @model_validator(mode="after")
    def _has_values(self) -> Parameter:
        if not self.values:
            raise ValueError("a parameter needs at least one dated value")
        return self

    def at(self, day: date) -> tuple[date, DatedValue]:
        """The value in force on `day`: the latest valid_from on or before it (else the first)."""
        starts = sorted(self.values)
        chosen = starts[0]
        for start in starts:
            if start <= day:
                chosen = start
        return chosen, self.values[chosen]


class Operator(StrEnum):
    """How measured compares with threshold; each has a sentence (operators.py)."""

    GTE = "gte"
    LTE = "lte"


class RuleDecl(Frozen):
    """A rule as data: a named measured fact, an operator and a named threshold fact."""

    id: str
    title: str = Field(min_length=3)
    reference: str = Field(min_length=3)
    measured: str  # name of a fact in rules.facts
    operator: Operator
    threshold: str  # name of a threshold fact in rules.facts
    parameters: list[str] = Field(default_factory=list)
    explanation: str = Field(min_length=3)
    applies_to: list[str] = Field(default_factory=list)  # schemes whose presence triggers the rule
    severity: str = "fail"  # fail | warn: what a miss is (contract terms are warnings)


class Window(Frozen):
    """How a scheme's spending window is set.

    `signed_on`: from `months_before` before to `months_after` after the agreement's signing
    (parameter names); `signed_on_onwards`: from signing, no end; `manifest`: the financing
    line's window_start/window_end, open where absent.
    """

    anchor: str
    months_before: str | None = None
    months_after: str | None = None
    months_after_animation: str | None = None


class Eligibility(Frozen):
    """Which expenses count for a scheme, as data the SQL is generated from."""

    source: str
    confidence: Confidence
    territories: list[str] = Field(default_factory=list)  # "FR-*" matches every department
    be_taxable_required: bool = False
    payee: str = "any"  # any | av_company_or_person
    payee_exempt_categories: list[str] = Field(default_factory=list)
    excluded_categories: list[str] = Field(default_factory=list)
    excluded_ts_classes: list[str] = Field(default_factory=list)
    hotel_caps: bool = False
    window: Window | None = None


class Pack(Frozen):
    """A scheme's rules and the parameters they use."""

    scheme: str
    title: str
    description: str | None = None
    eligibility: Eligibility | None = None
    rules: list[RuleDecl]
    parameters: dict[str, Parameter] = Field(default_factory=dict)
