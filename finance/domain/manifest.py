"""Load and validate a production manifest, listing every problem by field path.

YAML is read with a loader that rejects duplicate keys (a silently overwritten amount is a
classic spreadsheet-to-YAML mistake) and keeps numbers exact: every scalar that looks like a
number becomes a Decimal, never a float.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from finance.domain.errors import Problem, UserError
from finance.domain.models import Manifest


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys and reads floats as Decimal."""


def _construct_mapping(
    loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first at line {seen[key] + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


def _construct_decimal(loader: _StrictLoader, node: yaml.ScalarNode) -> Decimal | str:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def load_yaml(path: Path) -> Any:
    """Parse a YAML file strictly; a syntax error names the file and line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"{path.name}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path.name}: cannot read the file ({exc})") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise UserError(f"{path.name}{where}: invalid YAML: {problem}") from None


def validation_problems(exc: ValidationError, file: str) -> list[Problem]:
    """One Problem per pydantic error, located by dotted field path."""
    problems = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"]) or "(top level)"
        value = err.get("input")
        shown = None if isinstance(value, dict | list) else str(value)
        problems.append(Problem(reason=err["msg"], file=file, column=path, value=shown))
    return problems


def load_manifest(path: Path) -> tuple[Manifest, str]:
    """The validated manifest and the sha256 of its bytes, or a UserError listing every problem."""
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise UserError(f"{path.name}: a manifest is a YAML mapping (id, title, kind, ...)")
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, path.name)
        raise UserError(
            f"{path.name}: the manifest is not valid ({len(problems)} problems)", problems
        ) from None
    return manifest, hashlib.sha256(path.read_bytes()).hexdigest()
