"""UI strings in French, English and Dutch; Belgian number and date formats via finance.domain.fmt."""

from __future__ import annotations

import streamlit as st

from dashboards.ui.i18n_admin import ADMIN_STRINGS

LANGS = {"fr": "Français", "en": "English", "nl": "Nederlands"}

STRINGS: dict[str, dict[str, str]] = {
    "overview": {"fr": "Vue d'ensemble", "en": "Overview", "nl": "Overzicht"},
    "cost_report": {"fr": "Rapport des coûts", "en": "Cost report", "nl": "Kostenrapport"},
    "funders": {"fr": "Financeurs", "en": "Funders", "nl": "Financiers"},
    "expenses": {"fr": "Dépenses", "en": "Expenses", "nl": "Uitgaven"},
    "territories": {"fr": "Territoires", "en": "Territories", "nl": "Grondgebieden"},
    "imports": {"fr": "Imports", "en": "Imports", "nl": "Importeren"},
    "portfolio": {"fr": "Portefeuille", "en": "Portfolio", "nl": "Portefeuille"},
    "production": {"fr": "Production", "en": "Production", "nl": "Productie"},
    "language": {"fr": "Langue", "en": "Language", "nl": "Taal"},
    "as_at": {"fr": "Au", "en": "As at", "nl": "Op"},
    "no_production": {
        "fr": "Aucune production dans la base. Lancez `cineledger demo` ou `cineledger production add`.",
        "en": "No production in the database yet. Run `cineledger demo` or `cineledger production add`.",
        "nl": "Nog geen productie in de databank. Voer `cineledger demo` of `cineledger production add` uit.",
    },
    "budget": {"fr": "Budget", "en": "Budget", "nl": "Budget"},
    "actual": {"fr": "Réel", "en": "Actual", "nl": "Werkelijk"},
    "committed": {"fr": "Engagé", "en": "Committed", "nl": "Vastgelegd"},
    "etc": {"fr": "Reste à faire", "en": "To complete", "nl": "Nog te besteden"},
    "eac": {"fr": "Coût final estimé", "en": "At completion", "nl": "Verwachte eindkost"},
    "variance": {"fr": "Écart", "en": "Variance", "nl": "Afwijking"},
    "pct_spent": {"fr": "% dépensé", "en": "% spent", "nl": "% besteed"},
    "over_budget": {"fr": "Dépassement", "en": "Over budget", "nl": "Overschrijding"},
    "pct_schedule": {
        "fr": "% du calendrier écoulé",
        "en": "% of schedule elapsed",
        "nl": "% van de planning verstreken",
    },
    "burn_up": {"fr": "Courbe de dépenses cumulées", "en": "Burn-up", "nl": "Cumulatieve uitgaven"},
    "weekly_burn": {"fr": "Dépenses par semaine", "en": "Weekly spend", "nl": "Uitgaven per week"},
    "trailing": {"fr": "Moyenne 4 semaines", "en": "Trailing 4 weeks", "nl": "Gemiddelde 4 weken"},
    "runs_out": {"fr": "Budget épuisé le", "en": "Budget runs out on", "nl": "Budget op tegen"},
    "planned": {"fr": "Prévu", "en": "Planned", "nl": "Gepland"},
    "chapter": {"fr": "Chapitre", "en": "Chapter", "nl": "Hoofdstuk"},
    "line": {"fr": "Ligne", "en": "Line", "nl": "Post"},
    "open_chapter": {"fr": "Ouvrir un chapitre", "en": "Open a chapter", "nl": "Hoofdstuk openen"},
    "open_line": {
        "fr": "Dépenses d'une ligne",
        "en": "Expenses of a line",
        "nl": "Uitgaven van een post",
    },
    "run_checks": {
        "fr": "Lancer les contrôles",
        "en": "Run the checks",
        "nl": "Controles uitvoeren",
    },
    "last_run": {"fr": "Dernier contrôle", "en": "Latest check", "nl": "Laatste controle"},
    "show_evidence": {
        "fr": "Afficher les dépenses examinées",
        "en": "Show the expenses examined",
        "nl": "Onderzochte uitgaven tonen",
    },
    "ledger_changed": {
        "fr": "Les dépenses ont changé depuis ce contrôle : les justificatifs ci-dessous sont "
        "recalculés sur les dépenses d'aujourd'hui et peuvent ne plus correspondre aux chiffres "
        "du contrôle. Relancez les contrôles.",
        "en": "The ledger changed since this check: the evidence below is recomputed from "
        "today's expenses and may no longer add up to the check's figures. Run the checks again.",
        "nl": "De uitgaven zijn gewijzigd sinds deze controle: de onderbouwing hieronder is "
        "herberekend op de uitgaven van vandaag en klopt mogelijk niet meer met de cijfers van "
        "de controle. Voer de controles opnieuw uit.",
    },
    "measured": {"fr": "Mesuré", "en": "Measured", "nl": "Gemeten"},
    "threshold": {"fr": "Seuil", "en": "Threshold", "nl": "Drempel"},
    "projected": {"fr": "Projeté", "en": "Projected", "nl": "Verwacht"},
    "shortfall": {"fr": "Manque", "en": "Shortfall", "nl": "Tekort"},
    "where": {"fr": "À dépenser en", "en": "To spend in", "nl": "Te besteden in"},
    "parameters": {"fr": "Paramètres", "en": "Parameters", "nl": "Parameters"},
    "unverified": {"fr": "non vérifié", "en": "unverified", "nl": "niet geverifieerd"},
    "evidence": {"fr": "Pièces justificatives", "en": "Evidence", "nl": "Bewijsstukken"},
    "counts": {"fr": "Compte", "en": "Counts", "nl": "Telt"},
    "reasons": {"fr": "Raisons", "en": "Reasons", "nl": "Redenen"},
    "territory": {"fr": "Territoire", "en": "Territory", "nl": "Grondgebied"},
    "supplier": {"fr": "Fournisseur", "en": "Supplier", "nl": "Leverancier"},
    "status": {"fr": "Statut", "en": "Status", "nl": "Status"},
    "search": {"fr": "Rechercher", "en": "Search", "nl": "Zoeken"},
    "date_range": {"fr": "Période", "en": "Dates", "nl": "Periode"},
    "scheme": {"fr": "Régime", "en": "Scheme", "nl": "Regeling"},
    "upload": {
        "fr": "Fichier de dépenses (CSV ou XLSX)",
        "en": "Expense file (CSV or XLSX)",
        "nl": "Uitgavenbestand (CSV of XLSX)",
    },
    "validate": {
        "fr": "Rapport de validation",
        "en": "Validation report",
        "nl": "Validatierapport",
    },
    "confirm": {"fr": "Confirmer l'import", "en": "Confirm the import", "nl": "Import bevestigen"},
    "skip_invalid": {
        "fr": "Importer les lignes valides, mettre les autres en quarantaine",
        "en": "Import the valid rows, quarantine the others",
        "nl": "Geldige rijen importeren, de andere in quarantaine",
    },
    "quarantine": {"fr": "Quarantaine", "en": "Quarantine", "nl": "Quarantaine"},
    "all_valid": {
        "fr": "Toutes les lignes sont valides.",
        "en": "Every row is valid.",
        "nl": "Alle rijen zijn geldig.",
    },
    "rows": {"fr": "lignes", "en": "rows", "nl": "rijen"},
    "spend_by_territory": {
        "fr": "Dépenses par territoire",
        "en": "Spend by territory",
        "nl": "Uitgaven per grondgebied",
    },
    "open": {"fr": "Ouvrir", "en": "Open", "nl": "Openen"},
    "prepare_files": {
        "fr": "Préparer le dossier de justification",
        "en": "Prepare the justification file",
        "nl": "Verantwoordingsdossier voorbereiden",
    },
    "download_workbook": {
        "fr": "Télécharger le classeur (XLSX)",
        "en": "Download the workbook (XLSX)",
        "nl": "Werkmap downloaden (XLSX)",
    },
    "download_pdf": {
        "fr": "Télécharger la synthèse (PDF)",
        "en": "Download the summary (PDF)",
        "nl": "Samenvatting downloaden (PDF)",
    },
    "provenance": {"fr": "Provenance", "en": "Provenance", "nl": "Herkomst"},
}

STRINGS.update(ADMIN_STRINGS)


def lang() -> str:
    """The chosen UI language (French by default)."""
    value = st.session_state.get("lang", "fr")
    return value if value in LANGS else "fr"


def t(key: str) -> str:
    """The UI string for `key` in the chosen language (English, then the key, as fallbacks)."""
    entry = STRINGS.get(key, {})
    return entry.get(lang()) or entry.get("en") or key
