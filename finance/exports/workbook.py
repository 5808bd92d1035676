"""The justification workbook (XLSX), streamed row by row (constant memory).

Sheets: summary of the rules, the agreements where a scheme's agreements stand on their own
(each agreement's window, value, figures and supportable value, the work's totals beside them),
eligible expenses by chapter with subtotals (and the agreement each counts for), excluded
expenses with their reasons, missing paperwork, the financing plan and the cash-flow plan
(finance/exports/cashplan.py), provenance. Text is always written as text, so a
cell such as `=HYPERLINK(...)` can never execute; totals are formulas with their values.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from finance.domain import i18n
from finance.exports import labels
from finance.exports.cashplan import plan_sheets
from finance.exports.data import PARTS, ContentHash, ExportData
from finance.exports.labels import label, sheet_name
from finance.exports.writer import Writer
from finance.reports import agreements as said
from finance.store.queries.exports import ALLOCATED_PART, ALLOCATED_TO, MISSING_CHECKS
from rules.eligibility import ADDRESS_BASES
from rules.sentences import (
    claim_words,
    confidence_word,
    reason_text,
    result_sentences,
    verification_short,
)

#: Excel's day 0 for serial dates (the 1900 date system, for dates from March 1900 on)
EXCEL_EPOCH = date(1899, 12, 30)
_SEPARATOR = "\x1f"


def _reasons(codes: list[str] | None, lang: str, figures: dict[str, Decimal]) -> str:
    words = "; ".join(_reason(c, lang, figures) for c in codes or [])
    return words or reason_text("counts", lang)


def _reason(code: str, lang: str, figures: dict[str, Decimal]) -> str:
    """A reason in words; the allocation's (a line counted in another file, a split invoice's
    part) names the other obligations."""
    for prefix, key in (
        (ALLOCATED_TO, "export.allocation.to"),
        (ALLOCATED_PART, "export.allocation.part"),
    ):
        if code.startswith(prefix):
            claims = ", ".join(claim_words(c, lang) for c in code[len(prefix) :].split("|") if c)
            return i18n.text(key, lang, claims=claims)
    return reason_text(code, lang, figures)


def run_figures(results: list[dict[str, Any]]) -> dict[str, Decimal]:
    """The parameters of a scheme's results by name (the values the run used)."""
    return {p["name"]: Decimal(p["value"]) for r in results for p in r.get("parameters", [])}


def cells(
    frame: pl.DataFrame, keys: list[str], lang: str, figures: dict[str, Decimal] | None = None
) -> list[tuple[Any, ...]]:
    """The cell values of a batch, column by column in polars: text as text, money and rates as
    numbers, dates as Excel serial numbers (the column formats show them), reasons in words.
    `write_row` writes a str as text whatever it holds (strings_to_formulas is off), None and ""
    as no cell."""
    exprs = []
    for key in keys:
        kind_of, col = labels.kind(key), pl.col(key)
        if key == "reasons":
            joined = col.list.join(_SEPARATOR).fill_null("")
            words = {
                k: _reasons(k.split(_SEPARATOR) if k else [], lang, figures or {})
                for k in frame.select(joined.unique()).to_series().to_list()
            }
            exprs.append(joined.replace_strict(words, return_dtype=pl.String))
        elif kind_of == "missing":
            words = {c: i18n.text(f"export.missing.{c}", lang) for _, c in MISSING_CHECKS}
            exprs.append(col.replace_strict(words, default=col, return_dtype=pl.String))
        elif kind_of == "regime":
            words = {v: i18n.text(f"export.regime.{v}", lang) for v in TAX_REGIMES}
            exprs.append(col.replace_strict(words, default=None, return_dtype=pl.String))
        elif kind_of == "address":
            words = {v: i18n.text(f"address.{v}", lang) for v in ADDRESS_BASES}
            exprs.append(col.replace_strict(words, default=None, return_dtype=pl.String))
        elif kind_of in ("money", "rate"):
            exprs.append(col.cast(pl.Float64))
        elif kind_of == "number":
            exprs.append(col.cast(pl.Int64))
        elif kind_of == "date":
            exprs.append((col - pl.lit(EXCEL_EPOCH)).dt.total_days().cast(pl.Float64))
        else:
            exprs.append(col.cast(pl.String))
    return frame.select(exprs).rows()


