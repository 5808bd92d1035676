"""Load and validate rule packs; every error names the file and the line.

A pack folder holds `pack.yaml` (the scheme, its eligibility tests and rules) and
`parameters/*.yaml` (one legal figure per file, OpenFisca style). YAML is read strictly:
duplicate keys are errors and numbers become Decimal, never float.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from finance.domain.errors import Problem, UserError
from finance.domain.manifest import load_yaml
from rules import PACKS_DIR
from rules.model import Pack, Parameter


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
    pack: Pack = _validate(Pack, {**data, "parameters": params}, path)
    for rule in pack.rules:
        missing = [p for p in rule.parameters if p not in pack.parameters]
        if missing:
            raise UserError(
                f"{path}: rule {rule.id} names unknown parameters: {', '.join(missing)}"
            )
    return pack


def packs_root() -> Path:
    """The packs folder: `$CINELEDGER_RULES_DIR` (a reviewed copy a production may use), else
    the bundled rules/packs."""
    env = os.environ.get("CINELEDGER_RULES_DIR")
    return Path(env) if env else PACKS_DIR


def load_packs(root: Path | None = None) -> dict[str, Pack]:
    """Every pack under the packs folder, by scheme (cached per folder)."""
    return _load_packs(root or packs_root())


@cache
def _load_packs(root: Path) -> dict[str, Pack]:
    if not root.is_dir():
        raise UserError(f"{root}: no rule packs folder here")
    return {
        p.scheme: p
        for p in (load_pack(d) for d in sorted(root.iterdir()) if (d / "pack.yaml").exists())
    }
