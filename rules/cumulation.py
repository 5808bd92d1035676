"""Double counting: expenses that count for two schemes of an exclusive pair (the policy.yaml of
the pack activated on overlap, `activation: overlap`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from finance.domain.yamlfile import load_yaml
from rules.eligibility import col
from rules.loader import load_packs

#: the double-counting pack's measure: the expenses counted by two exclusive schemes
OVERLAP_MEASURE = "exclusive_overlap"


def overlap_packs() -> list[str]:
    """The schemes of the packs activated when two schemes with eligibility tests are."""
    return [s for s, p in load_packs().items() if p.activation == "overlap"]


def overlap_measure() -> str | None:
    """The qualified name of the double-counting measure, if a pack declares it."""
    schemes = overlap_packs()
    return f"{schemes[0]}.{OVERLAP_MEASURE}" if schemes else None


def exclusive_pairs() -> tuple[tuple[str, str], ...]:
    """Sorted scheme pairs that may not share an expense (from the packs folder in use)."""
    packs = load_packs()
    policies = [Path(packs[s].folder) / "policy.yaml" for s in overlap_packs()]
    return tuple(sorted({pair for path in policies if path.exists() for pair in _pairs(path)}))


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
