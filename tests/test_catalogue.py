"""The gettext catalogues: every message translated in French, Dutch and English, the template in
step with the English source, the catalogues compile, and every key the code asks for exists."""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from finance import DATA_DIR
from finance.devtools.catalogue import write_catalogues
from finance.domain import i18n
from finance.domain.i18n import DOMAIN, LANGS, LOCALE_DIR, PACK_DOMAIN, po_path, read_catalogue
from rules.loader import load_packs

ROOT = Path(__file__).resolve().parent.parent
CODE = ("finance", "rules", "dashboards")


def _domains() -> list[tuple[Path, str]]:
    packs = [Path(p.folder) / "locale" for p in load_packs().values()]
    return [(LOCALE_DIR, DOMAIN), *((d, PACK_DOMAIN) for d in packs if d.is_dir())]


DOMAINS = _domains()
IDS = [str(d.relative_to(ROOT)) for d, _ in DOMAINS]


def _read(locale_dir: Path, lang: str, domain: str) -> Catalog:
    with po_path(locale_dir, lang, domain).open("rb") as handle:
        return read_po(handle, locale=lang, domain=domain)


@pytest.mark.parametrize(("locale_dir", "domain"), DOMAINS, ids=IDS)
def test_every_message_is_translated_in_every_language(locale_dir: Path, domain: str) -> None:
    """A missing, empty or fuzzy translation (its English changed since) fails here."""
    english = {m.context for m in _read(locale_dir, "en", domain) if m.context}
    assert english, locale_dir
    for lang in LANGS:
        catalog = _read(locale_dir, lang, domain)
        done = {m.context for m in catalog if m.context and m.string and not m.fuzzy}
        assert not english - done, f"{lang}: untranslated or fuzzy: {sorted(english - done)}"
        assert not done - english, f"{lang}: keys without English: {sorted(done - english)}"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize(("locale_dir", "domain"), DOMAINS, ids=IDS)
def test_a_translation_fills_the_same_figures_as_the_english(locale_dir: Path, domain: str) -> None:
    messages = read_catalogue(locale_dir, domain)
    wrong = [
        f"{key}/{lang}"
        for key, texts in messages.items()
        for lang, text in texts.items()
        if _fields(text) != _fields(texts["en"])
    ]
    assert not wrong


@pytest.mark.parametrize(("locale_dir", "domain"), DOMAINS, ids=IDS)
def test_the_template_is_in_step_with_the_english_source(locale_dir: Path, domain: str) -> None:
    """`make messages` extracts the template with Babel from the English catalogue: the committed
    template holds exactly what it would extract (run `make messages` after editing English)."""
    method = [("en/LC_MESSAGES/*.po", "finance.devtools.catalogue:extract_english")]
    extracted = extract_from_dir(str(locale_dir), method, keywords={"pgettext": ((1, "c"), 2)})
    found = {(context, msgid) for _, _, msgid, _, context in extracted}
    with (locale_dir / f"{domain}.pot").open("rb") as handle:
        template = {(m.context, m.id) for m in read_po(handle) if m.id}
    assert found == template


@pytest.mark.parametrize(("locale_dir", "domain"), DOMAINS, ids=IDS)
def test_the_catalogues_compile_without_errors(locale_dir: Path, domain: str) -> None:
    """What `pybabel compile` checks (placeholders of %-formats, plural forms)."""
    for lang in LANGS:
        errors = [
            (m.context, e) for m, errs in _read(locale_dir, lang, domain).check() for e in errs
        ]
        assert not errors, (lang, errors)


def _keys_asked_for() -> Iterator[tuple[str, str]]:
    """Every message key written literally in a call to `t(...)` or `text(...)` in the code."""
    for package in CODE:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                first = node.args[0]
                literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
                if name in ("t", "text") and literal:
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", str(first.value)


def test_every_key_the_code_asks_for_is_in_the_catalogue() -> None:
    load_packs()  # the packs' catalogues register as they load
    missing = [f"{where} {key}" for where, key in _keys_asked_for() if not i18n.has(key)]
    assert not missing


def test_a_fuzzy_or_empty_translation_counts_as_missing(tmp_path: Path) -> None:
    """A translation whose English changed is not shown: the English is, until reviewed."""
    write_catalogues(
        tmp_path,
        "t",
        {
            "a": {"en": "Budget", "fr": "Budget", "nl": "Begroting"},
            "b": {"en": "Spent", "fr": "", "nl": "Besteed"},
        },
    )
    path = po_path(tmp_path, "nl", "t")
    path.write_text(
        path.read_text(encoding="utf-8").replace('msgctxt "a"', '#, fuzzy\nmsgctxt "a"'),
        encoding="utf-8",
    )
    messages = read_catalogue(tmp_path, "t")
    assert messages["a"] == {"en": "Budget", "fr": "Budget"}
    assert messages["b"] == {"en": "Spent", "nl": "Besteed"}


def test_no_message_is_left_in_the_old_yaml_catalogue() -> None:
    assert not list((DATA_DIR / "messages").glob("*.yaml"))
    assert not list((ROOT / "rules" / "packs").glob("*/messages.yaml"))
