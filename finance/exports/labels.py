"""Column headers and sheet names in the funder's language (French for the Belgian and French
funders; Dutch and English on request)."""

from __future__ import annotations

from finance.domain import i18n


def _catalogue(key: str, width: int, kind: str) -> tuple[str, str, str, int, str]:
    """A header from the message catalogue (data/locale), in the table's shape."""
    return (i18n.text(key, "fr"), i18n.text(key, "nl"), i18n.text(key, "en"), width, kind)


# key: (fr, nl, en, width, kind)
COLUMNS: dict[str, tuple[str, str, str, int, str]] = {
    "supplier": ("Bénéficiaire", "Begunstigde", "Payee", 30, "text"),
    "supplier_vat": (
        "N° d'entreprise / TVA",
        "Ondernemings- / btw-nummer",
        "Enterprise / VAT number",
        18,
        "text",
    ),
    "country": ("Pays", "Land", "Country", 6, "text"),
    "postcode": ("Code postal", "Postcode", "Postcode", 9, "text"),
    "territory": ("Territoire", "Grondgebied", "Territory", 9, "text"),
    "invoice_ref": ("N° de facture", "Factuurnummer", "Invoice number", 16, "text"),
    "doc_date": ("Date du document", "Documentdatum", "Document date", 11, "date"),
    "paid_on": ("Date de paiement", "Betaaldatum", "Payment date", 11, "date"),
    "budget_code": ("Poste", "Post", "Budget line", 7, "text"),
    "budget_label": ("Libellé du poste", "Omschrijving post", "Budget line label", 28, "text"),
    "amount_orig": ("Montant en devise", "Bedrag in munt", "Amount in currency", 14, "money"),
    "currency": ("Devise", "Munt", "Currency", 6, "text"),
    "fx_rate": ("Taux", "Koers", "Rate", 11, "rate"),
    "amount": ("Montant HT (EUR)", "Bedrag excl. btw (EUR)", "Amount excl. VAT (EUR)", 15, "money"),
    "eligible_amount": (
        "Montant éligible",
        "In aanmerking komend bedrag",
        "Eligible amount",
        15,
        "money",
    ),
    # the agreement an expense counts for (schemes whose agreements stand on their own)
    "agreement": _catalogue("agreements.col.agreement", 12, "number"),
    "reasons": ("Motif", "Reden", "Reason", 40, "text"),
    "document": ("Pièce justificative", "Bewijsstuk", "Document", 28, "text"),
    # the payee's Belgian tax regime and its fee slip (schemes that count payees abroad by it)
    "tax_regime": _catalogue("export.col.tax_regime", 18, "regime"),
    "fee_slip": _catalogue("export.col.fee_slip", 16, "text"),
    "missing": ("À obtenir", "Te bekomen", "Missing", 30, "text"),
    "rule": ("Règle", "Regel", "Rule", 32, "text"),
    "status": ("Statut", "Status", "Status", 10, "text"),
    "measured": ("Mesuré", "Gemeten", "Measured", 15, "money"),
    "threshold": ("Seuil", "Drempel", "Threshold", 15, "money"),
    "shortfall": ("Manque", "Tekort", "Shortfall", 15, "money"),
    "projected": ("Projeté", "Verwacht", "Projected", 15, "money"),
    "explanation": ("Explication", "Uitleg", "Explanation", 60, "text"),
    "parameters": (
        "Paramètres (source, confiance)",
        "Parameters (bron, betrouwbaarheid)",
        "Parameters (source, confidence)",
        80,
        "text",
    ),
    # whether the result rests only on inputs checked against the legal text, and which not
    "verification": _catalogue("export.verification", 60, "text"),
}

WORDS: dict[str, tuple[str, str, str]] = {
    "chapter_total": ("Total chapitre", "Totaal hoofdstuk", "Chapter total"),
    "grand_total": ("TOTAL", "TOTAAL", "TOTAL"),
    "unverified": ("NON VÉRIFIÉ", "NIET GEVERIFIEERD", "UNVERIFIED"),
}

SHEETS: dict[str, dict[str, str]] = {
    "summary": {"fr": "Synthèse", "nl": "Samenvatting", "en": "Summary"},
    "eligible": {"fr": "Dépenses éligibles", "nl": "In aanmerking", "en": "Eligible expenses"},
    "excluded": {"fr": "Dépenses exclues", "nl": "Uitgesloten", "en": "Excluded expenses"},
    "missing": {"fr": "Pièces manquantes", "nl": "Ontbrekende stukken", "en": "Missing items"},
    "provenance": {"fr": "Provenance", "nl": "Herkomst", "en": "Provenance"},
    "cost": {"fr": "Coût définitif", "nl": "Definitieve kostprijs", "en": "Final cost"},
}
LANG_INDEX = {"fr": 0, "nl": 1, "en": 2}


def label(key: str, lang: str) -> str:
    """A header or word in the language (French by default)."""
    i = LANG_INDEX.get(lang, 0)
    return str(COLUMNS[key][i]) if key in COLUMNS else WORDS[key][i]
