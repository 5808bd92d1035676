"""The dashboard's texts in French, English and Dutch, from the core's message catalogue
(finance/domain/i18n.py; the texts are data/locale's gettext catalogues); Belgian number
and date formats via finance.domain.fmt."""

from __future__ import annotations

import streamlit as st

from finance.domain import i18n
from finance.domain.i18n import LANGS

__all__ = ["LANGS", "lang", "t"]


def lang() -> str:
    """The chosen UI language (French by default)."""
    value = st.session_state.get("lang", "fr")
    return value if value in LANGS else "fr"


def t(key: str) -> str:
    """The UI string for `key` in the chosen language (English, then the key, as fallbacks)."""
    return i18n.text(key, lang())
