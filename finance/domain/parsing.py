"""Values as Belgian and French spreadsheets write them, parsed set-wise with polars expressions.

Amounts: `1 234,56`, `1.234,56`, `1'234.56`, `1,234.56`, `(1 234,56)`, `1 234,56 €`, `EUR 1.234,56`,
with space, no-break space (U+00A0), narrow no-break space (U+202F), dot or apostrophe as
thousands separators. The decimal mark is read per value where it is unambiguous (both marks
present: the last one is decimal; one mark not followed by exactly three digits: decimal) and from
the whole column otherwise (`1.234` is 1234 in a decimal-comma file, 1.234 in a decimal-point
one). Nothing is rounded: a value with more decimals than allowed is invalid, not approximated.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

import polars as pl

from finance.domain.errors import Problem

SPACES = "[ \u00a0\u202f\u2009'\u2019]"


def normalize_header(text: str) -> str:
    """Case-, accent- and space-insensitive key of a column header.

    `N° TVA`, `n° tva`, `No TVA` and `Nº TVA` all become `no tva`; `Bedrag excl. BTW` keeps its
    inner dot (`bedrag excl. btw`) so it matches the alias as written.
    """
    text = text.replace("°", "o").replace("º", "o")
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    folded = re.sub(r"[\s_]+", " ", folded).strip()
    return folded.rstrip(".: ").replace("n o ", "no ")


def _aliases(canonical: str, names: Sequence[str]) -> set[str]:
    return {normalize_header(canonical), *(normalize_header(n) for n in names)}


EXPENSE_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "date facture", "datum", "factuurdatum"),
    "supplier": ("fournisseur", "bénéficiaire", "leverancier", "begunstigde"),
    "country": ("pays", "land"),
    "postcode": ("code postal", "cp", "postcode"),
    "budget_code": ("poste", "code budgétaire", "ligne devis", "post", "budgetcode"),
    "amount": ("montant ht", "montant", "bedrag excl. btw", "bedrag"),
    "currency": ("devise", "munt", "valuta"),
    "vat_amount": ("tva", "montant tva", "btw", "btw-bedrag"),
    "supplier_vat": ("n° tva", "numéro tva", "tva intracom", "btw-nummer", "ondernemingsnummer"),
    "invoice_ref": ("n° facture", "référence", "réf. facture", "factuurnummer", "referentie"),
    "description": ("libellé", "description", "omschrijving"),
    "paid_on": ("date paiement", "betaaldatum"),
    "fx_rate": ("taux", "taux de change", "koers", "wisselkoers"),
    "status": ("statut", "status"),
    "payee_type": ("type de bénéficiaire", "type bénéficiaire", "type begunstigde"),
    "av_company": ("société audiovisuelle", "audiovisueel bedrijf"),
    "be_taxable": ("imposable en belgique", "belastbaar in belgië"),
    "be_tax_regime": ("régime fiscal belge", "régime fiscal", "belgisch belastingstelsel"),
    "category": ("catégorie", "categorie"),
    "ts_class": ("classe tax shelter", "tax shelter-klasse"),
    "nights": ("nuitées", "nachten"),
    "document": ("pièce", "justificatif", "bewijsstuk", "document"),
    "fee_slip": ("fiche 281.50", "fiche fiscale", "fiscale fiche 281.50", "fiche 281"),
}

BUDGET_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("code", "poste", "n°", "post", "budgetpost"),
    "label": ("libellé", "intitulé", "omschrijving"),
    "amount": ("montant", "montant ht", "bedrag"),
    "chapter": ("chapitre", "hoofdstuk"),
    "category": ("catégorie", "categorie"),
    "ts_class": ("classe tax shelter", "tax shelter-klasse"),
    "territory": ("territoire", "territorium", "grondgebied"),
}


def map_headers(
    columns: list[str], aliases: Mapping[str, Sequence[str]], required: Sequence[str], file: str
) -> tuple[dict[str, str], list[Problem]]:
    """Original column -> canonical name. Unknown columns are left out (kept in the raw row).

    Problems: a required column missing, or two columns meaning the same thing.
    """
    lookup = {alias: canon for canon, names in aliases.items() for alias in _aliases(canon, names)}
    mapping: dict[str, str] = {}
    problems = []
    for column in columns:
        canon = lookup.get(normalize_header(column))
        if canon is None:
            continue
        if canon in mapping.values():
            first = next(c for c, v in mapping.items() if v == canon)
            problems.append(
                Problem(f"columns {first!r} and {column!r} both mean {canon!r}", file, 1, column)
            )
            continue
        mapping[column] = canon
    for canon in required:
        if canon not in mapping.values():
            names = ", ".join(sorted(n for n in _aliases(canon, aliases.get(canon, ())) if n))
            problems.append(
                Problem(
                    f"required column {canon!r} is missing (accepted headers: {names})", file, 1
                )
            )
    return mapping, problems


#: the whole cell: an optional sign or parenthesis and currency around digits and separators
AMOUNT_SHAPE = (
    r"^(?:[(+-]\s*)?(?:(?:[A-Za-z]{3}|[€$£])\s*[(+-]?\s*)?\d[\d \u00a0\u202f\u2009.,'’]*\s*"
    r"(?:[A-Za-z]{3}|[€$£])?\s*[)-]?$"
)
#: digit grouping of a column whose decimal mark is the key (thousands by the other mark, or none);
#: a grouped number never starts with a zero group (`0,001` is no thousand: it was stored as 1.00)
GROUPING = {
    ",": r"^(?:[1-9]\d{0,2}(?:\.\d{3})+|\d+)(?:,\d+)?$",
    ".": r"^(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)(?:\.\d+)?$",
}


def _amount_parts(expr: pl.Expr, decimal_mark: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(is negative, digits with `.` as decimal point, well-formed) of an amount cell.

    Spaces, apostrophes, currency codes and signs are dropped by one character class; the digit
    grouping must then fit the column's decimal mark, so `1234.56` in a decimal-comma column is
    refused instead of being read as 123456.
    """
    text = expr.cast(pl.String).str.strip_chars()
    neg = text.str.contains(r"^\(.*\)$|^-|-$|^[A-Za-z€$£]{1,3}\s*-")
    core = text.str.replace_all(r"[^\d.,]", "")
    other = "." if decimal_mark == "," else ","
    number = core.str.replace_all(other, "", literal=True).str.replace(
        decimal_mark, ".", literal=True
    )
    well_formed = text.str.contains(AMOUNT_SHAPE) & core.str.contains(GROUPING[decimal_mark])
    return neg, number, well_formed


