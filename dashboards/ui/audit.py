"""The audit trail in words (issue 18, point 8): each action code the store writes as a phrase in
the reader's language, its details as readable fields instead of JSON, and the stored UTC times in
the productions' time zone (the browser's zone is not reliably known to Streamlit).

Texts: the catalogue's (`audit.action.<code>`, `audit.key.<key>`, `audit.summary.<code>`).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl
from babel.numbers import format_decimal

from finance.domain import i18n
from finance.domain.fmt import fmt_date, fmt_money, locale_of, printable_column

#: the zone the times are shown in: the productions' zone (Belgian productions)
ZONE = "Europe/Brussels"
#: keys the summary sentence of an action fills (the remaining keys are listed as fields)
SUMMARY_KEYS = {
    "import.expenses": ("read", "imported", "duplicates", "rejected", "waiting"),
    "import.budget": ("lines", "total"),
    "import.mapping": ("mappings", "unmatched"),
    "import.rates": ("rates", "from", "to"),
}
#: keys that repeat another one (the importer's internal copy of the file's hash)
HIDDEN = {"_sha256"}
MONEY_KEYS = {"total", "actual_total", "amount"}
HASH_KEYS = {"file_sha256", "manifest_sha256", "content_sha256"}
LIST_MAX = 10
#: summary fields given another name in the templates (`from` is a Python keyword)
RENAMED = {"from": "start", "to": "end"}
FORMATTED = MONEY_KEYS | {"from", "to"}


def action_text(code: str, lang: str) -> str:
    """The action in words (the code itself for an action this page does not know)."""
    key = f"audit.action.{code}"
    return i18n.text(key, lang) if i18n.has(key) else code


def when_header(lang: str) -> str:
    """The time column's header, naming the zone."""
    return i18n.text("audit.when", lang, zone=ZONE)


def local_times(column: pl.Expr, lang: str = "fr") -> pl.Expr:
    """Stored UTC times (naive) as text in ZONE, over the whole column, each with its zone's
    abbreviation (CET in winter, CEST in summer): `22/11/2026 14:03:05 CET`, the date as
    fmt_date writes it (ISO in English)."""
    day = "%Y-%m-%d" if lang == "en" else "%d/%m/%Y"
    return (
        column.dt.replace_time_zone("UTC")
        .dt.convert_time_zone(ZONE)
        .dt.strftime(f"{day} %H:%M:%S %Z")
    )


def _key(key: str, lang: str) -> str:
    name = f"audit.key.{key}"
    return i18n.text(name, lang) if i18n.has(name) else key


def _date(value: Any, lang: str) -> str:
    try:
        return fmt_date(date.fromisoformat(str(value)[:10]), lang)
    except ValueError:
        return str(value)


def _value(key: str, value: Any, lang: str) -> str:
    """One value in words: yes/no, money, dates, shortened hashes, counts of statuses."""
    if isinstance(value, bool):
        return i18n.text("audit.yes" if value else "audit.no", lang)
    if value is None:
        return "–"
    if key in MONEY_KEYS:
        try:
            return fmt_money(Decimal(str(value)), lang, "EUR")
        except InvalidOperation:
            return str(value)
    if key in HASH_KEYS:
        return f"{str(value)[:12]}…"
    if key in {"as_at", "from", "to"}:
        return _date(value, lang)
    if key == "format":
        return format_words(str(value), lang)
    if key == "integrity" and i18n.has(f"audit.integrity.{value}"):
        return i18n.text(f"audit.integrity.{value}", lang)
    if key == "statuses" and isinstance(value, dict):
        counts = Counter(str(v) for v in value.values())
        return ", ".join(
            f"{n} {_status(s, lang)}" for s, n in sorted(counts.items(), key=lambda x: -x[1])
        )
    if key == "tables" and isinstance(value, dict):
        rows = sum(int(v) for v in value.values() if isinstance(v, int))
        return i18n.text(
            "audit.tables", lang, tables=_count(len(value), lang), rows=_count(rows, lang)
        )
    if isinstance(value, dict):
        items = [f"{_key(str(k), lang)}: {_value(str(k), v, lang)}" for k, v in value.items()]
        return ", ".join(items[:LIST_MAX]) + (" …" if len(items) > LIST_MAX else "")
    if isinstance(value, list):
        shown = ", ".join(_value(key, v, lang) for v in value[:LIST_MAX])
        return shown + (" …" if len(value) > LIST_MAX else "")
    return str(value)


def format_words(code: str, lang: str) -> str:
    """A file format in words ("tableur CSV", "facture Peppol UBL", "profil fortis")."""
    if code.startswith("profile_"):
        return i18n.text("audit.format.profile", lang, name=code.removeprefix("profile_"))
    key = f"audit.format.{code}"
    return i18n.text(key, lang) if i18n.has(key) else code


def _count(value: Any, lang: str) -> str:
    """A count as text (`2 991`), so that the message's formatter does not read it as money."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(format_decimal(value, locale=locale_of(lang)))
    return str(value)


def _status(status: str, lang: str) -> str:
    key = f"audit.status.{status}"
    return i18n.text(key, lang) if i18n.has(key) else status


def details_text(action: str, details: str | None, lang: str) -> str:
    """The details of one entry in words: the action's summary sentence, then its other fields
    as `name: value` (unknown keys by their own name), never raw JSON."""
    if not details:
        return ""
    try:
        data = json.loads(details)
    except ValueError:
        return details
    if not isinstance(data, dict):
        return _value("", data, lang)
    parts: list[str] = []
    used: set[str] = set()
    summary = SUMMARY_KEYS.get(action, ())
    if summary and all(k in data for k in summary):
        values = {
            RENAMED.get(k, k): _value(k, data[k], lang) if k in FORMATTED else _count(data[k], lang)
            for k in summary
        }
        parts.append(i18n.text(f"audit.summary.{action}", lang, **values))
        used |= set(summary)
    parts += [
        f"{_key(k, lang)}: {_value(k, v, lang)}"
        for k, v in data.items()
        if k not in used and k not in HIDDEN
    ]
    return " · ".join(parts)


def readable(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The trail as the page shows it: local times, the actor, the action and details in words."""
    actions = frame["action"].to_list()
    return frame.select(
        local_times(pl.col("occurred_at"), lang).alias(when_header(lang)),
        printable_column(pl.col("actor")).fill_null("–").alias(i18n.text("audit.who", lang)),
        pl.Series([action_text(a, lang) for a in actions], dtype=pl.String).alias(
            i18n.text("action", lang)
        ),
        printable_column(pl.col("target")).alias(i18n.text("target", lang)),
        printable_column(pl.col("reason")).alias(i18n.text("reason", lang)),
        pl.Series(
            [
                details_text(a, d, lang)
                for a, d in zip(actions, frame["details"].to_list(), strict=True)
            ],
            dtype=pl.String,
        ).alias(i18n.text("details", lang)),
    )
