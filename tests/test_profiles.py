"""Column-mapping profiles: a shipped template is detected from its headers; a user's own
profile is taken with --profile; the rows go through the canonical checks."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from finance import DATA_DIR
from finance.domain.errors import UserError
from finance.importers.profile import detect, extract_with, load_profile, shipped
from tests.conftest import check_golden

GOLDEN = Path(__file__).parent / "golden"
EXPORT = (
    "Boekdatum;Factuurdatum;Relatie;BTW-nummer;Landcode;Postcode;Kostenplaats;Bedrag excl. btw;BTW;"
    "Factuurnummer;Omschrijving;Betaaldatum\n"
    "05.04.2026;03.04.2026;Studio Gent NV;BE0403170701;BE;9000;2.01;1.500,00;315,00;SG-1;Studio;30.04.2026\n"
    "06.04.2026;04.04.2026;Loca Brussel;;BE;1000;7.01;-250,00;-52,50;LB-9;Creditnota;\n"
)


@pytest.mark.parametrize("profile", shipped(), ids=lambda p: p.id)
def test_every_shipped_profile_matches_its_golden_file(
    profile: object, tmp_path: Path, update_golden: bool
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(EXPORT, encoding="cp1252")
    assert detect(path) == profile
    rows = extract_with(profile, path, "EUR").rows  # type: ignore[arg-type]
    text = (
        rows.select(pl.exclude("^raw_.*$", "_sha256"))
        .with_columns(pl.all().cast(pl.String))
        .write_csv()
    )
    check_golden(GOLDEN / f"profile_{profile.id}.expected.csv", text, update_golden)  # type: ignore[attr-defined]


def test_a_profile_naming_a_missing_column_says_which(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Relatie;Bedrag\nX;1\n", encoding="utf-8")
    profile = load_profile(DATA_DIR / "profiles" / "purchase_journal_nl.yaml")
    with pytest.raises(UserError, match="missing columns: Factuurdatum"):
        extract_with(profile, path, "EUR")


def test_a_profile_with_a_non_canonical_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\ntitle: X\ncolumns: {date: D, colour: C}\n", encoding="utf-8")
    with pytest.raises(UserError, match="colour"):
        load_profile(path)
