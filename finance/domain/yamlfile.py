"""Strict YAML: duplicate keys are errors (naming the line) and numbers are exact.

A silently overwritten amount is a classic spreadsheet-to-YAML mistake; every scalar that looks
like a number becomes a Decimal, never a float. Manifests, rule packs, layouts and profiles are
read through `load_yaml`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from finance.domain.i18n import error


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


def _construct_date(loader: _StrictLoader, node: yaml.ScalarNode) -> Any:
    """A date or time as YAML reads it, or an error naming the line (`2027-02-30` is no day)."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        raise yaml.constructor.ConstructorError(
            None, None, f"not a real date: {node.value}", node.start_mark
        ) from None


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_date)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


#: the largest YAML file read: manifests, packs, layouts and profiles are a few kilobytes
MAX_YAML_BYTES = 2 * 2**20


def load_yaml(path: Path) -> Any:
    """Parse a YAML file strictly; a syntax error names the file and line. A file larger than
    MAX_YAML_BYTES or nested deeper than the parser can follow is refused, not a crash."""
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            raise error("error.yaml.too_large", name=path.name, limit=str(MAX_YAML_BYTES // 2**20))
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error("error.file.not_found", name=path.name) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error("error.file.cannot_read", name=path.name, detail=str(exc)) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except RecursionError:
        raise error("error.yaml.too_deep", name=path.name) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = str(getattr(exc, "problem", None) or exc)
        if mark:
            line = str(mark.line + 1)
            raise error(
                "error.yaml.invalid_at", name=path.name, line=line, problem=problem
            ) from None
        raise error("error.yaml.invalid", name=path.name, problem=problem) from None
