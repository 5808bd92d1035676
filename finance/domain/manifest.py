"""Load and validate a production manifest, listing every problem by field path.

YAML is read strictly (finance/domain/yamlfile.py): duplicate keys are errors and numbers stay
exact. A financing line's scheme is one of the rule packs' schemes, or `other`
(finance/domain/packs.py).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import ValidationError

from finance.domain import i18n
from finance.domain.errors import Problem
from finance.domain.financing_plan import plan_problems
from finance.domain.layout import known_layouts
from finance.domain.models import Manifest
from finance.domain.yamlfile import load_yaml

__all__ = ["load_manifest", "load_yaml", "validation_problems"]


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
        raise i18n.error("error.manifest.mapping", name=path.name)
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, path.name)
        raise i18n.error(
            "error.manifest.invalid", problems, name=path.name, count=str(len(problems))
        ) from None
    problems = plan_problems(manifest, path.name)
    if manifest.layout not in known_layouts():
        reason = f"no such layout (one of: {', '.join(known_layouts())})"
        problems.append(Problem(reason, path.name, column="layout", value=manifest.layout))
    if problems:
        raise i18n.error(
            "error.manifest.invalid", problems, name=path.name, count=str(len(problems))
        )
    return manifest, hashlib.sha256(path.read_bytes()).hexdigest()
