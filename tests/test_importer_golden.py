"""Golden files: each input file next to the exact rows its importer extracts (beangulp habit).
Run `pytest --update-golden` to accept a deliberate change, then review the diff."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from finance.importers.canonical import extract
from tests.belgian_csv import ROWS, write_csv
from tests.conftest import check_golden

GOLDEN = Path(__file__).parent / "golden"


def extracted_text(path: Path) -> str:
    ex = extract(path, "EUR")
    rows = ex.rows.select(pl.exclude("^raw_.*$", "_sha256")).with_columns(pl.all().cast(pl.String))
    problems = ex.problems.with_columns(pl.all().cast(pl.String))
    return rows.write_csv() + "\n# problems\n" + problems.write_csv()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("golden")
    belgian = write_csv(folder / "belgian_excel.csv", ROWS)
    canonical = folder / "canonical_utf8.csv"
    canonical.write_text(
        "date,supplier,country,postcode,budget_code,amount,currency,fx_rate,status,payee_type,nights\n"
        '2025-03-31,Hôtel du Parc,FR,75011,6.04,"1,234.56",EUR,,actual,company,4\n'
        "2025-04-01,Pixelwerk GmbH,DE,10115,8.05,980.00,EUR,,committed,company,\n"
        "2025-04-02,London Lens,GB,W1F 8DY,7.07,1000.00,GBP,1.1723,actual,company,\n",
        encoding="utf-8-sig",
    )
    dutch = folder / "dutch_tab.tsv"
    dutch.write_text(
        "Datum\tLeverancier\tLand\tPostcode\tPost\tBedrag excl. BTW\tStatus\tType begunstigde\n"
        "31.03.2025\tStudio Gent\tBE\t9000\t02.01\t1.500,00\twerkelijk\tbedrijf\n"
        "01.04.2025\tJan Peeters\tBE\t2000\t2.02\t850\tvastgelegd\tpersoon\n",
        encoding="cp1252",
    )
    return {p.stem: p for p in (belgian, canonical, dutch)}


@pytest.mark.parametrize("name", ["belgian_excel", "canonical_utf8", "dutch_tab"])
def test_canonical_importer_matches_its_golden_file(
    inputs: dict[str, Path], name: str, update_golden: bool
) -> None:
    check_golden(GOLDEN / f"{name}.expected.csv", extracted_text(inputs[name]), update_golden)


def test_every_row_carries_its_provenance(inputs: dict[str, Path]) -> None:
    for path in inputs.values():
        rows = extract(path, "EUR").rows
        assert (
            rows.select(pl.col("_file", "_row", "_sha256", "_format").is_null().any()).row(0)
            == (False,) * 4
        )
        assert rows["_row"].min() == 2
