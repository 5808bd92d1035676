"""One language at a time: the strings that betray another language in a text a user reads
(a page, a command's output), found from the message catalogue itself."""

from __future__ import annotations

import re
import string
from functools import cache

from finance.domain import i18n
from finance.domain.i18n import LANGS
from rules.loader import load_packs

#: a probe shorter than this, or a single word, is matched only as a whole line of the page
#: (a word such as "Budget" or "Total" is the same in several languages)
LONG = 14
#: texts every page shows whatever its language: the languages' own names in the switch
EVERYWHERE = set(LANGS.values())
#: what must never show, whatever the language
NEVER = re.compile(r"\bNone\b|\bnan\b|\bNaN\b|\bNaT\b|00:00:00|\bnull\b")
#: an English thousands separator or decimal point in a French or Dutch amount
ENGLISH_NUMBER = re.compile(r"\d,\d{3}(?!\d)|\b\d{1,3}(?:,\d{3})+\.\d{2}\b")


def _fragments(template: str) -> list[str]:
    """The literal pieces of a message between its placeholders, trimmed of punctuation."""
    pieces = [literal for literal, _, _, _ in string.Formatter().parse(template)]
    return [p.strip(" :·,.;()—–-/\n[]") for p in pieces if p and p.strip(" :·,.;()—–-/\n[]")]


@cache
def _texts() -> dict[str, list[str]]:
    """Every catalogue text by language (the packs' included), as literal fragments."""
    load_packs()
    out: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for texts in i18n.catalogue().values():
        for lang, template in texts.items():
            out[lang] += _fragments(template)
    return out


@cache
def probes(lang: str) -> tuple[frozenset[str], frozenset[str]]:
    """The strings that betray another language on a `lang` page: (long ones, searched inside
    the text; short ones, matched as a whole line). A string this language also uses (a name,
    a word common to both) is no evidence and is left out."""
    own = _texts()[lang]
    own_set = set(own)
    long: set[str] = set()
    short: set[str] = set()
    for other in LANGS:
        if other == lang:
            continue
        for fragment in _texts()[other]:
            if (
                fragment in own_set
                or fragment in EVERYWHERE
                or not re.search(r"[a-zA-Z]", fragment)
            ):
                continue
            if len(fragment) >= LONG and " " in fragment:
                if not any(fragment in mine for mine in own):
                    long.add(fragment)
            elif len(fragment) >= 4:
                short.add(fragment)
    return frozenset(long), frozenset(short)


def leaks(text: str, lang: str) -> list[str]:
    """The other languages' strings found in a page's text, and the formats that must not show."""
    long, short = probes(lang)
    lines = {line.strip() for line in text.splitlines()}
    found = [f"{lang}: {p!r}" for p in sorted(long) if p in text]
    found += [f"{lang}: line {p!r}" for p in sorted(short & lines)]
    found += [f"{lang}: {m.group(0)!r}" for m in NEVER.finditer(text)]
    if lang != "en":
        found += [f"{lang}: English number {m.group(0)!r}" for m in ENGLISH_NUMBER.finditer(text)]
    return found
