"""Named facts: the arithmetic of the rules, reviewed as code (OpenFisca habit).

Facts are generic: a pack (rules/packs/<scheme>/pack.yaml) declares its measures, values and
thresholds by naming a fact here and giving its arguments, the names of the pack's parameters,
measures or financing-line fields. No scheme is named in Python: new arithmetic means a new
named fact here, never an expression hidden in YAML.

- A *spend fact* (SPEND_FACTS) is a measure over the eligibility relation (rules/wide.py): the
  rows that count and what each contributes, so its evidence adds up to its value.
- A *value fact* reads the financing plan or the budget.
- A *threshold fact* combines parameters with the plan, the budget or a measure.
- A *detail fact* gives the figures a reader needs beside a rule's result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from finance.domain.financing_plan import status_of
from finance.domain.models import Financing, Kind, Manifest, TsClass
from finance.domain.money import ZERO
from finance.domain.packs import aid_country_of
from finance.domain.tranches import SECURED
from finance.store.sql import literal
from rules.model import FactDecl, MeasureDecl, Pack


@dataclass(frozen=True)
class Measure:
    """A spend fact: eligibility rows of `scheme` passing `where`, each contributing `amount`."""

    scheme: str
    where: str
    amount: str
    plan_territories: tuple[str, ...]  # planned budget-line territories counted in projection
    plan_ts_classes: tuple[str, ...] = ()  # restrict projected lines to these classes
    spend_where: str = ""
    per_agreement: bool = False  # summed per agreement too (agreements that stand on their own)


def _eligible_spend(decl: MeasureDecl) -> tuple[str, str]:
    """The expenses that count for the scheme, at their eligible amount (after the caps);
    with `ts_classes`, those of these Tax Shelter classes only."""
    if not decl.ts_classes:
        return "counts", "eligible_amount"
    if len(decl.ts_classes) == 1:
        return f"counts AND ts_class = {literal(decl.ts_classes[0])}", "eligible_amount"
    classes = ", ".join(literal(c) for c in decl.ts_classes)
    return f"counts AND list_contains([{classes}], ts_class)", "eligible_amount"


def _eea_spend(decl: MeasureDecl) -> tuple[str, str]:
    """Spend with payees in the EEA over the whole production (the definition sets no period:
    no window applies) and of a class the scheme keeps: at the eligible amount where the
    scheme's tests pass, at the full amount elsewhere."""
    return (
        "in_plan AND class_ok AND eea_ok",
        "CASE WHEN counts THEN eligible_amount ELSE amount END",
    )


#: a manifest field a measure may name (`coproduction.partner_country`): dotted lowercase words
MANIFEST_PATH = re.compile(r"^[a-z_]+(\.[a-z_]+)*$")


def _manifest_country_spend(decl: MeasureDecl) -> tuple[str, str]:
    """Spend, in the window and of a class the scheme keeps, with payees of the country the
    production's manifest names at `field` (a partner country), at its full amount. The country
    is read per production from the stored manifest, so one query serves a whole portfolio; a
    production whose manifest names none counts nothing."""
    assert decl.field is not None and MANIFEST_PATH.match(decl.field)  # checked on loading
    path = literal("$." + decl.field)
    named = (
        f"(SELECT json_extract_string(p.manifest_json, {path}) FROM productions p "
        "WHERE p.id = production_id)"
    )
    return f"in_window AND class_ok AND country = {named}", "amount"


#: spend fact -> (where, amount) over the long eligibility relation's columns
SPEND_FACTS: dict[str, Callable[[MeasureDecl], tuple[str, str]]] = {
    "eligible_spend": _eligible_spend,
    "eea_spend": _eea_spend,
    "manifest_country_spend": _manifest_country_spend,
}


def measure_of(scheme: str, decl: MeasureDecl) -> Measure:
    """A pack's measure declaration as the SQL the check aggregates."""
    where, amount = SPEND_FACTS[decl.fact](decl)
    return Measure(
        scheme,
        where,
        amount,
        tuple(decl.plan_territories),
        tuple(decl.ts_classes),
        decl.spend_where,
        decl.per_agreement,
    )


def measure_table(packs: Mapping[str, Pack]) -> dict[str, Measure]:
    """Every measure of the packs, by qualified name (`<scheme>.<measure>`)."""
    return {
        f"{scheme}.{name}": measure_of(scheme, decl)
        for scheme, pack in packs.items()
        for name, decl in pack.measures.items()
    }