EXPENSE_KEYS = [
    "supplier",
    "supplier_vat",
    "country",
    "postcode",
    "territory",
    "invoice_ref",
    "doc_date",
    "paid_on",
    "budget_code",
    "budget_label",
    "amount_orig",
    "currency",
    "fx_rate",
    "amount",
    "eligible_amount",
    "reasons",
    "document",
]
SUMMED = ("amount", "eligible_amount")
#: the Belgian tax regimes an expense may state (finance/domain/parsing.py TAX_REGIME)
TAX_REGIMES = ("ordinary", "flat_withholding")


def expense_keys(per_agreement: bool, regime: bool = False, address: bool = False) -> list[str]:
    """The expense sheets' columns; where the scheme's agreements stand on their own, the
    agreement each expense counts for, after its eligible amount; where it counts payees abroad
    by their Belgian tax regime, the regime and the fee slip, after the document; where it tests
    a supplier's recorded address, the address tested, after the territory."""
    keys = list(EXPENSE_KEYS)
    if address:
        at = keys.index("territory") + 1
        keys = [*keys[:at], "address_used", *keys[at:]]
    if per_agreement:
        at = keys.index("eligible_amount") + 1
        keys = [*keys[:at], "agreement", *keys[at:]]
    return [*keys, "tax_regime", "fee_slip"] if regime else keys


def _total_row(
    w: Writer,
    sheet: Any,
    keys: list[str],
    row: int,
    first: int,
    last: int,
    text: str,
    values: dict[str, Decimal],
) -> None:
    sheet.write_string(row, 0, text, w.bold)
    for key in SUMMED:
        col = keys.index(key)
        letter = xlsxwriter.utility.xl_col_to_name(col)
        sheet.write_formula(
            row,
            col,
            f"=SUBTOTAL(9,{letter}{first + 1}:{letter}{last + 1})",
            w.bold_money,
            float(values[key]),
        )


def _runs(frame: pl.DataFrame) -> list[tuple[Any, ...]]:
    """The batch's runs of one chapter: (chapter, its label, lines, amount, eligible amount)."""
    return (
        frame.group_by(pl.col("chapter_code").rle_id().alias("run"), maintain_order=True)
        .agg(
            pl.col("chapter_code").first(),
            pl.col("chapter_label").first(),
            pl.len(),
            *(pl.col(k).sum() for k in SUMMED),
        )
        .drop("run")
        .rows()
    )


class _NoChapter:
    """Before the first line: no chapter is open (a line's chapter may be None)."""


def expenses_sheet(
    w: Writer,
    name: str,
    frames: Iterable[pl.DataFrame],
    hasher: ContentHash | None = None,
    keys: list[str] = EXPENSE_KEYS,
) -> Decimal:
    """Expenses by chapter with a subtotal per chapter and a grand total, written as the batches
    come (each row once, in order: the workbook streams); returns the eligible total. Each batch
    goes to `hasher` too, when given."""
    sheet = w.table_sheet(name, keys)
    zero = {k: Decimal(0) for k in SUMMED}
    row, grand, sums = 1, dict(zero), dict(zero)
    chapter: Any = _NoChapter
    first, chapter_label = 1, ""

    def close_chapter() -> None:
        nonlocal row
        text = f"{label('chapter_total', w.lang)} {chapter} · {chapter_label or ''}"
        _total_row(w, sheet, keys, row, first, row - 1, text, sums)
        row += 1

    for frame in frames:
        if hasher is not None:
            hasher.add(frame)
        values, start = cells(frame, keys, w.lang, w.figures), 0
        for code, code_label, count, *totals in _runs(frame):
            if code != chapter or chapter is _NoChapter:
                if chapter is not _NoChapter:
                    close_chapter()
                chapter, chapter_label, first, sums = code, code_label, row, dict(zero)
            for line in values[start : start + count]:
                sheet.write_row(row, 0, line)
                row += 1
            start += count
            for key, total in zip(SUMMED, totals, strict=True):
                sums[key] += Decimal(total or 0)
                grand[key] += Decimal(total or 0)
    if chapter is not _NoChapter:
        close_chapter()
    _total_row(w, sheet, keys, row, 1, max(row - 1, 1), label("grand_total", w.lang), grand)
    sheet.autofilter(0, 0, max(row - 1, 1), len(keys) - 1)
    return grand["eligible_amount"]


