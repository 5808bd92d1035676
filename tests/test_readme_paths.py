"""Every repository path the README and the benchmark's README name exists (modules move)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("README.md", "tests/bench/README.md")
#: A path into the repository: one of the top-level folders, then names, dots, globs, placeholders.
PATH = re.compile(r"(?<![\w./-])((?:finance|rules|dashboards|data|tests)/[\w.*<>/-]*)")


def named_paths(text: str) -> set[str]:
    """The repository paths in `text`; `NNN` and `<name>` placeholders become globs."""
    found = {m.group(1).rstrip(".,:;") for m in PATH.finditer(text)}
    return {re.sub(r"<[^>]*>|NNN", "*", p) for p in found}


@pytest.mark.parametrize("doc", DOCS)
def test_every_path_named_in_the_docs_exists(doc: str) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8")
    paths = named_paths(text)
    assert paths, "the pattern found no path at all"
    missing = sorted(p for p in paths if not any(ROOT.glob(p.rstrip("/") or ".")))
    # Written by the benchmark and the browser tests, not tracked.
    written = ("tests/bench/results/", "tests/artifacts")
    missing = [p for p in missing if not p.startswith(written)]
    assert not missing, f"{doc} names paths that do not exist: {missing}"
