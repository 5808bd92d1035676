"""UI strings of the login gate, the audit trail and the corrections (kept apart from i18n.py
to keep each module short)."""

from __future__ import annotations

ADMIN_STRINGS: dict[str, dict[str, str]] = {
    "login": {"fr": "Connexion", "en": "Log in", "nl": "Aanmelden"},
    "user_name": {"fr": "Utilisateur", "en": "User name", "nl": "Gebruikersnaam"},
    "password": {"fr": "Mot de passe", "en": "Password", "nl": "Wachtwoord"},
    "log_in": {"fr": "Se connecter", "en": "Log in", "nl": "Aanmelden"},
    "log_in_sso": {
        "fr": "Se connecter avec le compte de l'organisation",
        "en": "Log in with your organisation account",
        "nl": "Aanmelden met het account van de organisatie",
    },
    "log_out": {"fr": "Se déconnecter", "en": "Log out", "nl": "Afmelden"},
    "login_failed": {
        "fr": "Utilisateur ou mot de passe incorrect.",
        "en": "Wrong user name or password.",
        "nl": "Verkeerde gebruikersnaam of wachtwoord.",
    },
    "no_access": {
        "fr": "Ce compte n'a pas accès à ce tableau de bord.",
        "en": "This account has no access to this dashboard.",
        "nl": "Dit account heeft geen toegang tot dit dashboard.",
    },
    "auth_required_remote": {
        "fr": "Servi au-delà de cette machine, le tableau de bord exige des comptes "
        "(CINELEDGER_AUTH_FILE, voir `cineledger user add`).",
        "en": "Served beyond this machine, the dashboard needs accounts "
        "(CINELEDGER_AUTH_FILE, see `cineledger user add`).",
        "nl": "Buiten deze machine aangeboden vereist het dashboard accounts "
        "(CINELEDGER_AUTH_FILE, zie `cineledger user add`).",
    },
    "editors_only": {
        "fr": "Réservé aux éditeurs : votre rôle permet de consulter et d'exporter.",
        "en": "Editors only: your role can read and export.",
        "nl": "Alleen voor redacteurs: uw rol kan raadplegen en exporteren.",
    },
    "role_viewer": {"fr": "lecteur", "en": "viewer", "nl": "lezer"},
    "role_editor": {"fr": "éditeur", "en": "editor", "nl": "redacteur"},
    "audit": {"fr": "Journal", "en": "Audit trail", "nl": "Logboek"},
    "audit_intro": {
        "fr": "Chaque import, correction, contrôle et export : qui, quand, quoi et pourquoi.",
        "en": "Every import, correction, check and export: who, when, what and why.",
        "nl": "Elke import, correctie, controle en export: wie, wanneer, wat en waarom.",
    },
    "when": {"fr": "Quand (UTC)", "en": "When (UTC)", "nl": "Wanneer (UTC)"},
    "who": {"fr": "Qui", "en": "Who", "nl": "Wie"},
    "action": {"fr": "Action", "en": "Action", "nl": "Actie"},
    "target": {"fr": "Objet", "en": "Target", "nl": "Onderwerp"},
    "reason": {"fr": "Motif", "en": "Reason", "nl": "Reden"},
    "details": {"fr": "Détails", "en": "Details", "nl": "Details"},
    "correct": {
        "fr": "Corriger une classification",
        "en": "Correct a classification",
        "nl": "Een classificatie corrigeren",
    },
    "expense_ids": {
        "fr": "N° de dépenses (ex. 12,14-18)",
        "en": "Expense ids (e.g. 12,14-18)",
        "nl": "Uitgavennummers (bv. 12,14-18)",
    },
    "field": {"fr": "Champ", "en": "Field", "nl": "Veld"},
    "new_value": {"fr": "Nouvelle valeur", "en": "New value", "nl": "Nieuwe waarde"},
    "apply": {"fr": "Appliquer", "en": "Apply", "nl": "Toepassen"},
    "corrected": {
        "fr": "dépenses corrigées",
        "en": "expenses corrected",
        "nl": "uitgaven gecorrigeerd",
    },
}