SUMMARY_KEYS = [
    "rule",
    "status",
    "measured",
    "threshold",
    "shortfall",
    "projected",
    "explanation",
    "parameters",
    "verification",
]


def _parameters_text(result: dict[str, Any], lang: str) -> str:
    parts = []
    for p in result.get("parameters", []):
        flag = (
            f" [{label('unverified', lang)}]"
            if p["confidence"] == "unverified" or not p["verified"]
            else ""
        )
        confidence = confidence_word(p["confidence"], lang)
        parts.append(
            f"{p['name']} = {p['value']} ({p['source']}; {confidence}; {p['valid_from']}){flag}"
        )
    return "\n".join(parts)


def summary_sheet(w: Writer, data: ExportData) -> None:
    sheet = w.table_sheet("summary", SUMMARY_KEYS)
    for row, r in enumerate(data.results, start=1):
        title, explanation = result_sentences(r, w.lang)
        values = {
            **r,
            "rule": r["rule_id"],  # the id the auditor looks up; the rule in words beside
            "status": i18n.text(f"check.mark.{r['status']}", w.lang),
            "explanation": f"{title}\n{explanation}",
            "parameters": _parameters_text(r, w.lang),
            "verification": verification_short(r, w.lang),
        }
        for col, key in enumerate(SUMMARY_KEYS):
            w.cell(sheet, row, col, values.get(key), labels.kind(key))
    below = len(data.results) + 2
    sheet.write_string(
        below,
        0,
        f"{data.title} ({data.production_id}) · {data.scheme} · {data.at.isoformat()}",
        w.bold,
    )
    for line in summary_lines(data, w.lang):
        below += 1
        sheet.write_string(below, 0, line)


def summary_lines(data: ExportData, lang: str) -> list[str]:
    """Below the rules: the value the spend supports, and each agreement's line where the
    scheme's agreements stand on their own (the agreements sheet gives their figures)."""
    lines = [
        said.supportable_sentence(scheme, s, lang)
        for scheme, s in said.supported(data.results).items()
    ]
    for work in said.works(data.results, lang):
        lines.append(said.heading(work.scheme, lang))
        lines += [said.head_sentence(work.scheme, a, lang) for a in work.agreements]
    return lines + allocation_lines(data, lang)


def allocation_lines(data: ExportData, lang: str) -> list[str]:
    """Where the lines follow the allocation of the invoices: each obligation of the scheme,
    what the allocation counts for it (the eligible total of the file), its required spend and
    margin, beside the check's count."""
    out = []
    for f in data.allocated or []:
        claim = claim_words(f.claim.key, lang)
        if f.claim.required is None or f.margin is None:
            out.append(
                i18n.text(
                    "export.allocation.summary_base", lang, claim=claim, allocated=f.allocated
                )
            )
            continue
        out.append(
            i18n.text(
                "export.allocation.summary",
                lang,
                claim=claim,
                allocated=f.allocated,
                required=f.claim.required,
                margin=f.margin,
                check=f.claim.check_figure if f.claim.check_figure is not None else f.naive,
            )
        )
    return out


#: the agreements sheet's first table (one row per agreement, then the work's), and its second
#: (one row per agreement and rule evaluated per agreement, then the work's results): key, kind
AGREEMENT_KEYS = [
    ("number", "number"),
    ("agreement", "text"),
    ("signed_on", "date"),
    ("start", "date"),
    ("end", "date"),
    ("reason", "text"),
    ("value", "money"),
    ("by_spend", "money"),
    ("direct_share", "percent"),
    ("pro_rata", "percent"),
    ("supportable", "money"),
    ("at_completion", "money"),
]
AGREEMENT_RULE_KEYS = [
    ("number", "number"),
    ("agreement", "text"),
    ("rule", "text"),
    ("title", "text"),
    ("status", "text"),
    ("measured", "money"),
    ("required", "money"),
    ("shortfall", "money"),
    ("projected", "money"),
    ("projected_required", "money"),
    ("projected_shortfall", "money"),
    ("evidence", "number"),
]
_WIDTHS = (6, 34, 12, 12, 12, 40, 17, 17, 14, 12, 17, 17)