@dataclass(frozen=True)
class FactContext:
    """What value and threshold facts read: the plan, the parameters, the budget, the measures
    and the packs (their traits: public aid, territorial obligations)."""

    manifest: Manifest
    params: Mapping[str, Decimal]  # scheme-qualified: "<scheme>.<parameter>"
    budget: Decimal  # manifest budget_total, else the devis total
    estimate_at_completion: Decimal
    measures: Mapping[str, Decimal]  # measured (or projected) value of each measure
    packs: Mapping[str, Pack]
    at: date | None = None  # the as-at date of the run (deadlines count from it)
    #: the devis lines a base leaves out (`share_of_budget_excluding`), summed per exclusion
    #: (budget_exclusion's key: "chapters|categories")
    budget_excluded: Mapping[str, Decimal] = field(default_factory=dict)

    def plan_sum(self, scheme: str, field: str = "amount") -> Decimal:
        return sum(
            (getattr(f, field) or ZERO for f in self.manifest.financing if f.scheme == scheme),
            ZERO,
        )

    def committed(self, scheme: str) -> Decimal:
        return self.plan_sum(scheme, "committed_spend")

    def is_public_aid(self, line: Financing) -> bool:
        """The line says so, else its scheme's pack (`public_aid`); `other` is not, unless set."""
        if line.public_aid is not None:
            return line.public_aid
        pack = self.packs.get(line.scheme)
        return bool(pack and pack.public_aid)

    def aid_country(self, line: Financing) -> str | None:
        """Whose aid a line is: the line's `aid_country`, else its scheme's (pack_country)."""
        pack = self.packs.get(line.scheme)
        return line.aid_country or (pack_country(pack) if pack else None)

    def public_aid_lines(self, countries: tuple[str, ...] = ()) -> list[Financing]:
        """The plan's public aid; with `countries`, the aid of these countries and the aid of
        no known country (counted: the reading that counts more aid against a ceiling)."""
        return [
            f
            for f in self.manifest.financing
            if self.is_public_aid(f)
            and (not countries or self.aid_country(f) in (*countries, None))
        ]

    def manifest_value(self, path: str) -> Any:
        """A manifest field by dotted path (`coproduction.french_participation`), or None."""
        value: Any = self.manifest
        for part in path.split("."):
            value = getattr(value, part, None)
        return value

    @property
    def aid_base(self) -> Decimal:
        """The base of the French aid ceilings: the French participation in an international
        coproduction, else the estimated final cost."""
        copro = self.manifest.coproduction
        return copro.french_participation if copro else self.estimate_at_completion


def unrecorded(manifest: Manifest, paths: list[str]) -> list[str]:
    """The manifest fields of `paths` (dotted) that the manifest does not record."""
    out = []
    for path in paths:
        value: Any = manifest
        for part in path.split("."):
            value = getattr(value, part, None)
        if value is None:
            out.append(path)
    return out


def known_manifest_path(path: str) -> bool:
    """Whether a dotted path names a field of the manifest model (a pack's `requires`)."""
    model: Any = Manifest
    for part in path.split("."):
        fields = getattr(model, "model_fields", {})
        if part not in fields:
            return False
        annotation = fields[part].annotation
        model = next(
            (
                a
                for a in getattr(annotation, "__args__", (annotation,))
                if hasattr(a, "model_fields")
            ),
            None,
        )
    return True


def pack_country(pack: Pack) -> str | None:
    """Whose aid a scheme is (finance.domain.packs.aid_country_of over the pack's fields)."""
    el = pack.eligibility
    return aid_country_of(
        pack.aid_country,
        list(el.territories) if el else [],
        bool(el and el.be_taxable_required),
    )


@dataclass(frozen=True)
class Bound:
    """A fact bound to its pack: the scheme and the declaration's arguments."""

    scheme: str
    args: Mapping[str, str]

    def p(self, c: FactContext, arg: str) -> Decimal:
        """The value of the parameter the argument `arg` names."""
        return c.params[f"{self.scheme}.{self.args[arg]}"]

    def field(self) -> str:
        return self.args.get("field", "amount")


Fact = Callable[[FactContext, Bound], Decimal]


def ceil_cent(value: Decimal) -> Decimal:
    """Round up to the cent: a minimum that is a quotient must not be rounded below itself."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_CEILING)


def floor_cent(value: Decimal) -> Decimal:
    """Round down to the cent: a maximum, or a value the producer may claim, never rounds up."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_FLOOR)


def threshold_value(name: str, c: FactContext, minimum: bool = True) -> Decimal:
    """The threshold `<scheme>.<name>` of a pack, rounded to the cent in the producer's
    disfavour, one rule everywhere: a minimum rounds up, a maximum down (the facts are exact)."""
    scheme, _, short = name.partition(".")
    decl = c.packs[scheme].thresholds[short]
    exact = THRESHOLD_FACTS[decl.fact](c, Bound(scheme, decl.args))
    return ceil_cent(exact) if minimum else floor_cent(exact)


def value_of(name: str, c: FactContext) -> Decimal:
    """The value fact `<scheme>.<name>` of a pack."""
    scheme, _, short = name.partition(".")
    decl = c.packs[scheme].values[short]
    return VALUE_FACTS[decl.fact](c, Bound(scheme, decl.args))


