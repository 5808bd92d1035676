"""Frozen, validated types of a rule pack: parameters with dated values, and rule declarations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

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


#: a set of results' status: the first of these any of them has (fail if one fails, then
#: missing data, then warn, then pass; not_applicable when none applies)
WORST_FIRST = (Status.FAIL, Status.INSUFFICIENT_DATA, Status.WARN, Status.PASS)


def worst_status(statuses: Iterable[Status]) -> Status:
    """The status of a production (its results) or of a work (its agreements' results)."""
    found = set(statuses)
    return next((s for s in WORST_FIRST if s in found), Status.NOT_APPLICABLE)


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

    def in_force(self, day: date) -> bool:
        """Whether a value was in force on `day` (on or after the first valid_from)."""
        return day >= min(self.values)

    def at(self, day: date) -> tuple[date, DatedValue]:
        """The value in force on `day`: the latest valid_from on or before it. Before the first,
        the first, only so that the figures can still be computed: a rule resting on a
        parameter not `in_force` on its signing date is not applicable (rules/engine.py)."""
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


class FactDecl(Frozen):
    """A named fact of rules/facts.py and its arguments (parameter, measure or field names of the
    pack): `{fact: share_of_plan, field: fiscal_value, ratio: belgian_spend_ratio}`."""

    fact: str
    args: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _collect_args(cls, data: Any) -> Any:
        if isinstance(data, dict) and "args" not in data:
            return {
                "fact": data.get("fact"),
                "args": {str(k): str(v) for k, v in data.items() if k != "fact"},
            }
        return data


class MeasureDecl(Frozen):
    """A spend measure of the pack: a named spend fact (rules/facts.py) over the scheme's
    eligibility rows, the budget-line territories its projection counts, where a shortfall must
    be spent, and optionally the Tax Shelter classes it keeps, or the manifest field a spend
    fact reads (`coproduction.partner_country`)."""

    fact: str
    ts_classes: list[str] = Field(default_factory=list)
    plan_territories: list[str]
    spend_where: str
    field: str | None = Field(default=None, pattern=r"^[a-z_]+(\.[a-z_]+)*$")
    per_agreement: bool = False  # with agreements that stand on their own: each one's too


class Reading(Frozen):
    """A rule's reading of the legal text: its confidence and why (the pack says more)."""

    confidence: Confidence
    why: str = Field(min_length=3)


class RuleDecl(Frozen):
    """A rule as data: a named measured fact, an operator and a named threshold fact. Its title
    and explanation are the pack's messages `<id>.title` and `<id>.explanation`
    (its pack's gettext catalogue), filled from the parameters it lists and its figures."""

    id: str
    reference: str = Field(min_length=3)
    measured: str  # "<scheme>.<name>": a measure or a value of a pack
    operator: Operator
    threshold: str  # "<scheme>.<name>": a threshold of a pack
    parameters: list[str] = Field(default_factory=list)
    applies_to: list[str] = Field(default_factory=list)  # schemes (or traits) that trigger it
    #: with a scheme whose agreements stand on their own: evaluated per agreement, the result
    #: being the work's verdict (failing if any agreement fails) with each agreement's figures
    per_agreement: bool = False
    #: manifest fields the rule needs (`coproduction`, `coproduction.partner_country`): when one
    #: is not recorded, the rule is not applicable (a work that is no coproduction)
    requires: list[str] = Field(default_factory=list)
    #: manifest fields the rule reads (`shooting_days`): when one is not recorded, the rule
    #: cannot be evaluated and says insufficient_data (the work is concerned, the data lacks)
    needs: list[str] = Field(default_factory=list)
    #: the strands of the scheme's aid (financing_line.strands) the rule belongs to: for a line
    #: of another strand, the rule is not applicable; empty, every strand
    strands: list[str] = Field(default_factory=list)
    #: what a miss is: fail; warn (contract terms); info (a limit that only caps a figure, such
    #: as a tax credit's base: the result passes and its details say what was left out)
    severity: Literal["fail", "warn", "info"] = "fail"
    details: FactDecl | None = None  # rule-specific figures a reader needs
    #: how sure we are of the rule's own reading of the text (what it counts, against what),
    #: apart from its parameters; below high, every result of the rule says it rests on it
    reading: Reading | None = None
    #: what the figures count: money (the default), days (a deadline's margin) or day_count
    #: (a number of days against a required number: the shooting days in a region)
    unit: Literal["money", "days", "day_count"] = "money"
    #: a financing-line field (`certificate_issued_on`) that says the obligation is done: while
    #: one of the scheme's lines lacks it and its margin (days) is at most `pending_warn_days`,
    #: a met rule is only on track (warn); further off, it passes (nothing to do yet). The
    #: warning distance is the product's choice of how early to remind, not a legal figure.
    pending_field: str | None = None
    pending_warn_days: int = 365
    #: how the work's figures come from its agreements' (per_agreement): summed, or the least
    #: (a deadline's margin: the tightest agreement)
    combine: Literal["sum", "min"] = "sum"


class Window(Frozen):
    """How a scheme's spending window is set.

    `signed_on`: from `months_before` before to `months_after` after the agreement's signing
    (parameter names); `signed_on_onwards`: from signing, no end; `manifest`: the financing
    line's window_start/window_end, open where absent.

    `before_requires_reason`: the months before signing count only where the financing line
    records why (`pre_signing_reason`); otherwise the window opens on the signing date.
    `separate_agreements`: each financing line of the scheme is an agreement that stands on its
    own (its own window, parameters in force on its own signing date, its own qualifying spend);
    an expense counts for one agreement only. Where windows overlap, the agreements are filled
    in signing order up to the threshold named by `fill` (computed on the agreement alone), in
    date order; what is left goes to the first agreement whose window holds it.
    """

    anchor: str
    months_before: str | None = None
    months_after: str | None = None
    months_after_animation: str | None = None
    before_requires_reason: bool = False
    separate_agreements: bool = False
    fill: str | None = None


class Eligibility(Frozen):
    """Which expenses count for a scheme, as data the SQL is generated from."""

    source: str
    confidence: Confidence
    territories: list[str] = Field(default_factory=list)  # "FR-*" matches every department
    #: which of the payee's addresses the territory test reads: the invoice's (the default),
    #: its seat of operations (else its registered office, else the invoice's) or its
    #: registered office (else the invoice's), as the supplier records give them
    payee_address: Literal["invoice", "seat_of_operations", "registered_office"] = "invoice"
    be_taxable_required: bool = False
    #: a payee established abroad (and taxable in Belgium) counts only under this regime
    abroad_regime: str | None = None
    payee: Literal["any", "av_company_or_person", "vat_registered"] = "any"
    payee_exempt_categories: list[str] = Field(default_factory=list)
    #: categories that never count; a mapping {valid_from: [...]} where the list changed with a
    #: regulation (dated like parameters: an agreement gets the list in force on its signing)
    excluded_categories: list[str] | dict[date, list[str]] = Field(default_factory=list)
    excluded_ts_classes: list[str] = Field(default_factory=list)
    hotel_caps: bool = False
    producer_fee_cap: str | None = None  # parameter: fee cap as a share of the other spend
    window: Window | None = None
    #: categories that count only from the agreement's signing date, never in the months
    #: before it (the Tax Shelter's script and development costs)
    not_before_signing: list[str] = Field(default_factory=list)
    #: the choices of this block that rest on their own reading of the texts, by name (the
    #: tests they make: `not_before_signing`, `abroad_regime`), each with its confidence: every
    #: result that reads the scheme's spend says it rests on those below high
    readings: dict[str, Reading] = Field(default_factory=dict)

    @property
    def dated_exclusions(self) -> bool:
        """The excluded categories changed with a regulation: each production gets its own."""
        return isinstance(self.excluded_categories, dict)

    def exclusions_on(self, day: date) -> list[str]:
        """The categories excluded for an agreement signed on `day`: the list in force then.
        Before the first dated list, the first (the pack's parameters start no later, so its
        rules are not in force for such an agreement: the loader checks it)."""
        lists = self.excluded_categories
        if isinstance(lists, list):
            return lists
        starts = sorted(lists)
        return lists[max((s for s in starts if s <= day), default=starts[0])]

    def every_exclusion(self) -> list[str]:
        """Every category any dated list excludes (the projection counts none of them:
        conservative)."""
        lists = self.excluded_categories
        if isinstance(lists, list):
            return lists
        return sorted({c for found in lists.values() for c in found})


class FinancingLine(Frozen):
    """What a financing line of the scheme must carry (finance/domain/packs.py reads it too):
    required fields with what they are, and whether the rules need a signing date."""

    requires: dict[str, str] = Field(default_factory=dict)
    signing_required: bool = False
    #: what kind of money its lines are in the financing plan (finance/domain/tranches.py
    #: SourceKind): `tax_shelter`, `tax_credit`; unset, public aid if the pack says so
    source: Literal["public_aid", "tax_shelter", "tax_credit"] | None = None
    #: the strands the aid is granted under (a regional fund's majority, international or
    #: technical-industries aid): a line must name one (`strand`), each is said by the pack's
    #: message `strand.<name>`, and rules and thresholds may depend on it
    strands: list[str] = Field(default_factory=list)


class Presentation(Frozen):
    """How the edges show the scheme: its name by language, a colour."""

    label: dict[str, str] = Field(default_factory=dict)
    colour: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")


class Pack(Frozen):
    """A scheme's rules, the facts they read and the parameters they use.

    `funder`: a financing line may name the scheme (the EU ceilings and the double counting are
    packs, not funders). `activation`: `plan` (the scheme is in the plan, or a rule's applies_to
    matches it) or `overlap` (two schemes with eligibility tests are). `traits` are what other
    packs' facts and applies_to read: `public_aid` (counts in public-aid ceilings);
    `territorial_obligation` names the threshold that is the scheme's spend obligation;
    `aid_from_spend`: the aid is computed as a share of that spend (a tax incentive, GBER art.
    54(4)(b)), so the obligation counts against the budget ceiling but not against a share of
    the aid; `aid_tied_obligation` is the trait of the other territorial schemes.
    `aid_country` whose aid it is (for ceilings that count one country's aid).
    `schedule_window`: without a window of its own, the scheme's closes at the end of post."""

    scheme: str
    title: str
    description: str | None = None
    funder: bool = True
    activation: Literal["plan", "overlap"] = "plan"
    public_aid: bool = False
    #: whose aid it is (ISO 3166 code, `EU` for European aid); unset, the country of its
    #: eligibility territories (`BE-WAL` -> BE, `FR-*` -> FR) when they share one
    aid_country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    territorial_obligation: str | None = None
    #: what a euro short of the territorial obligation costs, against the other schemes' (an
    #: aid clawed back, a reduced attestation): the allocation of invoices minimises the total
    #: shortfall weighted so (rules/allocation.py); 1 unless the pack says otherwise
    shortfall_weight: Decimal = Field(default=Decimal(1), gt=0)
    aid_from_spend: bool = False
    schedule_window: bool = True
    financing_line: FinancingLine = FinancingLine()
    presentation: Presentation = Presentation()
    eligibility: Eligibility | None = None
    measures: dict[str, MeasureDecl] = Field(default_factory=dict)
    values: dict[str, FactDecl] = Field(default_factory=dict)
    thresholds: dict[str, FactDecl] = Field(default_factory=dict)
    rules: list[RuleDecl]
    #: the value the spend supports (the Tax Shelter's supportable V), a named fact
    supportable: FactDecl | None = None
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    folder: str = ""  # where it was loaded from (scenarios, messages)

    @property
    def aid_tied_obligation(self) -> bool:
        """A spend obligation imposed as a condition of the aid (GBER art. 54(4)(a))."""
        return bool(self.territorial_obligation) and not self.aid_from_spend
