"""Docs are tested: the README's command table matches the CLI, and the CLI documents itself."""

from __future__ import annotations

import re
from pathlib import Path

import click

from finance.cli.main import cli

README = Path(__file__).resolve().parent.parent / "README.md"


def cli_commands() -> set[str]:
    names = set()
    for name, command in cli.commands.items():
        if isinstance(command, click.Group):
            names |= {f"{name} {sub}" for sub in command.commands}
        else:
            names.add(name)
    return names


def test_readme_lists_every_command_and_only_real_ones() -> None:
    text = README.read_text(encoding="utf-8")
    listed = set()
    for match in re.finditer(r"^\| `cineledger ([a-z-]+(?: [a-z-]+)?)", text, re.MULTILINE):
        words = match.group(1).split()
        listed.add(" ".join(words[:2]) if " ".join(words[:2]) in cli_commands() else words[0])
    assert listed == cli_commands()


def test_every_command_and_option_has_help() -> None:
    def walk(group: click.Group) -> list[click.Command]:
        out: list[click.Command] = []
        for command in group.commands.values():
            out += walk(command) if isinstance(command, click.Group) else [command]
        return out

    for command in walk(cli):
        assert command.help, command.name
        for param in command.params:
            if isinstance(param, click.Option) and param.name not in {"db", "lang", "fmt", "at"}:
                assert param.help, f"{command.name} --{param.name}"


def test_no_merge_conflict_is_left_in_the_sources_or_the_docs() -> None:
    """A conflict's markers left by a merge in the README or a source file."""
    root = Path(__file__).resolve().parent.parent
    marker = re.compile(r"^(<{7} |>{7} |={7}$)", re.MULTILINE)
    files = [root / "README.md", root / "Makefile", root / "pyproject.toml"]
    for folder in ("finance", "rules", "dashboards", "data", "tests"):
        files += [
            p for p in (root / folder).rglob("*") if p.suffix in {".py", ".md", ".yaml", ".po"}
        ]
    left = [str(p.relative_to(root)) for p in files if marker.search(p.read_text(encoding="utf-8"))]
    assert not left
