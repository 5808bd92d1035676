"""The scheme catalogue: which funding schemes exist, read from the rule packs' folders.

A scheme is a folder, `rules/packs/<scheme>/pack.yaml`. The domain reads only what a financing
line needs to be validated (the scheme's name, the fields its lines require) and what the edges
show (its label in each language, its colour); the rules engine (rules/loader.py) reads the rest
of the same files. Nothing here names a scheme: adding a funder adds a folder.

Where the packs are: the bundled `rules/packs` (or `$CINELEDGER_RULES_DIR`, a reviewed copy that
replaces it), then every folder listed in `$CINELEDGER_PACKS` (separated by the platform's path
separator, `:` on Linux), each a pack folder or a folder of pack folders.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from finance.domain.errors import UserError
from finance.domain.yamlfile import load_yaml

#: the packs shipped with the rulebook (rules/packs, beside this package)
BUNDLED_PACKS = Path(__file__).resolve().parents[2] / "rules" / "packs"
#: a folder of packs replacing the bundled ones
RULES_DIR_ENV = "CINELEDGER_RULES_DIR"
#: extra pack folders, added to the others
EXTRA_PACKS_ENV = "CINELEDGER_PACKS"
#: the scheme of financing no pack checks (coproducers, presales, equity)
OTHER = "other"


@dataclass(frozen=True)
class SchemeInfo:
    """What the domain and the edges know of a scheme: name, whether a financing line may name
    it (`funder`; the EU ceilings and the double-counting checks are packs, not funders), the
    fields its lines require (field -> what it is), its labels by language and its colour."""

    name: str
    funder: bool
    exportable: bool = False  # it tests expenses: `export --scheme` writes its justification file
    requires: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    colour: str | None = None
    title: str = ""
    #: the ids of its rules (`scheme.rule`): a tranche's condition names one of them
    rule_ids: tuple[str, ...] = ()
    #: what kind of money its lines are (`financing_line.source`; public aid by default)
    source_kind: str = "other"
    #: whose money it is (aid_country_of), for the plan's shares by country
    country: str | None = None
    #: the strands its aid is granted under (`financing_line.strands`): a line names one
    strands: tuple[str, ...] = ()

    def label(self, lang: str = "en") -> str:
        """The scheme's name for people, in `lang` (English, then the pack's title, then the
        scheme's name)."""
        return self.labels.get(lang) or self.labels.get("en") or self.title or self.name


def packs_root() -> Path:
    """The main packs folder: `$CINELEDGER_RULES_DIR`, else the bundled rules/packs."""
    env = os.environ.get(RULES_DIR_ENV)
    return Path(env) if env else BUNDLED_PACKS


def pack_folders() -> tuple[Path, ...]:
    """Every pack folder in use: the main folder's (by name), then the extra ones in order.
    Listed once per setting of the two variables (checks call this for every production)."""
    return _folders(packs_root(), os.environ.get(EXTRA_PACKS_ENV, ""))


@cache
def _folders(root: Path, extras: str) -> tuple[Path, ...]:
    if not root.is_dir():
        raise UserError(f"{root}: no rule packs folder here")
    found = [d for d in sorted(root.iterdir()) if (d / "pack.yaml").is_file()]
    for entry in filter(None, extras.split(os.pathsep)):
        extra = Path(entry)
        if (extra / "pack.yaml").is_file():
            found.append(extra)
        elif extra.is_dir():
            found += [d for d in sorted(extra.iterdir()) if (d / "pack.yaml").is_file()]
        else:
            raise UserError(f"{extra}: no rule pack here ({EXTRA_PACKS_ENV})")
    return tuple(found)


def aid_country_of(
    aid_country: str | None, territories: list[str], be_taxable_required: bool
) -> str | None:
    """Whose aid a scheme is: the pack's `aid_country`, else the one country of its eligibility
    territories (`BE-WAL` -> BE, `FR`/`FR-*` -> FR), else BE for a scheme whose spend is tested
    by Belgian taxability (a Belgian tax scheme); None when unknown."""
    if aid_country:
        return aid_country
    countries = {t.split("-")[0].rstrip("*") for t in territories}
    if len(countries) == 1 and len(next(iter(countries))) == 2:
        return countries.pop()
    return "BE" if be_taxable_required and not territories else None


def _info(folder: Path) -> SchemeInfo:
    data: Any = load_yaml(folder / "pack.yaml")
    if not isinstance(data, dict):
        raise UserError(f"{folder / 'pack.yaml'}: a pack file is a YAML mapping")
    line = data.get("financing_line") or {}
    shown = data.get("presentation") or {}
    eligibility = data.get("eligibility") or {}
    return SchemeInfo(
        name=str(data.get("scheme", folder.name)),
        funder=bool(data.get("funder", True)),
        exportable=data.get("eligibility") is not None,
        requires={str(k): str(v) for k, v in (line.get("requires") or {}).items()},
        labels={str(k): str(v) for k, v in (shown.get("label") or {}).items()},
        colour=shown.get("colour"),
        title=str(data.get("title") or ""),
        rule_ids=tuple(
            f"{data.get('scheme', folder.name)}.{r['id']}"
            for r in data.get("rules") or []
            if isinstance(r, dict) and "id" in r
        ),
        source_kind=str(
            line.get("source") or ("public_aid" if data.get("public_aid") else "other")
        ),
        strands=tuple(str(x) for x in line.get("strands") or ()),
        country=aid_country_of(
            data.get("aid_country"),
            [str(t) for t in eligibility.get("territories") or []],
            bool(eligibility.get("be_taxable_required")),
        ),
    )


@cache
def _catalogue(folders: tuple[Path, ...]) -> dict[str, SchemeInfo]:
    out: dict[str, SchemeInfo] = {}
    for folder in folders:
        info = _info(folder)
        if info.name in out or info.name == OTHER:
            raise UserError(f"{folder}: scheme {info.name!r} is declared twice")
        out[info.name] = info
    return out


def catalogue() -> dict[str, SchemeInfo]:
    """Every pack's scheme, in pack order (cached per set of folders)."""
    return _catalogue(pack_folders())


def funder_schemes() -> tuple[str, ...]:
    """The schemes a financing line may name, in pack order, `other` last."""
    return (*(s for s, i in catalogue().items() if i.funder), OTHER)


def exportable_schemes() -> tuple[str, ...]:
    """The schemes with a justification file (their packs test expenses), in pack order."""
    return tuple(s for s, i in catalogue().items() if i.exportable)


def scheme_label(scheme: str, lang: str = "en") -> str:
    """A scheme's name for people (the scheme itself when no pack labels it)."""
    info = catalogue().get(scheme)
    return info.label(lang) if info else scheme


def rule_ids() -> frozenset[str]:
    """Every rule id of every pack (`scheme.rule`, as the packs write them)."""
    return frozenset(r for info in catalogue().values() for r in info.rule_ids)
