"""The Expenses page in words (issue 18, point 4): chapters with their names in numeric order,
territories, schemes and statuses in words, the filtered view exported whole as CSV and XLSX,
corrections of the rows selected in the table, messages in the user's language (AppTest)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import openpyxl
import polars as pl
import pytest
import streamlit.testing.v1.app_test as app_test
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileStorage
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from finance.store.db import connect
from tests.dashboard import open_dashboard

pytestmark = pytest.mark.xdist_group("dashboard")


class _Kept(MediaFileManager):
    """The test's media file manager, remembered so the downloads can be made and read."""

    made: ClassVar[list[MediaFileManager]] = []

    def __init__(self, storage: MediaFileStorage) -> None:
        super().__init__(storage)
        self.storage = storage
        _Kept.made.append(self)


@pytest.fixture
def page(demo_dashboard: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setattr(app_test, "MediaFileManager", _Kept)
    _Kept.made.clear()
    yield open_dashboard("expenses")


def _db() -> Path:
    return Path(os.environ["CINELEDGER_DB"])


def _download(at: AppTest, key: str) -> tuple[bytes, str]:
    """The bytes a download button of the last run gives when clicked (made then, on another
    thread, as Streamlit does)."""
    (button,) = [b for b in at.get("download_button") if b.proto.id.endswith(key)]
    manager = _Kept.made[-1]
    url = manager.execute_deferred(button.proto.deferred_file_id)
    storage = manager.storage
    assert isinstance(storage, MemoryMediaFileStorage)
    return storage.get_file(url.rsplit("/", 1)[-1]).content, button.proto.label


def _filter(at: AppTest, label: str) -> object:
    (found,) = [m for m in at.multiselect if m.label == label]
    return found


def test_chapters_are_named_and_sorted_as_numbers(page: AppTest) -> None:
    options = _filter(page, "Chapitre").options  # type: ignore[attr-defined]
    assert options[:3] == ["1 · Droits artistiques", "2 · Personnel", "3 · Interprétation"]
    codes = [o.split(" · ")[0] for o in options]
    assert codes == sorted(codes, key=int) and codes.index("10") > codes.index("9")
    _filter(page, "Chapitre").set_value(["3 · Interprétation"]).run()  # type: ignore[attr-defined]
    assert set(page.dataframe[0].value["Chapitre"]) == {"3"}


def test_territories_schemes_and_statuses_are_words(page: AppTest) -> None:
    assert "Wallonie" in _filter(page, "Territoire").options  # type: ignore[attr-defined]
    assert "BE-WAL" not in _filter(page, "Territoire").options  # type: ignore[attr-defined]
    assert "France (75)" in _filter(page, "Territoire").options  # type: ignore[attr-defined]
    assert _filter(page, "Statut").options == ["Réel", "Engagé"]  # type: ignore[attr-defined]
    schemes = _filter(page, "Régime").options  # type: ignore[attr-defined]
    assert "Wallimage" in schemes and not any("_" in s for s in schemes), schemes
    _filter(page, "Statut").set_value(["Engagé"]).run()  # type: ignore[attr-defined]
    assert set(page.dataframe[0].value["Statut"]) == {"Engagé"}
    with connect(_db(), read_only=True) as con:
        (n,) = con.execute("SELECT count(*) FROM v_expenses WHERE status = 'committed'").fetchall()[
            0
        ]
    assert page.caption[0].value.startswith(f"{n} lignes")
    page.sidebar.radio[0].set_value("nl").run()
    assert _filter(page, "Status").options == ["Werkelijk", "Vastgelegd"]  # type: ignore[attr-defined]


def test_no_english_placeholder_on_a_french_page(page: AppTest) -> None:
    main = page.main
    for widget in [*main.multiselect, *main.selectbox, *main.text_input]:
        placeholder = widget.proto.placeholder
        assert placeholder and "Choose" not in placeholder and "Select" not in placeholder


def test_the_export_is_every_filtered_row_with_its_exact_sum(page: AppTest) -> None:
    _filter(page, "Territoire").set_value(["Wallonie"]).run()  # type: ignore[attr-defined]
    with connect(_db(), read_only=True) as con:
        n, total = con.execute(
            "SELECT count(*), sum(amount) FROM v_expenses WHERE territory = 'BE-WAL' "
            "AND doc_date <= DATE '2026-11-22'"
        ).fetchall()[0]
    assert True  # the page shows 1,000 rows at most; the export has them all
    csv, label = _download(page, "export_csv")
    assert label == "Exporter la sélection filtrée (CSV)"
    frame = pl.read_csv(io.BytesIO(csv[3:]), schema_overrides={"Montant": pl.Decimal(18, 2)})
    assert frame.height == n and frame["Montant"].sum() == total
    assert set(frame["Territoire"]) == {"BE-WAL"}
    xlsx, _ = _download(page, "export_xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    head = [c.value for c in sheet[1]]
    amounts = [row[head.index("Montant")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(amounts) == n and all(isinstance(a, int | float) for a in amounts)
    assert sum(Decimal(str(a)) for a in amounts) == total


def test_the_export_is_whole_beyond_a_page(page: AppTest) -> None:
    csv, _ = _download(page, "export_csv")
    assert (
        pl.read_csv(io.BytesIO(csv[3:]), infer_schema=False).height
        == 2991
        > len(page.dataframe[0].value)
    )


def test_the_selected_rows_are_corrected(page: AppTest) -> None:
    ids = [int(i) for i in page.dataframe[0].value["N°"][:2]]
    page.session_state["f_table"] = {"selection": {"rows": [0, 1], "columns": [], "cells": []}}
    page.run()
    assert any(c.value.startswith("2 ligne(s) sélectionnée(s)") for c in page.caption)
    (field,) = [s for s in page.selectbox if s.label == "Champ"]
    field.set_value("Territoire")
    page.text_input(key="o_value").set_value("BE-BRU")
    page.text_input(key="o_reason").set_value("succursale bruxelloise du loueur")
    next(b for b in page.button if b.label == "Appliquer").click().run()
    assert page.success[0].value == "2 dépense(s) corrigée(s) : Territoire = BE-BRU."
    with connect(_db(), read_only=True) as con:
        got = con.execute(
            "SELECT territory FROM v_expenses WHERE id IN (SELECT unnest(?))", [ids]
        ).fetchall()
    assert got == [("BE-BRU",), ("BE-BRU",)]


def test_a_correction_without_a_selection_or_with_a_bad_value_says_why(page: AppTest) -> None:
    (apply,) = [b for b in page.button if b.label == "Appliquer"]
    page.text_input(key="o_reason").set_value("une raison valable")
    apply.click().run()
    assert page.error[0].value.startswith("Aucune ligne sélectionnée.")
    page.session_state["f_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    page.text_input(key="o_value").set_value("Mars")
    next(b for b in page.button if b.label == "Appliquer").click().run()
    assert page.error[0].value.startswith("« Mars » n'est pas un territoire")
    page.sidebar.radio[0].set_value("en").run()
    page.session_state["f_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    page.text_input(key="o_value").set_value("BE-BRU")
    page.text_input(key="o_reason").set_value("no")
    next(b for b in page.button if b.label == "Apply").click().run()
    assert page.error[0].value.startswith("Give a reason of a few words")


def test_the_table_says_territories_and_categories_in_words(page: AppTest) -> None:
    """The ledger's codes (FR-75, rights) in the reader's words (France (75), Rechten)."""
    page.sidebar.radio[0].set_value("nl").run()
    table = page.dataframe[0].value
    territories = set(table["Grondgebied"].astype(str))
    categories = set(table["Categorie"].astype(str)) if "Categorie" in table else set()
    assert "Frankrijk (75)" in territories and "FR-75" not in territories
    assert "Rechten" in categories and "rights" not in categories
