"""Helpers of the Funders page: titles, parameter badges, the evidence table."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from dashboards.ui import data
from dashboards.ui.i18n import LANGS, lang, t
from dashboards.ui.view import money_table
from finance.exports.run import export, exportable_schemes
from rules.loader import load_packs
from rules.sentences import (
    confidence_word,
    reason_text,
    result_sentences,
    verification_text,
    window_text,
)


def scheme_titles(results: list[dict[str, Any]], lang_code: str = "en") -> dict[str, str]:
    """Schemes of the results, in order, with their packs' labels in the language (the pack's
    title where it has none)."""
    packs = load_packs()
    schemes = list(dict.fromkeys(r["scheme"] for r in results))
    out = {}
    for s in schemes:
        pack = packs.get(s)
        labels = pack.presentation.label if pack else {}
        out[s] = labels.get(lang_code) or labels.get("en") or (pack.title if pack else s)
    return out


def scheme_colour(scheme: str) -> str | None:
    """The pack's colour for the scheme, if it has one."""
    pack = load_packs().get(scheme)
    return pack.presentation.colour if pack else None


def exportable(scheme: str) -> bool:
    """Whether the scheme has a justification file (`cineledger export --scheme`)."""
    return scheme in exportable_schemes()


def sentences(result: dict[str, Any], currency: str) -> tuple[str, str]:
    """The result's title and explanation in the reader's language."""
    return result_sentences(result, lang(), currency)


def figures(results: list[dict[str, Any]]) -> dict[str, Decimal]:
    """The parameters the results used, by name (for the reasons that show one)."""
    return {p["name"]: Decimal(p["value"]) for r in results for p in r.get("parameters", [])}


def parameter_table(result: dict[str, Any]) -> pl.DataFrame:
    """Parameters with value, confidence in words, source and an unverified badge, headed in
    the reader's language."""
    head = {k: t(f"parameter_header.{k}") for k in ("value", "confidence", "source", "valid_from")}
    rows = [
        {
            t("parameters"): p["name"],
            head["value"]: p["value"],
            head["confidence"]: confidence_word(p["confidence"], lang()),
            "": "⚠ " + t("unverified") if not p["verified"] else "✓",
            head["source"]: p["source"],
            head["valid_from"]: p["valid_from"],
        }
        for p in result.get("parameters", [])
    ]
    return pl.DataFrame(rows) if rows else pl.DataFrame({t("parameters"): []})


def verification(result: dict[str, Any], currency: str) -> tuple[bool, str]:
    """Whether the result rests only on inputs checked against the legal text, and the sentence
    that says so or names those that are not, in the reader's language (a result stored before
    results said it is not taken as verified)."""
    return bool(result.get("verified")), verification_text(result, lang(), currency)


def window(results: list[dict[str, Any]]) -> str | None:
    """The scheme's spending window and where it comes from, in words (its first result that
    has one)."""
    return next((w for w in (window_text(r, lang()) for r in results) if w), None)


def evidence_table(
    production: str,
    scheme: str,
    counts: bool,
    limit: int = 1000,
    values: dict[str, Decimal] | None = None,
) -> pl.DataFrame:
    """Expenses examined for the scheme that count (or not), with reasons in words and provenance;
    the first `limit` by date (the CLI's `evidence` command gives them all)."""
    v = data.version()
    run_at = data.latest_run_date(v, production)
    if run_at is None:
        return pl.DataFrame()
    relation = data.eligibility_at(v, production, run_at, scheme)
    # the first rows are chosen in the relation, then joined to the ledger's view for their
    # provenance: joining first would resolve the view for every expense examined
    rows = data.named(
        v,
        "dashboard.examined",
        (("pid", production), ("at", run_at), ("s", scheme), ("c", counts), ("n", limit)),
        (("relation", relation),),
    )
    if rows.height == 0:
        return rows
    # each distinct reason code is put in words once, then every row's list at once
    codes = rows["reasons"].explode().drop_nulls().unique().to_list()
    words = {code: reason_text(code, lang(), values) for code in codes}
    reasons = rows.select(
        pl.col("reasons")
        .list.eval(pl.element().replace_strict(words, return_dtype=pl.String))
        .list.join("; ")
        .alias(t("reasons"))
    )
    shown = money_table(rows.drop("reasons"))
    return pl.concat([shown, reasons], how="horizontal").rename({"counts": t("counts")})


def justification_file(production: str, scheme: str, at: Any, lang_code: str, suffix: str) -> bytes:
    """The scheme's workbook or PDF summary, built on demand (it runs the check, as the CLI does)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{production}-{scheme}{suffix}"
        export(
            data.db_path(),
            production,
            scheme,
            out,
            at,
            lang_code if lang_code in LANGS else "fr",
        )
        return out.read_bytes()
