"""Plain-language forms: each operator's sentence, each reason code's words (Datasette habit:
declared once, used by the explanation, the dashboard and the exports)."""

from __future__ import annotations

from decimal import Decimal

from rules.model import Operator

#: verb when the rule is met / not met, per operator
VERBS = {
    Operator.GTE: ("reaches", "is below"),
    Operator.LTE: ("is within", "exceeds"),
}

#: reason codes left on eligibility rows, in English and French
REASONS: dict[str, dict[str, str]] = {
    "counts": {"en": "counts", "fr": "éligible", "nl": "komt in aanmerking"},
    "outside_window": {
        "en": "outside the spending window",
        "fr": "hors de la période d'éligibilité",
        "nl": "buiten de uitgavenperiode",
    },
    "territory": {
        "en": "payee not in the scheme's territory",
        "fr": "bénéficiaire hors du territoire",
        "nl": "begunstigde buiten het grondgebied",
    },
    "payee_not_audiovisual": {
        "en": "company without an audiovisual activity",
        "fr": "société sans activité audiovisuelle",
        "nl": "bedrijf zonder audiovisuele activiteit",
    },
    "category_excluded": {
        "en": "category the scheme does not count",
        "fr": "catégorie non éligible",
        "nl": "categorie niet in aanmerking",
    },
    "class_excluded": {
        "en": "Tax Shelter class excluded",
        "fr": "classe Tax Shelter exclue",
        "nl": "tax shelter-klasse uitgesloten",
    },
    "not_taxable_in_belgium": {
        "en": "not income taxable in Belgium for the payee",
        "fr": "non imposable en Belgique pour le bénéficiaire",
        "nl": "niet belastbaar in België voor de begunstigde",
    },
    "producer_fee_capped": {
        "en": "producer fee above the 18 % cap",
        "fr": "rémunération producteur au-delà du plafond de 18 %",
        "nl": "producentenvergoeding boven de grens van 18 %",
    },
    "hotel_cap": {
        "en": "hotel night cap applied",
        "fr": "plafond par nuitée appliqué",
        "nl": "plafond per overnachting toegepast",
    },
    "hotel_nights_missing": {
        "en": "no number of nights: hotel counted as 0",
        "fr": "nombre de nuitées manquant : hôtel compté à 0",
        "nl": "aantal nachten ontbreekt: hotel telt voor 0",
    },
}


def reason_text(code: str, lang: str = "en") -> str:
    """The words for a reason code (the code itself if unknown)."""
    return REASONS.get(code, {}).get(lang) or REASONS.get(code, {}).get("en") or code


def money_en(value: Decimal | None, currency: str = "EUR") -> str:
    """`EUR 1,104,210.55`: the contract's explanation format."""
    return "n/a" if value is None else f"{currency} {value:,.2f}"


def explain(
    template: str,
    op: Operator,
    met: bool,
    measured: Decimal | None,
    threshold: Decimal | None,
    currency: str,
) -> str:
    """Fill a rule's explanation template from the same figures the status came from."""
    verb = VERBS[op][0 if met else 1]
    return template.format(
        measured=money_en(measured, currency), threshold=money_en(threshold, currency), verb=verb
    )
