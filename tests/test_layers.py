"""The package graph goes one way: no cycles, no upward imports, no hidden imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from finance.devtools.layers import Graph, main

ROOT = Path(__file__).resolve().parent.parent


def test_the_project_graph_has_no_cycle_no_upward_and_no_hidden_import() -> None:
    assert Graph.read(ROOT).problems() == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for package in ("finance", "finance/domain", "finance/cli", "rules"):
        (tmp_path / package).mkdir(parents=True, exist_ok=True)
        (tmp_path / package / "__init__.py").touch()
    return tmp_path


def test_an_upward_import_is_named_with_its_layers_and_line(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "finance/domain/money.py": "import os\nfrom finance.cli.main import run\n",
            "finance/cli/main.py": "def run() -> None: ...\n",
        },
    )
    assert Graph.read(root).problems() == [
        "upward import: finance.domain.money (domain) imports finance.cli.main (cli) "
        "at finance/domain/money.py:2"
    ]


def test_a_cycle_inside_a_layer_is_found_through_a_hidden_import(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "rules/engine.py": "from rules.measures import m\n",
            "rules/measures.py": "def m() -> None:\n    from rules.engine import x\n",
        },
    )
    assert Graph.read(root).problems() == [
        "cycle: rules.engine <-> rules.measures",
        "import hidden in a function: rules.engine at rules/measures.py:2",
    ]


def test_a_deferred_library_needs_its_reason(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "finance/cli/serve.py": (
                "def a() -> None:\n    import streamlit\n\n"
                "def b() -> None:\n    # heavy: only when serving\n    import plotly\n"
            )
        },
    )
    assert Graph.read(root).problems() == [
        "deferred import without a reason (a comment): import streamlit at finance/cli/serve.py:2"
    ]


def test_type_checking_imports_do_not_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tree(
        tmp_path,
        {
            "finance/domain/a.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from finance.cli import b\n"
            )
        },
    )
    assert main([str(root)]) == 0
    assert "0 problems" in capsys.readouterr().out


def test_a_deferred_project_import_with_its_reason_is_allowed_only_downward(
    tmp_path: Path,
) -> None:
    root = _tree(
        tmp_path,
        {
            "finance/cli/export.py": (
                "def a() -> None:\n    # deferred: the writers are slow to import\n"
                "    from finance.domain.money import ZERO\n"
            ),
            "finance/domain/money.py": (
                "def b() -> None:\n    # deferred: looks like a reason, still upward\n"
                "    from finance.cli.export import a\n"
            ),
        },
    )
    assert Graph.read(root).problems() == [
        "cycle: finance.cli.export <-> finance.domain.money",
        "upward import: finance.domain.money (domain) imports finance.cli.export (cli) "
        "at finance/domain/money.py:3",
    ]


def test_the_rules_receive_a_connection_and_never_open_one() -> None:
    graph = Graph.read(ROOT)
    opened = [
        f"{module}: {node.names[0].name}"
        for module, path in graph.modules.items()
        if module.split(".")[0] == "rules"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom)
        and node.module == "finance.store.db"
        and any(a.name in {"connect", "default_db_path"} for a in node.names)
    ]
    assert opened == []
