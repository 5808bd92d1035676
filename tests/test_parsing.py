"""Amounts, dates and vocabularies as Belgian and French spreadsheets write them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finance.domain.parsing import (
    EXPENSE_HEADER_ALIASES,
    amount_has_too_many_decimals,
    detect_decimal_mark,
    map_headers,
    normalize_header,
    parse_amount,
    parse_date,
    parse_payee_type,
    parse_rate,
    parse_status,
    parse_yes_no,
)


def amounts(values: list[str], mark: str) -> list[Decimal | None]:
    return pl.DataFrame({"v": values}).select(parse_amount(pl.col("v"), mark)).to_series().to_list()


@pytest.mark.parametrize(
    "text",
    [
        "1 234,56",
        "1.234,56",
        "1234,56",
        "1'234.56",
        "1’234.56",
        "1,234.56",
        "1234.56",
        "1\u00a0234,56",
        "1\u202f234,56",
        "1 234,56 €",
        "€1,234.56",
        "EUR 1.234,56",
        "1234,56 EUR",
        "+1234,56",
    ],
)
def test_every_listed_amount_form(text: str) -> None:
    mark = detect_decimal_mark(pl.Series([text]))
    assert amounts([text], mark) == [Decimal("1234.56")]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("-1 234,56", "-1234.56"),
        ("(1 234,56)", "-1234.56"),
        ("1234,56-", "-1234.56"),
        ("0,5", "0.50"),
        ("12", "12.00"),
        ("USD 12,50", "12.50"),
    ],
)
def test_signs_and_short_forms(text: str, expected: str) -> None:
    assert amounts([text], ",") == [Decimal(expected)]


def test_ambiguous_thousands_follow_the_column() -> None:
    assert amounts(["1.234"], ",") == [Decimal("1234.00")]
    assert amounts(["1.234"], ".") == [None]  # 1.234 has three decimals: not money, not rounded


def test_a_value_in_the_other_format_is_refused_not_misread() -> None:
    assert amounts(["1234.56", "1.234,56"], ",") == [None, Decimal("1234.56")]
    assert amounts(["1.234,56", "1,234.56"], ".") == [None, Decimal("1234.56")]


@pytest.mark.parametrize("text", ["douze", "12,345", "1234.567", "1,2,3", "--5", "", "€"])
def test_not_amounts_are_null(text: str) -> None:
    assert amounts([text], ",") == [None]


def test_too_many_decimals_is_told_apart() -> None:
    frame = pl.DataFrame({"v": ["12,345", "douze", "12,34"]})
    flags = frame.select(amount_has_too_many_decimals(pl.col("v"), ",")).to_series().to_list()
    assert flags == [True, False, False]


def test_decimal_mark_of_a_column() -> None:
    assert detect_decimal_mark(pl.Series(["1.234,56", "12,00", "3"])) == ","
    assert detect_decimal_mark(pl.Series(["1,234.56", "12.00", "3"])) == "."


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2025-03-31", date(2025, 3, 31)),
        ("31/03/2025", date(2025, 3, 31)),
        ("31.03.2025", date(2025, 3, 31)),
        ("31-03-2025", date(2025, 3, 31)),
        ("1/3/2025", date(2025, 3, 1)),
        ("2025-03-31 00:00:00", date(2025, 3, 31)),
        ("31/02/2025", None),
        ("03/31/2025", None),
        ("mars 2025", None),
    ],
)
def test_dates(text: str, expected: date | None) -> None:
    assert pl.DataFrame({"d": [text]}).select(parse_date(pl.col("d"))).item() == expected


def test_vocabularies_in_three_languages() -> None:
    frame = pl.DataFrame({"v": ["Oui", "non", "JA", "nee", "true", "0", "peut-être"]})
    assert frame.select(parse_yes_no(pl.col("v"))).to_series().to_list() == [
        True,
        False,
        True,
        False,
        True,
        False,
        None,
    ]
    status = pl.DataFrame({"v": ["réel", "Engagé", "werkelijk", "vastgelegd", "actual", "x"]})
    assert status.select(parse_status(pl.col("v"))).to_series().to_list() == [
        "actual",
        "committed",
        "actual",
        "committed",
        "actual",
        None,
    ]
    payee = pl.DataFrame({"v": ["Société", "personne", "bedrijf", "persoon", "?"]})
    assert payee.select(parse_payee_type(pl.col("v"))).to_series().to_list() == [
        "company",
        "person",
        "company",
        "person",
        None,
    ]


def test_rates_keep_eight_decimals() -> None:
    frame = pl.DataFrame({"r": ["1,17", "0.92345678", "1.123456789", "-1"]})
    assert frame.select(parse_rate(pl.col("r"))).to_series().to_list() == [
        Decimal("1.17"),
        Decimal("0.92345678"),
        None,
        None,
    ]


def test_headers_in_french_and_dutch() -> None:
    assert normalize_header("N° TVA") == normalize_header("n° tva") == "no tva"
    columns = [
        "Date facture",
        "Leverancier",
        "PAYS",
        "Code postal",
        "Post",
        "Bedrag excl. BTW",
        "Onbekend",
    ]
    mapping, problems = map_headers(
        columns,
        EXPENSE_HEADER_ALIASES,
        ["date", "supplier", "country", "budget_code", "amount"],
        "f.csv",
    )
    assert problems == []
    assert mapping == {
        "Date facture": "date",
        "Leverancier": "supplier",
        "PAYS": "country",
        "Code postal": "postcode",
        "Post": "budget_code",
        "Bedrag excl. BTW": "amount",
    }


def test_missing_and_duplicated_headers_are_problems() -> None:
    _, problems = map_headers(
        ["Montant", "Bedrag", "Fournisseur"], EXPENSE_HEADER_ALIASES, ["date", "amount"], "f.csv"
    )
    reasons = " | ".join(p.reason for p in problems)
    assert "both mean 'amount'" in reasons and "required column 'date' is missing" in reasons


MONEY = st.decimals(
    min_value=Decimal("-9999999999.99"),
    max_value=Decimal("9999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
SEPARATORS = [" ", "\u00a0", "\u202f", ".", "'"]


def belgian(value: Decimal, thousands: str, mark: str, currency: str) -> str:
    sign = "-" if value < 0 else ""
    units, cents = f"{abs(value):.2f}".split(".")
    groups = f"{int(units):,}".replace(",", thousands)
    return f"{currency}{sign}{groups}{mark}{cents}"


@settings(max_examples=300, deadline=None)
@given(
    MONEY,
    st.sampled_from(SEPARATORS),
    st.sampled_from([",", "."]),
    st.sampled_from(["", "€ ", "EUR "]),
)
def test_any_amount_in_any_supported_style_parses_exactly(
    value: Decimal, thousands: str, mark: str, currency: str
) -> None:
    if thousands == mark:
        thousands = " "
    text = belgian(value, thousands, mark, currency)
    assert amounts([text], mark) == [value]


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(["/", ".", "-", "iso"]),
)
def test_any_date_in_any_supported_form_parses(day: date, sep: str) -> None:
    text = day.isoformat() if sep == "iso" else day.strftime(f"%d{sep}%m{sep}%Y")
    assert pl.DataFrame({"d": [text]}).select(parse_date(pl.col("d"))).item() == day


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.decimals(
                min_value=Decimal("-9999999999999.99"),
                max_value=Decimal("9999999999999.99"),
                places=2,
                allow_nan=False,
                allow_infinity=False,
            ).map(lambda d: d + 0),  # no negative zero: the ledger has none
        ),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(["fr", "nl", "en"]),
)
def test_money_columns_are_formatted_at_once_exactly_as_one_by_one(
    values: list[Decimal | None], lang: str
) -> None:
    """The dashboards' tables format a whole column of amounts in one expression: the text is
    the one fmt_money writes for each amount (Belgian grouping and decimal marks), null kept."""
    from finance.domain.fmt import fmt_money, money_text

    column = pl.Series("v", values, dtype=pl.Decimal(18, 2))
    at_once = column.to_frame().select(money_text(pl.col("v"), lang)).to_series().to_list()
    assert at_once == [None if v is None else fmt_money(v, lang) for v in values]
