"""Load and validate a production manifest, listing every problem by field path.

YAML is read strictly (finance/domain/yamlfile.py): duplicate keys are errors and numbers stay
exact. A financing line's scheme is one of the rule packs' schemes, or `other`
(finance/domain/packs.py).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from finance.domain import i18n
from finance.domain.errors import Problem
from finance.domain.financing_plan import plan_problems
from finance.domain.layout import known_layouts
from finance.domain.models import Manifest
from finance.domain.shooting import read_schedule
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
    data, schedule_bytes = _with_schedule(data, path)
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
    return manifest, hashlib.sha256(path.read_bytes() + schedule_bytes).hexdigest()


def _with_schedule(data: dict[str, Any], path: Path) -> tuple[dict[str, Any], bytes]:
    """The manifest's data with the days of its CSV shooting schedule (`shooting_schedule`,
    a path relative to the manifest's folder) as `shooting_days`, and the schedule's bytes (they
    enter the manifest's hash: a changed schedule is a changed manifest). Refused, every row
    named, when the schedule has problems or the manifest also lists the days."""
    name = data.get("shooting_schedule")
    if not isinstance(name, str) or not name.strip():
        return data, b""
    if data.get("shooting_days") is not None:
        problem = Problem(
            "give shooting_days or shooting_schedule, not both", path.name, column="shooting_days"
        )
        raise i18n.error("error.manifest.invalid", [problem], name=path.name, count="1")
    file = path.parent / name
    if not file.is_file():
        problem = Problem("no such file", path.name, column="shooting_schedule", value=name)
        raise i18n.error("error.manifest.invalid", [problem], name=path.name, count="1")
    days, problems = read_schedule(file)
    if problems:
        raise i18n.error(
            "error.manifest.invalid", problems, name=file.name, count=str(len(problems))
        )
    return {**data, "shooting_days": days}, file.read_bytes()