def _territorial(c: FactContext) -> list[Pack]:
    """The schemes of the plan with a territorial spend obligation (their aid is in the plan)."""
    return [p for p in c.packs.values() if p.territorial_obligation and c.plan_sum(p.scheme) > 0]


def _obligation(c: FactContext, p: Pack) -> Decimal:
    """The scheme's spend obligation as its pack computes it: the regulation's minimum or the
    contract's commitment, whichever is higher (exact, not rounded)."""
    decl = p.thresholds[str(p.territorial_obligation)]
    return THRESHOLD_FACTS[decl.fact](c, Bound(p.scheme, decl.args))


def _without_commitments(c: FactContext, scheme: str) -> FactContext:
    """The context with the scheme's contractual commitments taken out of the plan."""
    lines = [
        f.model_copy(update={"committed_spend": None}) if f.scheme == scheme else f
        for f in c.manifest.financing
    ]
    return replace(c, manifest=c.manifest.model_copy(update={"financing": lines}))


def _required_by_scheme(c: FactContext, p: Pack) -> Decimal:
    """The obligation the aid scheme itself imposes: the pack's obligation without the
    contract's commitment (the regulation's minimum)."""
    return _obligation(_without_commitments(c, p.scheme), p)


def _obligation_excess(c: FactContext, b: Bound) -> Decimal:
    """How far the spend obligations the aid schemes impose (the regulations' minimums, not the
    commitments a producer volunteers above them) exceed `ratio` times their aid, summed over
    the schemes whose obligation is a condition of the aid (not those whose aid is computed
    from the spend: GBER art. 54(4)(b)); each scheme's excess rounds up to the cent."""
    ratio = b.p(c, "ratio")
    return sum(
        (
            ceil_cent(max(_required_by_scheme(c, p) - ratio * c.plan_sum(p.scheme), ZERO))
            for p in _territorial(c)
            if p.aid_tied_obligation
        ),
        ZERO,
    )


def commitments_above(c: FactContext, ratio: Decimal) -> Decimal:
    """How far the contracts' commitments exceed `ratio` times the aid, where they exceed what
    the scheme requires: information, not an obligation of the aid scheme."""
    return sum(
        (
            max(
                c.committed(p.scheme)
                - max(_required_by_scheme(c, p), ratio * c.plan_sum(p.scheme)),
                ZERO,
            )
            for p in _territorial(c)
            if p.aid_tied_obligation
        ),
        ZERO,
    )


def _territorial_obligations(c: FactContext, b: Bound) -> Decimal:
    """The spend obligations of every territorial scheme of the plan (commitments included,
    the Tax Shelter's too), summed: an expense that meets two obligations counts twice."""
    return sum((ceil_cent(_obligation(c, p)) for p in _territorial(c)), ZERO)


def _countries(b: Bound) -> tuple[str, ...]:
    """The `countries` argument (`FR,EU`) as a tuple; none given, every country."""
    return tuple(x.strip() for x in b.args.get("countries", "").split(",") if x.strip())


def _public_aid(c: FactContext, b: Bound) -> Decimal:
    """The plan's public aid (with `countries`, of these countries: c.public_aid_lines)."""
    return sum((f.amount for f in c.public_aid_lines(_countries(b))), ZERO)


def _manifest_amount(c: FactContext, b: Bound) -> Decimal:
    """The manifest's amount at `field` (`coproduction.french_participation`), 0 if unset."""
    value = c.manifest_value(b.field())
    return Decimal(value) if value is not None else ZERO


def deadline_of(signed_on: date, years: int) -> date:
    """31 December of the `years`-th year after the year of signing."""
    return date(signed_on.year + years, 12, 31)


def _days_to_deadline(c: FactContext, b: Bound) -> Decimal:
    """Days from the certificate's issue (while it is awaited, from the as-at date) to its
    deadline, 31 December of the `years`-th year after the year of signing; the least over the
    scheme's signed lines (negative: a deadline missed)."""
    years = int(b.p(c, "years"))
    days = [
        (deadline_of(f.signed_on, years) - (f.certificate_issued_on or c.at or f.signed_on)).days
        for f in c.manifest.financing
        if f.scheme == b.scheme and f.signed_on
    ]
    return Decimal(min(days)) if days else ZERO


def _in_territories(territory: str, territories: tuple[str, ...]) -> bool:
    """Whether a territory code is one of `territories` (`FR-*` matches every department)."""
    return any(
        territory.startswith(t[:-1]) if t.endswith("*") else territory == t for t in territories
    )


def scheme_territories(c: FactContext, b: Bound) -> tuple[str, ...]:
    """The territories a fact counts: its `territories` argument (`FR-75,FR-92`), else its
    scheme's eligibility territories."""
    given = tuple(t.strip() for t in b.args.get("territories", "").split(",") if t.strip())
    if given:
        return given
    el = c.packs[b.scheme].eligibility
    return tuple(el.territories) if el else ()


