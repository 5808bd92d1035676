"""The gettext catalogues' tooling: Babel's extractor for our English source texts, and the
writing of a new catalogue (a new rule pack's, say).

The source language is English, written in the `en` catalogue (`msgctxt` the key the code asks
for, `msgid` the English text). `make messages` runs Babel's own commands over it:

    pybabel extract -F data/locale/babel.cfg ...   # the template (.pot), by this module's extractor
    pybabel update ...                             # French and Dutch follow the template
    pybabel compile ...                            # and are checked (the .mo files are not kept)

so a translator works in `fr` and `nl` with any PO editor, reading the English beside each key,
and an English text that changes turns its translations fuzzy for review.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from finance.domain.i18n import LANGS, po_path

#: the width Babel wraps lines at, the same in every command (so `make messages` keeps diffs small)
WIDTH = 100
_PROJECT = "Cinéledger"


def extract_english(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Mapping[str, str]
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel extraction method: each entry of an English catalogue as `pgettext(key, text)`, so
    the template carries the key as context and the English text as the id."""
    catalog = read_po(fileobj, locale="en")
    for message in catalog:
        if message.context and isinstance(message.id, str) and message.id:
            line = message.lineno or 0
            yield line, "pgettext", (message.context, message.id), list(message.auto_comments)


def _catalog(lang: str | None, domain: str) -> Catalog:
    return Catalog(
        locale=lang,
        domain=domain,
        project=_PROJECT,
        version="1",
        copyright_holder=_PROJECT,
        fuzzy=False,
    )


def write_catalogues(
    locale_dir: Path, domain: str, messages: Mapping[str, Mapping[str, str]]
) -> None:
    """A domain's catalogues in every language and its template, from key -> language -> text
    (English required: it is each entry's id)."""
    template = _catalog(None, domain)
    for lang in LANGS:
        catalog = _catalog(lang, domain)
        for key in sorted(messages):
            english = messages[key]["en"]
            flags = ["python-brace-format"] if "{" in english else []
            catalog.add(english, messages[key].get(lang, ""), context=key, flags=flags)
            if lang == "en":
                template.add(english, "", context=key, flags=flags)
        path = po_path(locale_dir, lang, domain)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=WIDTH)
    with (locale_dir / f"{domain}.pot").open("wb") as handle:
        write_po(handle, template, width=WIDTH)
