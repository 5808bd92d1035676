"""Formatting for people: Belgian/French number and date formats, JSON-safe money.

Machine output (JSON) uses `money_str` (two decimals, point, no grouping). Human output uses the
locale: `fr_BE` writes `1 234 567,89` (babel groups with a narrow no-break space), `nl_BE`
`1.234.567,89`, `en` `1,234,567.89`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
from babel.dates import format_date
from babel.numbers import (
    format_currency,
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    get_minus_sign_symbol,
)

from finance.domain.money import money_str, to_money

LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "en": "en_IE"}


def locale_of(lang: str) -> str:
    """Babel locale for a UI language code (fr, nl, en); Belgian formats by default."""
    return LOCALES.get(lang, lang)


def fmt_money(value: Decimal | None, lang: str = "fr", currency: str | None = None) -> str:
    """`1 234,56` (or `1 234,56 €` with a currency) in the language's Belgian format."""
    if value is None:
        return "–"
    loc = locale_of(lang)
    amount = to_money(value)
    if currency:
        return str(format_currency(amount, currency, locale=loc))
    return str(format_decimal(amount, format="#,##0.00", locale=loc))


def money_text(column: pl.Expr, lang: str = "fr") -> pl.Expr:
    """`fmt_money` over a whole column of money (a DECIMAL with at most two decimals), as one
    polars expression: the same text, nulls kept null. Tables of thousands of amounts are
    formatted at once instead of one babel call per cell."""
    loc = locale_of(lang)
    group, point = get_group_symbol(loc), get_decimal_symbol(loc)
    text = column.cast(pl.Decimal(38, 2)).cast(pl.String)  # `-1234567.50`: exact, two decimals
    digits = text.str.strip_prefix("-")
    whole, cents = digits.str.extract(r"^(\d+)", 1), digits.str.extract(r"\.(\d{2})$", 1)
    # groups of three from the right: reversed, a separator after every three digits
    grouped = (
        whole.str.reverse().str.replace_all(r"(\d{3})", "${1}" + group).str.reverse()
    ).str.strip_prefix(group)
    sign = pl.when(text.str.starts_with("-")).then(pl.lit(get_minus_sign_symbol(loc)))
    return pl.concat_str(sign.otherwise(pl.lit("")), grouped, pl.lit(point), cents)


def fmt_count(n: int, lang: str = "fr") -> str:
    """A count in the language's format (2 991 in French, 2.991 in Dutch)."""
    return str(format_decimal(n, locale=locale_of(lang)))


def fmt_pct(value: Decimal | None, lang: str = "fr") -> str:
    """`42,5 %` in French, `42.5%` in English."""
    if value is None:
        return "–"
    return str(format_decimal(value, format="#,##0.0", locale=locale_of(lang))) + (
        "%" if lang == "en" else " %"
    )


def fmt_date(value: date | None, lang: str = "fr") -> str:
    """`31/03/2025` in Belgian French and Dutch formats, ISO-like in English."""
    if value is None:
        return "–"
    pattern = "yyyy-MM-dd" if lang == "en" else "dd/MM/yyyy"
    return str(format_date(value, format=pattern, locale=locale_of(lang)))


def jsonable(value: Any) -> Any:
    """Decimal -> two-decimal string, date -> ISO; recursively through dicts and lists."""
    if isinstance(value, Decimal):
        return money_str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def aligned(rows: Sequence[Sequence[str]], left: Collection[int] = (0, 1)) -> list[str]:
    """Rows of cells as text lines: the columns in `left` left-aligned (codes, labels), the
    others right-aligned (figures), two spaces apart; a rule under the header row."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            c.ljust(w) if i in left else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    return lines


#: characters that would start a new line or move the cursor in a table or a terminal
CONTROL = r"[\x00-\x1f\x7f\x85\u2028\u2029]"


def printable(text: str | None) -> str:
    """Text as one visible line: a newline or another control character shown as its escape
    (`\\n`), so that a reason or a name typed with a newline cannot forge a line of the audit
    trail."""
    if text is None:
        return ""
    return re.sub(CONTROL, lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def printable_column(column: pl.Expr) -> pl.Expr:
    """`printable` over a whole text column (the common control characters; set-wise)."""
    out = column
    for char, shown in (("\r", "\\r"), ("\n", "\\n"), ("\t", "\\t")):
        out = out.str.replace_all(char, shown, literal=True)
    return out.str.replace_all(CONTROL, "?")
