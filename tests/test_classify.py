"""Territories from country and postcode (funding-rules.md section 7), and identifier checks."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finance.classify.territory import be_ranges, classify_territory
from finance.domain.identifiers import identifier_columns, validate_identifier


def territory(country: str, postcode: str | None) -> dict[str, str | None]:
    frame = classify_territory(
        pl.DataFrame(
            {"country": [country], "postcode": [postcode]},
            schema={"country": pl.String, "postcode": pl.String},
        )
    )
    return frame.row(0, named=True)


@pytest.mark.parametrize(
    "postcode,expected",
    [
        ("1000", "BE-BRU"),
        ("1299", "BE-BRU"),
        ("1300", "BE-WAL"),
        ("1499", "BE-WAL"),
        ("1500", "BE-VLG"),
        ("1620", "BE-VLG"),
        ("1640", "BE-VLG"),
        ("1780", "BE-VLG"),
        ("1950", "BE-VLG"),
        ("1970", "BE-VLG"),
        ("1999", "BE-VLG"),
        ("2000", "BE-VLG"),
        ("3999", "BE-VLG"),
        ("4000", "BE-WAL"),
        ("4700", "BE-WAL"),
        ("4999", "BE-WAL"),
        ("5000", "BE-WAL"),
        ("5999", "BE-WAL"),
        ("6000", "BE-WAL"),
        ("6599", "BE-WAL"),
        ("6600", "BE-WAL"),
        ("6999", "BE-WAL"),
        ("7000", "BE-WAL"),
        ("7999", "BE-WAL"),
        ("8000", "BE-VLG"),
        ("9999", "BE-VLG"),
        ("B-1050", "BE-BRU"),
        ("BE 4000", "BE-WAL"),
    ],
)
def test_belgian_ranges_and_their_edges(postcode: str, expected: str) -> None:
    assert territory("BE", postcode)["territory"] == expected


@pytest.mark.parametrize(
    "postcode,dept,region",
    [
        ("75011", "75", "Île-de-France"),
        ("93200", "93", "Île-de-France"),
        ("20000", "2A", "Corse"),
        ("20190", "2A", "Corse"),
        ("20200", "2B", "Corse"),
        ("97100", "971", "Guadeloupe"),
        ("97400", "974", "La Réunion"),
        ("48250", "07", "Auvergne-Rhône-Alpes"),
        ("01590", "39", "Bourgogne-Franche-Comté"),
        ("59000", "59", "Hauts-de-France"),
        ("F-75011", "75", "Île-de-France"),
    ],
)
def test_french_departments_and_regions(postcode: str, dept: str, region: str) -> None:
    row = territory("FR", postcode)
    assert (row["territory"], row["fr_department"], row["fr_region"]) == (
        f"FR-{dept}",
        dept,
        region,
    )


@pytest.mark.parametrize(
    "country,expected",
    [
        ("DE", "EEA"),
        ("NO", "EEA"),
        ("IS", "EEA"),
        ("LI", "EEA"),
        ("LU", "EEA"),
        ("CH", "OTHER"),
        ("GB", "OTHER"),
        ("US", "OTHER"),
    ],
)
def test_eea_membership(country: str, expected: str) -> None:
    assert territory(country, "1234")["territory"] == expected


@pytest.mark.parametrize(
    "country,postcode,why",
    [
        ("BE", "123", "not 4 digits"),
        ("BE", None, "not 4 digits"),
        ("FR", "98000", "not a known"),
        ("FR", "7501", "not a known"),
        ("XX", "1", "not an ISO 3166"),
    ],
)
def test_unclassifiable_payees_say_why(country: str, postcode: str | None, why: str) -> None:
    row = territory(country, postcode)
    assert row["territory"] is None and why in str(row["territory_reason"])


def test_every_territory_carries_a_reason() -> None:
    row = territory("BE", "1640")
    assert "facility communes" in str(row["territory_reason"])


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1000, max_value=9999))
def test_any_belgian_postcode_agrees_with_the_range_table(code: int) -> None:
    expected = (
        be_ranges().filter((pl.col("from") <= code) & (pl.col("to") >= code))["territory"].item()
    )
    assert territory("BE", str(code))["territory"] == expected


def test_a_large_frame_is_classified_set_wise() -> None:
    n = 200_000
    frame = pl.DataFrame(
        {
            "country": ["BE", "FR", "DE", "US"] * (n // 4),
            "postcode": ["1050", "75011", "10115", "10001"] * (n // 4),
        }
    )
    counts = classify_territory(frame)["territory"].value_counts().sort("territory")
    assert dict(counts.iter_rows()) == {
        "BE-BRU": n // 4,
        "EEA": n // 4,
        "FR-75": n // 4,
        "OTHER": n // 4,
    }


@pytest.mark.parametrize(
    "value,country,kind,valid",
    [
        ("BE0403170701", "BE", "be_vat", True),
        ("0403.170.701", "BE", "be_vat", True),
        ("BE 0403 170 702", "BE", "be_vat", False),
        ("732829320", "FR", "fr_siren", True),
        ("73282932000074", "FR", "fr_siret", True),
        ("FR44732829320", "FR", "fr_vat", True),
        ("FR45732829320", "FR", "fr_vat", False),
        ("DE136695976", "DE", "eu_vat", True),
    ],
)
def test_identifiers(value: str, country: str, kind: str, valid: bool) -> None:
    check = validate_identifier(value, country)
    assert (check.kind, check.valid) == (kind, valid)


def test_identifier_columns_flag_invalid_numbers_and_leave_absent_ones_alone() -> None:
    frame = identifier_columns(
        pl.DataFrame(
            {"supplier_vat": ["BE0403170701", None, "BE0403170702"], "country": ["BE", "BE", "BE"]}
        )
    )
    assert frame.sort("supplier_vat", nulls_last=True)["supplier_vat_valid"].to_list() == [
        True,
        False,
        None,
    ]