def _header(w: Writer, sheet: Any, row: int, keys: list[tuple[str, str]]) -> None:
    for col, (key, _) in enumerate(keys):
        sheet.write_string(row, col, i18n.text(f"agreements.col.{key}", w.lang), w.head)


def _values_row(
    w: Writer, sheet: Any, row: int, keys: list[tuple[str, str]], values: dict[str, Any]
) -> None:
    for col, (key, kind) in enumerate(keys):
        w.cell(sheet, row, col, values.get(key), kind)


def _rule_values(number: int | None, who: str, f: said.Figures, lang: str) -> dict[str, Any]:
    kind = "days" if f.unit in ("days", "day_count") else "money"
    return {
        "number": number,
        "agreement": who,
        "rule": f.rule_id,
        "title": f.title,
        "status": i18n.text(f"check.mark.{f.status}", lang),
        "measured": f.measured,
        "required": f.threshold,
        "shortfall": f.shortfall,
        "projected": f.projected,
        "projected_required": f.projected_threshold,
        "projected_shortfall": f.projected_shortfall,
        "evidence": f.evidence_count,
        "_kind": kind,
    }


def agreements_sheet(w: Writer, work: said.Work) -> None:
    """Each agreement on its own (its window, value, supportable value and the factors, each
    per-agreement rule's figures), and the work's totals beside them, in the file's language."""
    lang = w.lang
    sheet = w.book.add_worksheet(i18n.text("agreements.sheet", lang))
    for col, width in enumerate(_WIDTHS):
        sheet.set_column(col, col, width)
    sheet.write_string(0, 0, said.heading(work.scheme, lang), w.bold)
    sheet.write_string(1, 0, i18n.text("agreements.note", lang))
    row = 3
    _header(w, sheet, row, AGREEMENT_KEYS)
    for a in work.agreements:
        row += 1
        s = a.supportable
        _values_row(
            w,
            sheet,
            row,
            AGREEMENT_KEYS,
            {
                "number": a.k,
                "agreement": said.name(a, lang),
                "signed_on": a.signed_on,
                "start": a.start,
                "end": a.end,
                "reason": a.pre_signing_reason,
                "value": a.value,
                "by_spend": s.get("by_spend"),
                "direct_share": s.get("direct_share"),
                "pro_rata": s.get("pro_rata"),
                "supportable": a.supportable_value,
                "at_completion": a.at_completion,
            },
        )
    row += 1
    support, later = work.supportable, work.supportable.get("at_completion") or {}
    _work_row(w, sheet, row, i18n.text("agreements.work", lang), work, support, later)
    if support:
        for key, field_ in (("work_limit", "work_limit"), ("work_value", "value")):
            row += 1
            text = i18n.text(said.own(work.scheme, f"agreements.{key}", f"agreements.{key}"), lang)
            sheet.write_string(row, 1, text, w.bold)
            w.cell(sheet, row, 10, support.get(field_), "money")
            w.cell(sheet, row, 11, later.get(field_), "money")
    row += 2
    _header(w, sheet, row, AGREEMENT_RULE_KEYS)
    rows = [
        _rule_values(a.k, said.name(a, lang), f, lang) for a in work.agreements for f in a.rules
    ]
    rows += [_rule_values(None, i18n.text("agreements.work", lang), f, lang) for f in work.rules]
    for values in rows:
        row += 1
        keys = [
            (k, values["_kind"] if kind == "money" else kind) for k, kind in AGREEMENT_RULE_KEYS
        ]
        _values_row(w, sheet, row, keys, values)


def _work_row(
    w: Writer,
    sheet: Any,
    row: int,
    text: str,
    work: said.Work,
    support: dict[str, Any],
    later: dict[str, Any],
) -> None:
    """The work's line of the agreements table: its span, its value, and the agreements'
    supportable values summed (today and at completion)."""
    sheet.write_string(row, 1, text, w.bold_text)
    for col, day in ((3, work.start), (4, work.end)):
        if day is not None:
            w.cell(sheet, row, col, day, "date")
    cells_ = (
        (6, work.value),
        (10, support.get("agreements_total", support.get("value"))),
        (11, later.get("agreements_total", later.get("value"))),
    )
    for col, value in cells_:
        if value is not None:
            sheet.write_number(row, col, float(Decimal(value)), w.bold_money)


