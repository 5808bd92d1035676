"""Collect the packs' YAML scenario files as pytest tests with readable ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.scenarios import load_scenario_file, mismatches, run_scenario


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and file_path.parent.name == "scenarios":
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self) -> Any:
        data = load_scenario_file(self.path)
        for scenario in data["scenarios"]:
            yield ScenarioItem.from_parent(
                self,
                name=scenario["name"],
                rule=data["rule"],
                base=data.get("base", {}),
                scenario=scenario,
            )


class ScenarioItem(pytest.Item):
    def __init__(
        self, *, rule: str, base: dict[str, Any], scenario: dict[str, Any], **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.rule, self.base, self.scenario = rule, base, scenario

    def runtest(self) -> None:
        tmp = Path(self.config._tmp_path_factory.mktemp("scenario"))  # type: ignore[attr-defined]
        result = run_scenario(self.base, self.scenario, self.rule, tmp)
        problems = mismatches(result, self.scenario["expect"])
        if problems:
            raise ScenarioMismatchError(problems, result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioMismatchError):
            problems, result = excinfo.value.args
            return "\n".join(
                [
                    f"scenario {self.name!r} of {self.rule}:",
                    *problems,
                    f"explanation: {result.get('explanation')}",
                ]
            )
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.rule}: {self.name}"


class ScenarioMismatchError(Exception):
    """A rule result that differs from the scenario's expectation."""