def _shooting_days_in(c: FactContext, b: Bound) -> Decimal:
    """The shooting days in the scheme's territories (the manifest's shooting_days; a rule
    reading them `needs: [shooting_days]`, so it is not evaluated without them)."""
    where = scheme_territories(c, b)
    return sum(
        (d.days for d in c.manifest.shooting_days or () if _in_territories(d.territory, where)),
        ZERO,
    )


def application_day(c: FactContext, scheme: str) -> date | None:
    """The day the scheme's aid was applied for: its spending period opens then (the line's
    window_start); else its signing (the decision came after the application: a later day
    counts more financing, so a rule reading it says which it used)."""
    lines = [f for f in c.manifest.financing if f.scheme == scheme]
    days = [f.window_start or f.signed_on for f in lines]
    known = [d for d in days if d is not None]
    return min(known) if known else c.at


def confirmed_lines(c: FactContext, scheme: str) -> tuple[list[Financing], list[Financing]]:
    """(confirmed, undated) financing of the plan at the scheme's application: the other
    lines signed (or better: status_of) on or before that day; the undated ones are secured
    lines without a signing date, which cannot be shown to precede the application."""
    day = application_day(c, scheme)
    others = [f for f in c.manifest.financing if f.scheme != scheme and status_of(f) in SECURED]
    confirmed = [f for f in others if f.signed_on and (day is None or f.signed_on <= day)]
    return confirmed, [f for f in others if f.signed_on is None]


def _confirmed_financing(c: FactContext, b: Bound) -> Decimal:
    """The financing confirmed (signed documents) when the scheme's aid was applied for, its
    own lines left out (confirmed_lines)."""
    return sum((f.amount for f in confirmed_lines(c, b.scheme)[0]), ZERO)


VALUE_FACTS: dict[str, Fact] = {
    "shooting_days_in": _shooting_days_in,
    "confirmed_financing": _confirmed_financing,
    "days_to_deadline": _days_to_deadline,
    # the scheme's financing lines' `field` (amount by default), summed
    "plan_amount": lambda c, b: c.plan_sum(b.scheme, b.field()),
    # the plan's public aid (each line's flag, else its scheme's), of `countries` if given
    "public_aid": _public_aid,
    "manifest_amount": _manifest_amount,
    "obligation_excess": _obligation_excess,
    "territorial_obligations": _territorial_obligations,
}


def _by_kind(c: FactContext, b: Bound) -> Decimal:
    """The parameter named for the work's kind (`documentary: ...`), else `default`'s."""
    kind = c.manifest.kind.value
    return c.params[f"{b.scheme}.{b.args.get(kind, b.args['default'])}"]


def _tiered_final_cost(c: FactContext, b: Bound) -> Decimal:
    """A share of the estimated final cost: `low_ratio` up to `low_limit`, else `ratio`."""
    eac = c.estimate_at_completion
    ratio = b.p(c, "low_ratio") if eac <= b.p(c, "low_limit") else b.p(c, "ratio")
    return eac * ratio


def _aid_intensity_ceiling(c: FactContext, b: Bound) -> Decimal:
    """The public-aid ceiling of the French rules: `ratio` of the aid base (the French
    participation in a coproduction, else the estimated final cost); `derogation_ratio` only
    when the manifest records a derogation (`aid_derogation`), and a low-budget one only while
    the estimated final cost is at most `low_limit`."""
    derogation = c.manifest.aid_derogation
    if derogation == "low_budget" and c.estimate_at_completion > b.p(c, "low_limit"):
        derogation = None
    ratio = b.p(c, "derogation_ratio") if derogation else b.p(c, "ratio")
    return c.aid_base * ratio


def aid_countries(c: FactContext) -> set[str]:
    """The states whose public aid the plan holds (a known country other than `EU`)."""
    found = {c.aid_country(f) for f in c.public_aid_lines()}
    return {x for x in found if x and x != "EU"}


def _cross_border_ceiling(c: FactContext, b: Bound) -> Decimal:
    """The EU ceiling on all public aid: `ratio` of the estimated final cost, `cross_border_ratio`
    when aid comes from more than one state, none (the final cost) for a difficult work."""
    eac = c.estimate_at_completion
    if c.manifest.aid_derogation == "difficult_work":
        return eac
    cross = len(aid_countries(c)) > 1
    return eac * (b.p(c, "cross_border_ratio") if cross else b.p(c, "ratio"))


