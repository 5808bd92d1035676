"""Double counting: expenses that count for two schemes of an exclusive pair (policy.yaml)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from finance.domain.packs import packs_root
from finance.domain.yamlfile import load_yaml
from rules.eligibility import col


def exclusive_pairs() -> tuple[tuple[str, str], ...]:
    """Sorted scheme pairs that may not share an expense (from the packs folder in use)."""
    return _pairs(packs_root() / "cumulation" / "policy.yaml")


@cache
def _pairs(policy: Path) -> tuple[tuple[str, str], ...]:
    data: Any = load_yaml(policy)
    return tuple(
        sorted(tuple(sorted(p["schemes"])) for p in data["pairs"] if p["policy"] == "exclusive")
    )


def overlap_test(schemes: set[str]) -> str:
    """SQL over the wide eligibility rows (rules/wide.py): the expense counts for both schemes of
    an exclusive pair. A scheme absent from the relation counts nothing."""
    broken = [
        f"({col(a, 'counts')} AND {col(b, 'counts')})"
        for a, b in exclusive_pairs()
        if a in schemes and b in schemes
    ]
    return "(" + " OR ".join(broken) + ")" if broken else "FALSE"
