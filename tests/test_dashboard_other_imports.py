"""The Imports page takes a devis, a supplier mapping and the ECB's rates too (issue 18, point 6,
in part), like `cineledger import budget|mapping|rates`, saying what it did in words (AppTest)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from finance.store.db import connect
from tests.dashboard import open_dashboard

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.xdist_group("dashboard")


@pytest.fixture
def imports(demo_dashboard: Path) -> AppTest:
    return open_dashboard("imports")


def _send(at: AppTest, kind: str, name: str, content: bytes) -> str:
    (choice,) = [r for r in at.radio if r.label == "Ce fichier est"]
    choice.set_value(
        {"budget": "un devis", "mapping": "une table fournisseurs → postes"}[kind]
    ).run()
    at.file_uploader(key="upload").set_value((name, content, "text/csv"))
    at.run()
    at.button(key="confirm_other").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return str((at.success or at.error)[-1].value)


def test_a_new_devis_is_uploaded_as_a_version(imports: AppTest) -> None:
    devis = (ROOT / "data" / "demo" / "devis.csv").read_bytes()
    said = _send(imports, "budget", "devis-v2.csv", devis)
    assert said.startswith("devis v1 déjà importé, rien de changé"), said
    changed = devis + b"12.03,Frais bancaires,1000.00,Frais financiers,financial,,BE-BRU\n"
    said = _send(imports, "budget", "devis-v2.csv", changed)
    assert said.startswith("devis v2 importé :"), said


def test_a_supplier_mapping_is_uploaded_and_its_strays_named(imports: AppTest) -> None:
    said = _send(
        imports,
        "mapping",
        "map.csv",
        "supplier,budget_code\nLumières du Nord,7.02\nFournisseur Inconnu,7.02\n".encode(),
    )
    assert said.startswith("2 correspondances fournisseur → poste chargées."), said
    assert "ne correspond à : Fournisseur Inconnu." in said
    with connect(Path(os.environ["CINELEDGER_DB"]), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM supplier_mappings").fetchall() == [(2,)]