def detect_decimal_mark(values: pl.Series) -> str:
    """The decimal mark of a whole column: "," or ".".

    Evidence for a comma: values ending in `,d` or `,dd`, or dot-grouped thousands (`1.234.567`,
    `1.234,5`). Evidence for a point: the mirror image. A tie (no evidence) means ".".
    """
    counted = values.cast(pl.String).value_counts(name="n")  # each distinct value once, weighted
    text = pl.col(counted.columns[0]).str.replace_all(r"[^\d.,]", "")
    comma = text.str.contains(r",\d{1,2}$|\d\.\d{3}[.,]|\.\d{3},")
    point = text.str.contains(r"\.\d{1,2}$|\d,\d{3}[.,]|,\d{3}\.")
    votes = counted.select(
        (pl.col("n") * comma.cast(pl.Int64)).sum().alias("comma"),
        (pl.col("n") * point.cast(pl.Int64)).sum().alias("point"),
    ).row(0)
    return "," if (votes[0] or 0) > (votes[1] or 0) else "."


def parse_amount(expr: pl.Expr, decimal_mark: str, scale: int = 2) -> pl.Expr:
    """Text -> pl.Decimal(18, scale); null when it is not an amount with at most `scale` decimals."""
    neg, number, well_formed = _amount_parts(expr, decimal_mark)
    valid = well_formed & number.str.contains(rf"^\d{{1,16}}(\.\d{{1,{scale}}})?$")
    signed = pl.when(neg).then(pl.concat_str([pl.lit("-"), number])).otherwise(number)
    return pl.when(valid).then(signed).otherwise(None).cast(pl.Decimal(18, scale), strict=False)


