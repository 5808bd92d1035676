"""The message catalogue: every text a user reads, by key, in French, Dutch and English.

Messages are gettext catalogues managed with Babel (`.po` files a translator opens in any PO
editor): `data/locale/<lang>/LC_MESSAGES/cineledger.po` for the dashboard, the CLI and the
engine's shared sentences, and each rule pack's `locale/<lang>/LC_MESSAGES/pack.po` for its
rules' titles and explanations (keys prefixed with the pack's scheme when loaded:
`<scheme>.<rule>.title`). An entry's context (`msgctxt`) is the key the code asks for, its
`msgid` the English text (the source language, so a translator reads the English beside the
key) and its `msgstr` the language's text:

    msgctxt "regional_spend.title"
    msgid "Eligible regional spend reaches {min_spend_ratio:percent} of the aid"
    msgstr "Les dépenses régionales éligibles atteignent {min_spend_ratio:percent} de l'aide"

English texts are written in the `en` catalogue; `make messages` extracts the template (`.pot`)
from it, updates the French and Dutch catalogues (a changed English text turns their entry
fuzzy, for the translator to review) and compiles them to check them. A fuzzy or empty entry
counts as missing: the English text is shown, and tests/test_catalogue.py fails.

A text names the figures it shows and never writes them: `{name}` is filled from the values
given to `text` (a rule's parameters, its measured value and threshold), formatted by the spec
after the colon in the language's Belgian format (babel, finance/domain/fmt.py):

| spec | value | en | fr |
|---|---|---|---|
| `percent` | a ratio, 0.9 | `90 %` | `90 %` |
| `money` | an amount | `EUR 1,104,210.55` | `1 104 210,55 €` |
| `amount` | a round amount | `EUR 250 000`, `EUR 15 M` | `250 000 EUR`, `15 M EUR` |
| `number` | a count, months | `18` | `18` |
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from finance import DATA_DIR
from finance.domain.errors import Problem, UserError
from finance.domain.fmt import fmt_money, locale_of

#: the languages of the catalogue, with their names
LANGS = {"fr": "Français", "en": "English", "nl": "Nederlands"}
#: the core catalogue's folder and gettext domain (each pack has `locale/`, domain `pack`)
LOCALE_DIR = DATA_DIR / "locale"
DOMAIN = "cineledger"
PACK_DOMAIN = "pack"
_MILLION = Decimal(1_000_000)

Messages = dict[str, dict[str, str]]


def po_path(locale_dir: Path, lang: str, domain: str) -> Path:
    """Where gettext keeps a language's catalogue of a domain."""
    return locale_dir / lang / "LC_MESSAGES" / f"{domain}.po"


def read_catalogue(locale_dir: Path, domain: str, prefix: str = "") -> Messages:
    """A domain's catalogues: key -> language -> text (keys prefixed with `prefix.` if given).

    The English text is the entry's `msgid` where its `msgstr` is empty; a fuzzy entry (its
    English changed since it was translated) or an empty one is left out, as missing."""
    out: Messages = {}
    for lang in LANGS:
        path = po_path(locale_dir, lang, domain)
        if not path.is_file():
            continue
        try:
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=lang, domain=domain)
        except (ValueError, OSError) as exc:
            raise UserError(f"{path}: not a readable gettext catalogue ({exc})") from None
        for message in catalog:
            if not message.context or not isinstance(message.id, str) or message.fuzzy:
                continue
            said = message.string if isinstance(message.string, str) else ""
            said = said or (message.id if lang == "en" else "")
            if said:
                key = f"{prefix}.{message.context}" if prefix else message.context
                out.setdefault(key, {})[lang] = said
    return out


@cache
def _core() -> Messages:
    return read_catalogue(LOCALE_DIR, DOMAIN)


_extra: dict[str, Messages] = {}


def register(source: str, messages: Messages) -> None:
    """Add a source's messages (a rule pack's, by its folder) to the catalogue."""
    _extra[source] = messages


def catalogue() -> Messages:
    """Every message: the core files', then the registered sources'."""
    out = dict(_core())
    for messages in _extra.values():
        out |= messages
    return out


def has(key: str) -> bool:
    """Whether the catalogue has a message for `key`."""
    return key in _core() or any(key in m for m in _extra.values())


def _lookup(key: str, lang: str) -> str:
    for source in (*reversed(_extra.values()), _core()):
        entry = source.get(key)
        if entry is not None:
            return entry.get(lang) or entry.get("en") or key
    return key


def _percent(value: Decimal, lang: str) -> str:
    return str(format_decimal(value * 100, format="#,##0.##", locale=locale_of(lang))) + " %"


def _amount(value: Decimal, lang: str, currency: str) -> str:
    if value >= _MILLION and value % _MILLION == 0:
        figure = f"{value / _MILLION:f}".split(".")[0] + " M"
    else:
        figure = str(format_decimal(value, format="#,##0.##", locale=locale_of(lang)))
        figure = figure.replace("\u202f", " ").replace(",", " ") if lang == "en" else figure
    return f"{currency} {figure}" if lang == "en" else f"{figure} {currency}"


def money_en(value: Decimal | None, currency: str = "EUR") -> str:
    """`EUR 1,104,210.55`: the contract's explanation format."""
    return "n/a" if value is None else f"{currency} {value:,.2f}"


class _Formatter(string.Formatter):
    """Fills `{name:spec}` from the values, in the language's format."""

    def __init__(self, lang: str, currency: str) -> None:
        self.lang, self.currency = lang, currency

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "text" or isinstance(value, str):
            return str(value)
        if value is None:
            return _lookup("money.none", self.lang)
        number = Decimal(value)
        if format_spec == "percent":
            return _percent(number, self.lang)
        if format_spec == "amount":
            return _amount(number, self.lang, self.currency)
        if format_spec == "number":
            return str(format_decimal(number, locale=locale_of(self.lang)))
        if self.lang == "en":  # money, the default
            return money_en(number, self.currency)
        return fmt_money(number, self.lang, self.currency)


def render(template: str, lang: str = "en", currency: str = "EUR", **values: Any) -> str:
    """A template filled from `values` (see the module's table of specs)."""
    try:
        return _Formatter(lang, currency).format(template, **values)
    except (KeyError, IndexError, ValueError) as exc:
        raise UserError(f"message {template!r}: cannot fill {exc}") from None


def text(key: str, lang: str = "en", currency: str = "EUR", **values: Any) -> str:
    """The message `key` in `lang` (English, then the key itself, as fallbacks), filled from
    `values`."""
    return render(_lookup(key, lang), lang, currency, **values)


def fields_of(template: str) -> set[str]:
    """The names a template fills (to check they are the values a rule provides)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def missing_languages(keys: Iterable[str], source: Mapping[str, Mapping[str, str]]) -> list[str]:
    """`key/lang` of every key of `keys` without a text in one of the languages."""
    return [f"{k}/{lang}" for k in keys for lang in LANGS if not source.get(k, {}).get(lang)]


def error(key: str, problems: Iterable[Problem] = (), **values: Any) -> UserError:
    """A `UserError` whose message is the catalogue's `key`: its English text as the message,
    the key and values kept to say it in the user's language (`finance.domain.reasons.error_lines`)."""
    return UserError(text(key, "en", **values), list(problems), key=key, values=dict(values))