def aid_stage(c: FactContext, scheme: str) -> tuple[str, str]:
    """(stage, why) of a scheme's aid: the lines' `application_stage` when every line records
    one; else `before_shooting` when every line was signed before the shooting started (the
    application came before the agreement), else `after_shooting` (the lowest cap: conservative)."""
    lines = [f for f in c.manifest.financing if f.scheme == scheme]
    stages = {f.application_stage for f in lines}
    if lines and None not in stages:
        return ("after_shooting" if "after_shooting" in stages else "before_shooting"), "recorded"
    schedule = c.manifest.schedule
    if (
        lines
        and schedule
        and all(f.signed_on and f.signed_on < schedule.shoot_start for f in lines)
    ):
        return "before_shooting", "signed_before_shooting"
    return "after_shooting", "not_recorded"


def _aid_cap_by_stage(c: FactContext, b: Bound) -> Decimal:
    """The aid cap by stage: `after` after shooting; before it, `initiative` for a
    French-initiated coproduction (the manifest's) whose budget exceeds `initiative_budget`,
    else `before`."""
    stage, _ = aid_stage(c, b.scheme)
    if stage == "after_shooting":
        return b.p(c, "after")
    copro = c.manifest.coproduction
    if copro and copro.french_initiative and c.budget > b.p(c, "initiative_budget"):
        return b.p(c, "initiative")
    return b.p(c, "before")


def _participation_or_budget(c: FactContext, b: Bound) -> Decimal:
    """`ratio` of the French participation in a coproduction, else of the budget."""
    copro = c.manifest.coproduction
    return (copro.french_participation if copro else c.budget) * b.p(c, "ratio")


def budget_exclusion(args: Mapping[str, str]) -> str:
    """The key of a budget base's exclusion: its chapters and categories, as given."""
    return f"{args.get('chapters', '')}|{args.get('categories', '')}"


def _budget_excluding(c: FactContext, b: Bound) -> Decimal:
    """`ratio` of the budget less the devis lines of `chapters` (devis chapter codes, `9`) or
    of `categories` (`contingency,overheads`): a fund's base that leaves out insurance,
    overheads or contingency."""
    left_out = c.budget_excluded.get(budget_exclusion(b.args), ZERO)
    return max(c.budget - left_out, ZERO) * b.p(c, "ratio")


def _by_strand(c: FactContext, b: Bound) -> Decimal:
    """The threshold the pack names for the strand of the scheme's lines (`majority:
    required_majority`), else `default`'s; a strand the pack names none for has no limit a
    minimum can reach (the rule should list its strands: `strands`)."""
    strands = sorted({f.strand for f in c.manifest.financing if f.scheme == b.scheme and f.strand})
    names = [b.args[s] for s in strands if s in b.args] or (
        [b.args["default"]] if "default" in b.args else []
    )
    if not names:
        return ZERO
    decls = c.packs[b.scheme].thresholds
    return max(THRESHOLD_FACTS[decls[n].fact](c, Bound(b.scheme, decls[n].args)) for n in names)


def _shooting_days_share(c: FactContext, b: Bound) -> Decimal:
    """`ratio` of all the shooting days (the manifest's shooting_days, summed)."""
    total = sum((d.days for d in c.manifest.shooting_days or ()), ZERO)
    return total * b.p(c, "ratio")


THRESHOLD_FACTS: dict[str, Fact] = {
    "share_of_budget_excluding": _budget_excluding,
    "by_strand": _by_strand,
    "share_of_shooting_days": _shooting_days_share,
    # the highest of a parameter, `ratio` of the plan and the contract's commitment
    "parameter_or_share_of_plan": lambda c, b: max(
        b.p(c, "parameter"),
        c.plan_sum(b.scheme, b.field()) * b.p(c, "ratio"),
        c.committed(b.scheme),
    ),
    # the lesser of a parameter and `ratio` of a measure (an aid capped by both)
    "lesser_of_parameter_and_measure_share": lambda c, b: min(
        b.p(c, "parameter"), c.measures[f"{b.scheme}.{b.args['measure']}"] * b.p(c, "ratio")
    ),
    "zero": lambda c, b: ZERO,
    "parameter": lambda c, b: b.p(c, "parameter"),
    "share_of_plan": lambda c, b: c.plan_sum(b.scheme, b.field()) * b.p(c, "ratio"),
    "share_of_plan_or_commitment": lambda c, b: max(
        c.plan_sum(b.scheme, b.field()) * b.p(c, "ratio"), c.committed(b.scheme)
    ),
    "plan_over_ratio": lambda c, b: c.plan_sum(b.scheme, b.field()) / b.p(c, "ratio"),
    "share_of_measure": lambda c, b: (
        c.measures[f"{b.scheme}.{b.args['measure']}"] * b.p(c, "ratio")
    ),
    "share_of_budget": lambda c, b: c.budget * b.p(c, "ratio"),
    "parameter_by_kind_or_commitment": lambda c, b: max(_by_kind(c, b), c.committed(b.scheme)),
    "lesser_of_parameter_and_budget_share": lambda c, b: min(
        b.p(c, "parameter"), c.budget * b.p(c, "ratio")
    ),
    "tiered_share_of_final_cost": _tiered_final_cost,
    "share_of_final_cost": lambda c, b: c.estimate_at_completion * b.p(c, "ratio"),
    "share_of_manifest_amount": lambda c, b: _manifest_amount(c, b) * b.p(c, "ratio"),
    "share_of_participation_or_budget": _participation_or_budget,
    "aid_intensity_ceiling": _aid_intensity_ceiling,
    "cross_border_aid_ceiling": _cross_border_ceiling,
    "aid_cap_by_stage": _aid_cap_by_stage,
}


