"""Shared fixtures: a fresh database, and the demo production loaded once per session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings

from finance import DATA_DIR

DEMO_AT = date(2026, 11, 22)
#: the dashboard's fixture for every test (tests/dashboard.py)
pytest_plugins = ["tests.dashboard", "tests.browser"]

# `make test-fast` runs the property tests with fewer examples (--hypothesis-profile=fast);
# `make test` keeps hypothesis's default, and the counts a test sets itself.
settings.register_profile("fast", max_examples=10)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Path of a database file that does not exist yet."""
    return tmp_path / "test.duckdb"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bundled demo loaded into a database (read-only use: copy it to modify)."""
    from finance.demo.load import load_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    load_demo(path, DATA_DIR / "demo")
    yield path


@pytest.fixture
def cli_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command's messages in English (CINELEDGER_LANG), for tests that read them; the
    default is French (tests/test_cli_languages.py)."""
    monkeypatch.setenv("CINELEDGER_LANG", "en")


@pytest.fixture
def manifest_file(tmp_path: Path) -> Path:
    """A small valid manifest."""
    path = tmp_path / "manifest.yaml"
    path.write_text(
        """id: petit-film
title: Petit Film
kind: feature
currency: EUR
schedule: {prep_start: 2026-03-02, shoot_start: 2026-06-01, shoot_end: 2026-07-24, post_end: 2027-03-26}
financing:
  - {scheme: be_tax_shelter, amount: "100000", fiscal_value: "280000", signed_on: 2026-02-16}
  - {scheme: wallimage, amount: "100000", committed_spend: "300000", signed_on: 2026-02-02}
""",
        encoding="utf-8",
    )
    return path


#: the columns an e-invoice's extracted row is compared on (Peppol UBL and CII alike)
EINVOICE_COLUMNS = (
    "_file",
    "date",
    "supplier",
    "country",
    "postcode",
    "budget_code",
    "amount",
    "currency",
    "vat_amount",
    "supplier_vat",
    "invoice_ref",
    "description",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden files from the current output instead of comparing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def check_golden(path: Path, text: str, update: bool) -> None:
    """Compare output with its golden file (or rewrite it with --update-golden)."""
    if update or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not update:
            pytest.fail(
                f"golden file {path.name} was missing and has been written: review and commit it"
            )
    assert text == path.read_text(encoding="utf-8"), (
        f"output differs from {path.name} (--update-golden to accept)"
    )
