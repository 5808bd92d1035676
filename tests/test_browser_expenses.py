"""The Expenses page in Chromium (issue 18, point 4): rows ticked in the table are the rows a
correction applies to (no ids typed), the count of the selection is shown, and the success
message is in the user's language."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from finance.store.db import connect
from tests.browser import (
    ARTIFACTS,
    BROWSER,
    go_to,
    no_errors,
    serve,
    settle,
    watched_page,
)

pytestmark = BROWSER


@pytest.fixture(scope="module")
def expenses_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("expenses") / "demo.duckdb"
    shutil.copy(demo_db, db)
    return db


@pytest.fixture(scope="module")
def served(expenses_db: Path) -> Iterator[str]:
    yield from serve(expenses_db, {})


def _tick(page: Any, row: int) -> None:
    """Tick the row's box in the table's first column (the grid is drawn on a canvas)."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    assert box is not None
    header = row_height = 35
    grid.click(position={"x": 18, "y": header + row_height * row + row_height / 2})
    settle(page)


def test_a_correction_applies_to_the_rows_ticked_in_the_table(
    served: str, browser: object, expenses_db: Path
) -> None:
    page, console = watched_page(browser)
    page.goto(served)
    settle(page)
    go_to(page, "Dépenses")
    _tick(page, 0)
    _tick(page, 1)
    page.get_by_text("2 ligne(s) sélectionnée(s)").wait_for(timeout=30_000)
    said = page.get_by_text("2 ligne(s) sélectionnée(s)").inner_text()
    ids = [int(i) for i in said.split("n°")[1].split(",")]
    page.get_by_label("Nouvelle valeur").fill("BE-BRU")
    page.get_by_label("Motif").fill("succursale bruxelloise du loueur")
    page.get_by_role("button", name="Appliquer").click()
    page.get_by_text("2 dépense(s) corrigée(s) : Territoire = BE-BRU.").wait_for(timeout=30_000)
    no_errors(page, console, "expenses correction")
    page.screenshot(path=str(ARTIFACTS / "expenses-correction.png"), full_page=True)
    with connect(expenses_db, read_only=True) as con:
        got = con.execute(
            "SELECT DISTINCT territory FROM v_expenses WHERE id IN (SELECT unnest(?))", [ids]
        ).fetchall()
    assert got == [("BE-BRU",)]
