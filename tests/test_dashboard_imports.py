"""The Imports page (issue 18, point 6): the validation report names the file's own headers and
says what to do in the interface's words (no command-line flag anywhere), the duplicates and the
documents to code are shown before confirming, the confirm button is disabled once the import is
done, and quarantined rows are corrected and retried from the page (AppTest)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from finance.store.db import connect
from tests.dashboard import open_dashboard

FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: the demo's header, its first row (already in the ledger), a row whose "Montant HT" is a word,
#: a Belgian payee without a postcode, and a good new row
STUDIO = FIXTURES / "imports" / "studio-neuf.csv"
#: a command-line flag or command, which the page must never show
CLI = re.compile(r"--[a-z]|cineledger ")
pytestmark = pytest.mark.xdist_group("dashboard")


@pytest.fixture
def imports(demo_dashboard: Path) -> AppTest:
    return open_dashboard("imports")


#: the import batches of devis and expenses (the demo also records its receipts)
BATCHES = "SELECT count(*) FROM import_batches WHERE kind IN ('budget', 'expenses')"


def _db() -> Path:
    return Path(os.environ["CINELEDGER_DB"])


def _upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key="upload").set_value((name, content, "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> list[str]:
    """Every text the page shows (values, labels, helps, placeholders, table cells)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        for child in getattr(node, "children", {}).values():
            walk(child)
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        value = getattr(node, "value", None)
        if value is not None and hasattr(value, "to_string"):
            out.append(value.to_string())

    walk(at.main)
    return out


def _quarantine() -> list[tuple[str, int]]:
    with connect(_db(), read_only=True) as con:
        return [
            (str(f), int(r))
            for f, r in con.execute(
                "SELECT source_file, source_row FROM quarantine ORDER BY source_row"
            ).fetchall()
        ]


def test_the_report_names_the_file_s_headers_in_words(imports: AppTest) -> None:
    at = _upload(imports, "studio-neuf.csv", STUDIO.read_bytes())
    report = at.dataframe[0].value
    assert list(report.columns) == ["Fichier", "Ligne", "Colonne", "Valeur lue", "Raison"]
    assert set(report["Colonne"]) == {"Montant HT", "Code postal"}, "the file's own headers"
    assert "amount" not in set(report["Colonne"]) and "postcode" not in set(report["Colonne"])
    (amount,) = report[report["Colonne"] == "Montant HT"].itertuples(index=False)
    assert (amount[1], amount[3]) == (3, "douze")
    assert amount[4].startswith("pas un montant")
    at.sidebar.radio[0].set_value("en").run()
    report = at.dataframe[0].value
    assert set(report["Column"]) == {"Montant HT", "Code postal"}
    assert any(r.startswith("not an amount") for r in report["Reason"])


def test_duplicates_and_documents_to_code_are_shown_before_confirming(imports: AppTest) -> None:
    at = _upload(imports, "studio-neuf.csv", STUDIO.read_bytes())
    assert at.markdown[0].value.startswith(
        "**4 lignes lues** : 2 valides, 2 invalides, 1 déjà dans le registre, 0 en attente"
    )
    assert "Déjà dans le registre (rien ne sera ajouté pour ces lignes)" in [
        c.value for c in at.caption
    ]
    (dup,) = [d.value for d in at.dataframe if "Fournisseur" in d.value.columns]
    assert list(dup["Fournisseur"]) == ["Claire Vasseur"] and list(dup["Ligne"]) == [2]
    with connect(_db(), read_only=True) as con:
        assert con.execute(BATCHES).fetchall()[0][0] == 2  # the demo's devis and expenses
    invoice = (FIXTURES / "peppol" / "base-example.xml").read_bytes()
    at.file_uploader(key="upload").set_value(("base-example.xml", invoice, "text/xml"))
    at.run()
    assert at.markdown[0].value.endswith("1 en attente d'un poste (à coder).")
    (waiting,) = [d.value for d in at.dataframe if "Raison" in d.value.columns]
    assert len(waiting) == 1 and waiting["Fichier"][0] == "base-example.xml"


def test_the_confirm_button_is_disabled_once_the_import_is_done(imports: AppTest) -> None:
    at = _upload(imports, "studio-neuf.csv", STUDIO.read_bytes())
    assert not at.button(key="confirm").disabled
    at.checkbox(key="skip_invalid").check().run()
    at.button(key="confirm").click().run()
    assert at.success[0].value.startswith("studio-neuf.csv : 4 lus, 1 importés, 1 déjà présents")
    assert at.button(key="confirm").disabled
    at.run()  # a later rerun keeps it so: one upload, one import
    assert at.button(key="confirm").disabled
    with connect(_db(), read_only=True) as con:
        assert con.execute(BATCHES).fetchall()[0][0] == 3


def test_no_command_line_flag_on_the_imports_page(imports: AppTest) -> None:
    at = _upload(imports, "studio-neuf.csv", STUDIO.read_bytes())
    at.button(key="confirm").click().run()  # invalid rows, the box not ticked: refused
    (error,) = at.error
    assert error.value.startswith("Rien n'a été importé : 2 ligne(s) invalide(s)")
    assert "Importer les lignes valides" in error.value
    texts = _texts(at)
    at.checkbox(key="skip_invalid").check().run()
    at.button(key="confirm").click().run()
    texts += _texts(at)
    for code in ("nl", "en"):
        at.sidebar.radio[0].set_value(code).run()
        texts += _texts(at)
    flagged = [s for s in texts if CLI.search(s)]
    assert not flagged, flagged[:3]


