"""Load and validate rule packs; every error names the file and the line.

A pack folder holds `pack.yaml` (the scheme, its eligibility tests, facts and rules),
`parameters/*.yaml` (one legal figure per file, OpenFisca style) and `locale/` (the gettext
catalogues of its rules' titles and explanations in French, Dutch and English, added to the
message catalogue). YAML is
read strictly: duplicate keys are errors and numbers become Decimal, never float. Which folders
are read is finance/domain/packs.py's `pack_folders` (the bundled packs, `$CINELEDGER_RULES_DIR`,
`$CINELEDGER_PACKS`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from finance.domain import i18n
from finance.domain.errors import Problem, UserError
from finance.domain.packs import pack_folders, packs_root
from finance.domain.yamlfile import load_yaml
from rules.facts import Measure, check_pack, measure_table
from rules.model import Pack, Parameter

__all__ = ["load_measures", "load_pack", "load_packs", "packs_root"]


def _loc_key(key: Any) -> str:
    """A pydantic location part as written in YAML (date keys come back as their repr)."""
    text = str(key)
    match = re.fullmatch(r"datetime\.date\((\d+), (\d+), (\d+)\)", text)
    return f"{int(match[1]):04d}-{int(match[2]):02d}-{int(match[3]):02d}" if match else text


def _line_of(path: Path, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at a pydantic error location, when it can be found."""
    try:
        node: Any = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if str(k.value) == _loc_key(key)]
            node = match[0] if match else None
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _validate(model: type[Pack] | type[Parameter], data: Any, path: Path) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            line = _line_of(path, tuple(err["loc"]))
            where = ".".join(_loc_key(p) for p in err["loc"])
            problems.append(Problem(reason=f"{where}: {err['msg']}", file=str(path), row=line))
        raise UserError(f"{path}: invalid rule pack file", problems) from None


def load_parameter(path: Path, scheme: str) -> Parameter:
    """One parameter file; its name is the file stem."""
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise UserError(f"{path}: a parameter file is a YAML mapping")
    param: Parameter = _validate(Parameter, {"name": path.stem, "scheme": scheme, **data}, path)
    return param


def load_pack(folder: Path) -> Pack:
    """A pack folder: pack.yaml plus its parameters; rules may only name existing parameters."""
    path = folder / "pack.yaml"
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise UserError(f"{path}: a pack file is a YAML mapping")
    scheme = str(data.get("scheme", folder.name))
    params = {
        p.stem: load_parameter(p, scheme) for p in sorted((folder / "parameters").glob("*.yaml"))
    }
    pack: Pack = _validate(Pack, {**data, "parameters": params, "folder": str(folder)}, path)
    problems = check_pack(pack)
    for rule in pack.rules:
        missing = [p for p in rule.parameters if p not in pack.parameters]
        if missing:
            problems.append(f"rule {rule.id} names unknown parameters: {', '.join(missing)}")
    texts = i18n.read_catalogue(folder / "locale", i18n.PACK_DOMAIN, pack.scheme)
    keys = [f"{pack.scheme}.{r.id}.{k}" for r in pack.rules for k in ("title", "explanation")]
    problems += [f"no message {k}" for k in i18n.missing_languages(keys, texts)]
    for rule in pack.rules:
        known = {"measured", "threshold", "verb", *rule.parameters}
        for key in (f"{pack.scheme}.{rule.id}.title", f"{pack.scheme}.{rule.id}.explanation"):
            for lang, template in texts.get(key, {}).items():
                problems += [
                    f"message {key}/{lang} names {name!r}, not a parameter of the rule"
                    for name in i18n.fields_of(template) - known
                ]
    if problems:
        raise UserError(
            f"{path}: invalid rule pack", [Problem(reason=r, file=str(path)) for r in problems]
        )
    i18n.register(str(folder), texts)
    return pack


def load_packs(folders: tuple[Path, ...] | None = None) -> dict[str, Pack]:
    """Every pack in use (finance/domain/packs.py), by scheme (cached per set of folders)."""
    return _load_packs(folders if folders is not None else pack_folders())


@cache
def _load_packs(folders: tuple[Path, ...]) -> dict[str, Pack]:
    packs: dict[str, Pack] = {}
    for folder in folders:
        pack = load_pack(folder)
        if pack.scheme in packs:
            raise UserError(f"{folder}: scheme {pack.scheme!r} is declared twice")
        packs[pack.scheme] = pack
    return packs


def load_measures() -> dict[str, Measure]:
    """Every pack's measures by qualified name (`<scheme>.<measure>`), as SQL (rules/facts.py)."""
    return _measures(pack_folders())


@cache
def _measures(folders: tuple[Path, ...]) -> dict[str, Measure]:
    return measure_table(_load_packs(folders))