@dataclass(frozen=True)
class DetailInput:
    """What a detail fact reads: the facts' context, the rule's figures, the messages' language."""

    c: FactContext
    measured: Decimal
    threshold: Decimal
    note: Callable[[str], str]  # a pack message key -> its text


def _pro_rata_value(d: DetailInput, b: Bound) -> dict[str, Any]:
    """A share rule under which a value is reduced pro rata (the Tax Shelter's V below the
    direct share): the share reached, the value allowed and the spend that would restore it."""
    ratio = b.p(d.c, "ratio")
    base = d.c.measures[f"{b.scheme}.{b.args['measure']}"]
    share = d.measured / base if base else ZERO
    value = d.c.plan_sum(b.scheme, b.field())
    allowed = value if share >= ratio else floor_cent(value * share / ratio)
    extra = ceil_cent(max((d.threshold - d.measured) / (1 - ratio), ZERO))
    return {
        "direct_share": f"{share:.4f}",
        "allowed_fiscal_value": f"{allowed:.2f}",
        "additional_direct_spend_needed": f"{extra:.2f}",
    }


def _rate(d: DetailInput, b: Bound) -> tuple[Decimal, str]:
    """A tax credit's rate and why: `language_rate` for a work whose original language is
    `language` or whose kind is one of `kinds` (the manifest says), else `rate`."""
    m = d.c.manifest
    if "language_rate" in b.args:
        if m.original_language and m.original_language == b.args.get("language"):
            return b.p(d.c, "language_rate"), "language"
        if m.kind.value in b.args.get("kinds", "").split(","):
            return b.p(d.c, "language_rate"), "kind"
    return b.p(d.c, "rate"), "other"


def _tax_credit(d: DetailInput, b: Bound) -> dict[str, Any]:
    """A tax credit: its base is the measured spend up to its cap (the rule's threshold; spend
    above it is information), less the public aid of the `deduct` countries (`FR,EU`) other than
    the scheme's own lines (the aid allocated to eligible spend is not known line by line: all of
    it is deducted, the conservative reading); the rate as `_rate` says; the credit rounded down
    to the cent and at most the parameter `cap`."""
    capped = min(d.measured, d.threshold)
    deducted = ZERO
    if "deduct" in b.args:
        countries = tuple(x for x in b.args["deduct"].split(",") if x)
        lines = d.c.public_aid_lines(countries)
        deducted = sum((f.amount for f in lines if f.scheme != b.scheme), ZERO)
    base = max(capped - deducted, ZERO)
    rate, why = _rate(d, b)
    credit = floor_cent(base * rate)
    out: dict[str, Any] = {
        "eligible_spend": f"{d.measured:.2f}",
        "base_cap": f"{d.threshold:.2f}",
        "spend_above_base_cap": f"{max(d.measured - d.threshold, ZERO):.2f}",
        "subsidies_deducted": f"{deducted:.2f}",
        "eligible_base": f"{base:.2f}",
        "rate": str(rate),
        "estimated_credit": f"{credit:.2f}",
    }
    if "cap" in b.args:
        out["estimated_credit"] = f"{min(credit, b.p(d.c, 'cap')):.2f}"
    if "note" in b.args:
        out["note"] = d.note(f"{b.args['note']}.{why}")
    return out


def _commitments_above_cap(d: DetailInput, b: Bound) -> dict[str, Any]:
    """Beside a cap on what the aid schemes require: how far the contracts' commitments go
    beyond it, as information, with the note that says why it is not a warning."""
    out: dict[str, Any] = {
        "commitments_above_cap": f"{floor_cent(commitments_above(d.c, b.p(d.c, 'ratio'))):.2f}"
    }
    if "note" in b.args:
        out["note"] = d.note(b.args["note"])
    return out


def _obligations_by_scheme(d: DetailInput, b: Bound) -> dict[str, Any]:
    """Beside the sum of the territorial obligations: each scheme's, as the sum counts it."""
    return {
        "obligations": {
            p.scheme: f"{ceil_cent(_obligation(d.c, p)):.2f}" for p in _territorial(d.c)
        }
    }