def amount_has_too_many_decimals(expr: pl.Expr, decimal_mark: str, scale: int = 2) -> pl.Expr:
    """True where the text is a number with more decimals than allowed (not silently rounded)."""
    _, number, well_formed = _amount_parts(expr, decimal_mark)
    return well_formed & number.str.contains(rf"^\d+\.\d{{{scale + 1},}}$")


def parse_rate(expr: pl.Expr) -> pl.Expr:
    """An exchange rate: a positive number, comma or point as decimal mark, up to 8 decimals."""
    text = (
        expr.cast(pl.String)
        .str.strip_chars()
        .str.replace_all(SPACES, "")
        .str.replace(",", ".", literal=True)
    )
    valid = text.str.contains(r"^\d{1,9}(\.\d{1,8})?$")
    return pl.when(valid).then(text).otherwise(None).cast(pl.Decimal(18, 8), strict=False)


DATE_FORMATS = ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d")


def parse_date(expr: pl.Expr) -> pl.Expr:
    """ISO, dd/mm/yyyy, dd.mm.yyyy or dd-mm-yyyy (never mm/dd); null when not a real date."""
    text = expr.cast(pl.String).str.strip_chars()
    iso = text.str.extract(r"^(\d{4}-\d{2}-\d{2})(?:[ T].*)?$", 1)
    day_first = text.str.extract(r"^(\d{1,2}[./-]\d{1,2}[./-]\d{4})$", 1)
    candidates = [iso.str.strptime(pl.Date, "%Y-%m-%d", strict=False)]
    candidates += [day_first.str.strptime(pl.Date, f, strict=False) for f in DATE_FORMATS[:3]]
    return pl.coalesce(candidates)


def _fold(expr: pl.Expr) -> pl.Expr:
    return (
        expr.cast(pl.String)
        .str.strip_chars()
        .str.to_lowercase()
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
    )


YES_NO = {
    "yes": True,
    "y": True,
    "oui": True,
    "o": True,
    "ja": True,
    "j": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "non": False,
    "nee": False,
    "false": False,
    "0": False,
}
STATUS = {
    "actual": "actual",
    "reel": "actual",
    "werkelijk": "actual",
    "committed": "committed",
    "engage": "committed",
    "vastgelegd": "committed",
}
#: how a payee abroad is taxed in Belgium on what it is paid (the Tax Shelter counts the ordinary
#: regime only: foreign artists under the flat withholding tax do not count)
TAX_REGIME = {
    "ordinary": "ordinary",
    "ordinaire": "ordinary",
    "regime ordinaire": "ordinary",
    "gewoon": "ordinary",
    "gewoon stelsel": "ordinary",
    "flat_withholding": "flat_withholding",
    "flat": "flat_withholding",
    "forfaitaire": "flat_withholding",
    "liberatoire": "flat_withholding",
    "precompte liberatoire": "flat_withholding",
    "forfaitair": "flat_withholding",
    "bevrijdend": "flat_withholding",
    "bevrijdende voorheffing": "flat_withholding",
}
PAYEE = {
    "company": "company",
    "societe": "company",
    "bedrijf": "company",
    "person": "person",
    "personne": "person",
    "persoon": "person",
}


def parse_yes_no(expr: pl.Expr) -> pl.Expr:
    """yes/no in English, French, Dutch, true/false, 1/0; anything else null."""
    return _fold(expr).replace_strict(YES_NO, default=None, return_dtype=pl.Boolean)


def parse_status(expr: pl.Expr) -> pl.Expr:
    """actual/committed (réel/engagé, werkelijk/vastgelegd); unknown -> null."""
    return _fold(expr).replace_strict(STATUS, default=None, return_dtype=pl.String)


def parse_tax_regime(expr: pl.Expr) -> pl.Expr:
    """ordinary/flat_withholding (ordinaire/libératoire, gewoon/bevrijdend); unknown -> null."""
    return _fold(expr).replace_strict(TAX_REGIME, default=None, return_dtype=pl.String)


def parse_payee_type(expr: pl.Expr) -> pl.Expr:
    """company/person (société/personne, bedrijf/persoon); unknown -> null."""
    return _fold(expr).replace_strict(PAYEE, default=None, return_dtype=pl.String)