MISSING_KEYS = [
    "missing",
    "supplier",
    "supplier_vat",
    "invoice_ref",
    "doc_date",
    "budget_code",
    "amount",
    "document",
]


def missing_sheet(
    w: Writer, frames: Iterable[pl.DataFrame], hasher: ContentHash | None = None
) -> None:
    sheet = w.table_sheet("missing", MISSING_KEYS)
    row = 1
    for frame in frames:
        if hasher is not None:
            hasher.add(frame)
        for line in cells(frame, MISSING_KEYS, w.lang, w.figures):
            sheet.write_row(row, 0, line)
            row += 1
    sheet.autofilter(0, 0, max(row - 1, 1), len(MISSING_KEYS) - 1)


def provenance_sheet(w: Writer, data: ExportData, content_hash: str) -> None:
    sheet = w.book.add_worksheet(sheet_name("provenance", w.lang))
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 5, 24)

    def said(key: str) -> str:
        return i18n.text(f"export.prov.{key}", w.lang)

    lines: list[list[Any]] = [
        ["Cinéledger", said("file")],
        [said("production"), data.production_id],
        [said("scheme"), data.scheme],
        [said("as_at"), data.at.isoformat()],
        [said("rulebook"), data.rulebook],
        [said("rule_run"), "–" if data.run_id is None else str(data.run_id)],
        [said("generated"), datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")],
        [said("content_hash"), content_hash],
        [],
        [
            i18n.text(f"parameter_header.{key}", w.lang)
            for key in ("parameter", "value", "source", "confidence", "verified", "valid_from")
        ],
    ]
    seen = set()
    for r in data.results:
        for p in r.get("parameters", []):
            if p["name"] not in seen:
                seen.add(p["name"])
                lines.append(
                    [
                        p["name"],
                        p["value"],
                        p["source"],
                        confidence_word(p["confidence"], w.lang),
                        i18n.text(f"verified.{'yes' if p['verified'] else 'no'}", w.lang),
                        p["valid_from"],
                    ]
                )
    batch_keys = ("batch", "kind", "source", "sha256", "rows", "imported_at", "by")
    lines += [[], [said(k) for k in batch_keys]]
    for b in data.batches.iter_rows(named=True):
        lines.append(
            [
                str(b["id"]),
                i18n.text(f"export.batch_kind.{b['kind']}", w.lang)
                if i18n.has(f"export.batch_kind.{b['kind']}")
                else b["kind"],
                b["file_name"],
                b["file_sha256"],
                str(b["rows_imported"]),
                str(b["imported_at"]),
                str(b["imported_by"] or ""),
            ]
        )
    audit_keys = ("audit", "when", "who", "action", "target", "reason", "details")
    lines += [[], [said(k) for k in audit_keys]]
    for a in data.audit.iter_rows(named=True):
        lines.append(
            [
                str(a["id"]),
                str(a["occurred_at"])[:19],
                a["actor"],
                i18n.text(f"audit.action.{a['action']}", w.lang)
                if i18n.has(f"audit.action.{a['action']}")
                else a["action"],
                a["target"] or "",
                a["reason"] or "",
                a["details"] or "",
            ]
        )
    for row, values in enumerate(lines):
        for col, value in enumerate(values):
            sheet.write_string(row, col, str(value), w.bold if col == 0 else None)


def write_workbook(data: ExportData, out: Path, lang: str = "fr") -> str:
    """Write the justification workbook; returns the content hash it records (computed from the
    very batches written, in the same pass)."""
    w = Writer(out, lang, run_figures(data.results))
    hasher = data.hasher()
    summary_sheet(w, data)
    for work in said.works(data.results, lang):
        agreements_sheet(w, work)
    keys = expense_keys(data.per_agreement, data.regime, data.address)
    for part in PARTS:
        # the hash reads its own copy where its order differs from the sheet's
        feed = hasher if part not in data.hash_files else None
        if part == "missing":
            missing_sheet(w, data.frames(part), feed)
        else:
            expenses_sheet(w, part, data.frames(part), feed, keys)
        if feed is None:
            for frame in data.frames(part, hashed=True):
                hasher.add(frame)
        hasher.end_part()
    content_hash = hasher.hexdigest()
    plan_sheets(w, data.financing, data.title)
    provenance_sheet(w, data, content_hash)
    w.book.close()
    return content_hash