def _aid_cap_basis(d: DetailInput, b: Bound) -> dict[str, Any]:
    """Which aid cap applied and why: the stage (recorded, or derived from the signing dates)
    and whether the coproduction is French-initiated."""
    stage, why = aid_stage(d.c, b.scheme)
    copro = d.c.manifest.coproduction
    return {
        "stage": stage,
        "stage_basis": d.note(f"{b.args['note']}.{why}"),
        "french_initiative": bool(copro and copro.french_initiative),
        "budget": f"{d.c.budget:.2f}",
    }


def _aid_counted(d: DetailInput, b: Bound) -> dict[str, Any]:
    """The aid a ceiling counted and left out, line by line. With `countries` (a national
    ceiling): what it left out (other states' aid) and its base, the French participation in a
    coproduction, else the estimated final cost; without (every state's aid): the states and
    whether the plan is cross-border."""
    c, countries = d.c, _countries(b)
    counted = {id(f) for f in c.public_aid_lines(countries)}

    def said(f: Financing) -> str:
        return f"{f.label or f.scheme} ({c.aid_country(f) or '?'}) {f.amount:.2f}"

    aid = c.public_aid_lines()
    out: dict[str, Any] = {
        "derogation": c.manifest.aid_derogation or "",
        "counted": "; ".join(said(f) for f in aid if id(f) in counted),
    }
    if not countries:
        states = sorted(aid_countries(c))
        return {**out, "states": ", ".join(states), "cross_border": len(states) > 1}
    return {
        **out,
        "aid_base": "french_participation" if c.manifest.coproduction else "final_cost",
        "base": f"{c.aid_base:.2f}",
        "left_out": "; ".join(said(f) for f in aid if id(f) not in counted),
    }


def _deadline_timeline(d: DetailInput, b: Bound) -> dict[str, Any]:
    """The certificate's timeline: the deadline, the day it was issued (if recorded)."""
    years = int(b.p(d.c, "years"))
    lines = [f for f in d.c.manifest.financing if f.scheme == b.scheme and f.signed_on]
    first = min(lines, key=lambda f: deadline_of(f.signed_on or date.max, years), default=None)
    if first is None or first.signed_on is None:
        return {}
    return {
        "deadline": deadline_of(first.signed_on, years).isoformat(),
        "certificate_issued_on": (
            first.certificate_issued_on.isoformat() if first.certificate_issued_on else None
        ),
    }


DETAIL_FACTS: dict[str, Callable[[DetailInput, Bound], dict[str, Any]]] = {
    "deadline_timeline": _deadline_timeline,
    "commitments_above_cap": _commitments_above_cap,
    "obligations_by_scheme": _obligations_by_scheme,
    "pro_rata_value": _pro_rata_value,
    "tax_credit_estimate": _tax_credit,
    "aid_cap_basis": _aid_cap_basis,
    "aid_counted": _aid_counted,
}


def _supportable_value(c: FactContext, b: Bound) -> dict[str, Any]:
    """The value the spend supports (the Tax Shelter's supportable V): the plan's `field`, at
    most the `spend` measure over `spend_ratio`, reduced pro rata when the `direct` measure is
    below `direct_ratio` of the spend; and the work-wide limit, the `pool` measure times
    `pool_ratio`, that the engine applies to the agreements' total. Each factor is returned, and
    every step rounds in the producer's disfavour (down)."""
    value = c.plan_sum(b.scheme, b.field())
    spend = c.measures[f"{b.scheme}.{b.args['spend']}"]
    direct = c.measures[f"{b.scheme}.{b.args['direct']}"]
    by_spend = floor_cent(max(spend, ZERO) / b.p(c, "spend_ratio"))
    share = direct / spend if spend > 0 else ZERO
    pro_rata = min(share / b.p(c, "direct_ratio"), Decimal(1))  # exact: rounded only to show
    pool = c.measures[f"{b.scheme}.{b.args['pool']}"]
    return {
        "plan_value": value,
        "by_spend": by_spend,
        "direct_share": f"{share.quantize(Decimal('0.0001'), rounding=ROUND_FLOOR)}",
        "pro_rata": f"{pro_rata.quantize(Decimal('0.0001'), rounding=ROUND_FLOOR)}",
        "value": floor_cent(min(value, by_spend) * max(pro_rata, ZERO)),
        "work_limit": floor_cent(max(pool, ZERO) * b.p(c, "pool_ratio")),
    }


SUPPORTABLE_FACTS: dict[str, Callable[[FactContext, Bound], dict[str, Any]]] = {
    "supportable_value": _supportable_value,
}

#: the arguments of each fact that name a parameter of the pack (checked when a pack loads)
PARAMETER_ARGS = (
    "years",
    "ratio",
    "parameter",
    "low_ratio",
    "low_limit",
    "rate",
    "default",
    "derogation_ratio",
    "cross_border_ratio",
    "before",
    "after",
    "initiative",
    "initiative_budget",
    "language_rate",
    "cap",
    "spend_ratio",
    "direct_ratio",
    "pool_ratio",
    *Kind,
)

