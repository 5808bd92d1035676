"""Chapter layouts of the devis (data/layouts/*.yaml): data, not code, so a Belgian or in-house
layout loads as easily as the CNC one."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from finance import DATA_DIR
from finance.domain import i18n
from finance.domain.yamlfile import load_yaml


class Chapter(BaseModel):
    """A chapter: code, labels (fr/nl/en), default category, phase weights of the plan."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    label: dict[str, str]
    category: str
    phase_weights: dict[str, Decimal] = Field(default_factory=dict)
    below_subtotal: bool = False


class Layout(BaseModel):
    """A devis layout."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title: dict[str, str]
    chapters: list[Chapter]

    def chapter(self, code: str) -> Chapter | None:
        return next((c for c in self.chapters if c.code == code), None)


def known_layouts() -> list[str]:
    """The layouts shipped in data/layouts, by id."""
    return sorted(p.stem for p in (DATA_DIR / "layouts").glob("*.yaml"))


@cache
def load_layout(layout_id: str = "cnc") -> Layout:
    """The layout named in the manifest (`layout:`, default `cnc`)."""
    path = DATA_DIR / "layouts" / f"{layout_id}.yaml"
    if not path.exists():
        known = known_layouts()
        raise i18n.error("error.layout.unknown", layout=repr(layout_id), known=", ".join(known))
    return Layout.model_validate(load_yaml(path))