def test_the_sign_warning_says_what_to_do_in_the_interface(imports: AppTest) -> None:
    from dashboards.ui.imports import interface_words
    from finance.domain.errors import UserError

    said = interface_words(
        UserError("nothing imported: x.csv: profile kbc gives 3 credits ... (--accept-credits)")
    )
    assert not CLI.search(said) and said.startswith("Rien n'a été importé : plus de crédits")
    said = interface_words(UserError("film: no devis loaded yet; run `cineledger import budget`"))
    assert not CLI.search(said) and "« un devis »" in said


def test_quarantined_rows_are_corrected_and_retried(imports: AppTest) -> None:
    at = _upload(imports, "studio-neuf.csv", STUDIO.read_bytes())
    at.checkbox(key="skip_invalid").check().run()
    at.button(key="confirm").click().run()
    assert _quarantine() == [("studio-neuf.csv", 3), ("studio-neuf.csv", 4)]
    editor = "fix_rows|studio-neuf.csv"
    (table,) = [d.value for d in at.dataframe if "Montant HT" in d.value.columns]
    assert list(table["Montant HT"]) == ["douze", "100,00"]
    assert table["Raison"][0] == "Montant HT : pas un montant (au plus 2 décimales, ex. 1 250,50)"
    assert set(table["Raison"][1].split(" ; ")) == {
        "Code postal : obligatoire pour un bénéficiaire belge ou français",
        "Code postal : un code postal belge a 4 chiffres",
    }
    at.sidebar.radio[0].set_value("en").run()  # the file's own headers, whatever the language
    (table,) = [d.value for d in at.dataframe if "Montant HT" in d.value.columns]
    assert {"Code postal", "Fournisseur", "Row", "Reason"} <= set(table.columns)
    assert table["Reason"][0] == "Montant HT: not an amount (at most 2 decimals, e.g. 1,250.50)"
    at.sidebar.radio[0].set_value("fr").run()
    at.text_input(key="fix_reason").set_value("montant et code postal corrigés")
    # only the amount corrected: row 4 still has no postcode, nothing is written
    at.session_state[editor] = {
        "edited_rows": {0: {"Montant HT": "12,00"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="fix_retry").click().run()
    assert at.error[0].value.startswith("Rien n'a été importé : 1 ligne(s) invalide(s)")
    rejected = [d.value for d in at.dataframe if "Valeur lue" in d.value.columns][-1]
    assert set(rejected["Colonne"]) == {"Code postal"} and set(rejected["Ligne"]) == {4}
    assert _quarantine() == [("studio-neuf.csv", 3), ("studio-neuf.csv", 4)]
    at.session_state[editor] = {
        "edited_rows": {0: {"Montant HT": "12,00"}, 1: {"Code postal": "1000"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="fix_retry").click().run()
    assert not at.error, [e.value for e in at.error]
    assert "2 ligne(s) réessayée(s) : 2 importée(s), 0 déjà présente(s)." in [
        s.value for s in at.success
    ]
    assert _quarantine() == []
    with connect(_db(), read_only=True) as con:
        got = con.execute(
            "SELECT invoice_ref, amount::VARCHAR, postcode FROM expenses "
            "WHERE invoice_ref LIKE 'NEUF-%' ORDER BY 1"
        ).fetchall()
        (why,) = con.execute(
            "SELECT reason FROM audit_log WHERE action = 'import.retry'"
        ).fetchall()[0]
    assert got == [
        ("NEUF-1", "12.00", "1000"),
        ("NEUF-2", "100.00", "1000"),
        ("NEUF-3", "50.00", "1000"),
    ]
    assert why == "montant et code postal corrigés"


def test_the_quarantine_and_the_documents_to_code_read_in_words(demo_dashboard: Path) -> None:
    from finance.importers.ingest import import_expenses

    invoice = FIXTURES / "peppol" / "base-example.xml"
    assert import_expenses(demo_dashboard, "dernier-tram", [invoice]).to_code == 1
    at = open_dashboard("imports")
    (table,) = [d.value for d in at.dataframe if "Raison" in d.value.columns]
    assert list(table["Type"]) == ["à coder"]
    assert table["Raison"][0].startswith("Poste : à coder : aucun poste du devis"), table
    (document,) = at.selectbox[0].options
    assert "à coder : aucun poste du devis" in document and "to code" not in document


def test_a_devis_is_confirmed_once(imports: AppTest) -> None:
    (choice,) = [r for r in imports.radio if r.label == "Ce fichier est"]
    choice.set_value("un devis").run()
    devis = (Path(__file__).resolve().parent.parent / "data" / "demo" / "devis.csv").read_bytes()
    changed = devis + b"12.03,Frais bancaires,1000.00,Frais financiers,financial,,BE-BRU\n"
    at = _upload(imports, "devis-v2.csv", changed)
    assert not at.button(key="confirm_other").disabled
    at.button(key="confirm_other").click().run()
    assert at.success[0].value.startswith("devis v2 importé :")
    assert at.button(key="confirm_other").disabled


def test_an_upload_leaves_no_copy_behind(imports: AppTest) -> None:
    """Issue 21, point 17: every rerun with an upload present wrote another copy to a new
    folder, never cleaned. One private folder per upload, removed once its import is done or
    another upload replaces it."""
    at = _upload(imports, "studio-neuf.csv", STUDIO.read_bytes())
    (first,) = [p for p in at.session_state["imports_saved"].values() if p]
    assert first.exists()
    at.run()
    at.run()
    assert [p for p in at.session_state["imports_saved"].values() if p] == [first]
    at = _upload(at, "studio-bis.csv", STUDIO.read_bytes())
    assert not first.parent.exists()  # replaced by the new upload: removed
    (second,) = [p for p in at.session_state["imports_saved"].values() if p]
    assert second.exists()
    at.checkbox(key="skip_invalid").check().run()
    at.button(key="confirm").click().run()
    assert at.session_state["imports_done"]  # imported...
    assert not second.parent.exists()  # ...and its copy removed