#: the threshold facts a `fill` may name: they read the plan and the parameters only
PLAN_ONLY_FACTS = ("parameter", "share_of_plan", "plan_over_ratio")


def check_pack(pack: Pack) -> list[str]:
    """What is wrong with a pack's facts: unknown facts, parameters or measures."""
    problems = []
    known_classes = {c.value for c in TsClass}
    for name, m in pack.measures.items():
        if m.fact not in SPEND_FACTS:
            problems.append(f"measure {name}: unknown spend fact {m.fact!r}")
        problems += [
            f"measure {name}: unknown class {c!r}" for c in m.ts_classes if c not in known_classes
        ]
        if m.fact == "manifest_country_spend" and m.field is None:
            problems.append(f"measure {name}: {m.fact} needs `field` (the manifest's country)")
    for kind, table, facts in (
        ("value", pack.values, VALUE_FACTS),
        ("threshold", pack.thresholds, THRESHOLD_FACTS),
    ):
        for name, decl in table.items():
            problems += _check_decl(pack, f"{kind} {name}", decl, facts)
    for rule in pack.rules:
        problems += [
            f"rule {rule.id}: requires {p!r}, not a manifest field"
            for p in [*rule.requires, *rule.needs]
            if not known_manifest_path(p)
        ]
        problems += [
            f"rule {rule.id}: strand {s!r} is not one of financing_line.strands"
            for s in rule.strands
            if s not in pack.financing_line.strands
        ]
        if rule.details is not None:
            problems += _check_decl(pack, f"rule {rule.id} details", rule.details, DETAIL_FACTS)
    if pack.territorial_obligation and pack.territorial_obligation not in pack.thresholds:
        problems.append(f"territorial_obligation: no threshold {pack.territorial_obligation!r}")
    if pack.supportable is not None:
        problems += _check_decl(pack, "supportable", pack.supportable, SUPPORTABLE_FACTS)
        problems += [
            f"supportable: {arg} names no measure {pack.supportable.args.get(arg)!r}"
            for arg in ("spend", "direct", "pool")
            if pack.supportable.args.get(arg) not in pack.measures
        ]
    return problems + _check_window(pack) + _check_dated_lists(pack) + _check_strands(pack)


def _check_strands(pack: Pack) -> list[str]:
    """A `by_strand` threshold names, for strands of the pack (or `default`), thresholds of the
    pack that are not `by_strand` themselves."""
    out = []
    known = {*pack.financing_line.strands, "default"}
    for name, decl in pack.thresholds.items():
        if decl.fact != "by_strand":
            continue
        for strand, target in decl.args.items():
            inner = pack.thresholds.get(target)
            if strand not in known:
                out.append(f"threshold {name}: {strand!r} is not one of financing_line.strands")
            elif inner is None or inner.fact == "by_strand":
                out.append(f"threshold {name}: {strand} names no plain threshold {target!r}")
    return out


def _check_dated_lists(pack: Pack) -> list[str]:
    """A dated eligibility list starts no later than the pack's parameters, so that an agreement
    for which the rules are in force always has a list in force."""
    el = pack.eligibility
    if el is None or not isinstance(el.excluded_categories, dict) or not pack.parameters:
        return []
    first_list = min(el.excluded_categories)
    first_value = min(min(p.values) for p in pack.parameters.values())
    if first_list > first_value:
        return [
            f"excluded_categories: the first dated list ({first_list}) starts after the pack's "
            f"first parameter value ({first_value})"
        ]
    return []


def _check_window(pack: Pack) -> list[str]:
    """A fill names a threshold that reads the plan and the parameters only, of a scheme whose
    agreements stand on their own."""
    el = pack.eligibility
    window = el.window if el else None
    if window is None or window.fill is None:
        return []
    if not window.separate_agreements:
        return ["window.fill: only for agreements that stand on their own (separate_agreements)"]
    decl = pack.thresholds.get(window.fill)
    if decl is None:
        return [f"window.fill: no threshold {window.fill!r}"]
    if decl.fact not in PLAN_ONLY_FACTS:
        return [
            f"window.fill: {window.fill!r} must read the plan only ({', '.join(PLAN_ONLY_FACTS)})"
        ]
    return []


def _check_decl(pack: Pack, where: str, decl: FactDecl, facts: Mapping[str, Any]) -> list[str]:
    if decl.fact not in facts:
        return [f"{where}: unknown fact {decl.fact!r} (one of: {', '.join(sorted(facts))})"]
    out = [
        f"{where}: {arg} names no parameter {value!r}"
        for arg, value in decl.args.items()
        if arg in PARAMETER_ARGS and value not in pack.parameters
    ]
    if "measure" in decl.args and decl.args["measure"] not in pack.measures:
        out.append(f"{where}: no measure {decl.args['measure']!r}")
    return out
