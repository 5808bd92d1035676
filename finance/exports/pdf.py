"""The one-page PDF summary of a scheme, for the cover letter: the rules, each agreement's line
and the value the spend supports (where the scheme has them), the financing plan's gap and the
cash-flow plan's lowest point, the obligation chart, the unverified figures and the content hash
of the workbook it summarises."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from finance.domain import i18n
from finance.domain.fmt import fmt_date, fmt_money
from finance.exports.cashplan import gap_sentence
from finance.exports.data import ExportData
from finance.exports.workbook import allocation_lines
from finance.reports import agreements as said
from rules.sentences import result_sentences, verification_text


def _t(text: str) -> str:
    """PDF base fonts have no narrow no-break space: a plain space reads the same."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


STATUS_COLOR = {
    "pass": colors.HexColor("#2E7D32"),
    "warn": colors.HexColor("#EF6C00"),
    "fail": colors.HexColor("#C62828"),
}


def _bar(c: Canvas, x: float, y: float, width: float, r: dict[str, Any], lang: str) -> None:
    """Measured and projected bars against the threshold line, named in `lang`."""
    values = [Decimal(r[k]) for k in ("measured", "projected", "threshold") if r.get(k) is not None]
    top = max(values) * Decimal("1.1") if values and max(values) > 0 else Decimal(1)
    scale = width / float(top)
    for i, (key, color) in enumerate(
        (
            ("measured", STATUS_COLOR.get(r["status"], colors.grey)),
            ("projected", colors.HexColor("#7FA7D1")),
        )
    ):
        c.setFillColor(color)
        c.rect(x, y - i * 9 * mm, float(Decimal(r[key] or 0)) * scale, 7 * mm, stroke=0, fill=1)
        c.setFillColor(colors.black)
        c.drawString(
            x + 2,
            y - i * 9 * mm + 2 * mm,
            _t(f"{i18n.text(f'check.{key}', lang)} {fmt_money(Decimal(r[key] or 0), lang)}"),
        )
    line = x + float(Decimal(r["threshold"])) * scale
    c.setStrokeColor(colors.black)
    c.setLineWidth(2)
    c.line(line, y - 10 * mm, line, y + 9 * mm)
    said = f"{i18n.text('check.threshold', lang)} {fmt_money(Decimal(r['threshold']), lang)}"
    c.drawString(line + 2, y + 9 * mm, _t(said))


#: the lowest line of text above the footer (the page is one page: the workbook has the rest)
LOWEST = float(24 * mm)
#: room the obligation chart needs below its title
CHART = float(34 * mm)
LINE = float(4 * mm)


def _lines(c: Canvas, lines: list[tuple[str, str, int]], y: float) -> float:
    """Lines of text (font, text, indent in mm), wrapped, down to LOWEST (then `…`); returns
    where the next one goes."""
    for font, text, indent in lines:
        c.setFont(font, 8)
        for part in textwrap.wrap(_t(text), 110 - indent):
            if y < LOWEST:
                c.drawString((20 + indent) * mm, y, "…")
                return y - LINE
            c.drawString((20 + indent) * mm, y, part)
            y -= LINE
    return y


def _agreements(c: Canvas, data: ExportData, lang: str, y: float) -> float:
    """Each agreement's line and its rules' figures (schemes whose agreements stand on their
    own), then the value the spend supports, today and at completion."""
    lines: list[tuple[str, str, int]] = []
    for work in said.works(data.results, lang):
        lines.append(("Helvetica-Bold", said.heading(work.scheme, lang), 0))
        for a in work.agreements:
            lines.append(("Helvetica-Bold", said.head_sentence(work.scheme, a, lang), 4))
            reason = said.reason_sentence(a, lang)
            lines += [("Helvetica", reason, 8)] if reason else []
            lines += [("Helvetica", said.rule_sentence(f, lang), 8) for f in a.rules]
    for scheme, s in said.supported(data.results).items():
        lines.append(("Helvetica-Bold", said.supportable_sentence(scheme, s, lang), 0))
    if not lines:
        return y
    return _lines(c, lines, y) - 1.5 * LINE


def cash_lines(data: ExportData, lang: str) -> list[tuple[str, str, int]]:
    """The financing in two sentences: the plan's gap, then the cash-flow plan's lowest point
    and the bridging it needs (all money in, then secured money only); the workbook's plans
    have the rest."""
    view = data.financing
    if view is None or not view.low:
        return []
    low = view.low

    def money(key: str) -> str:
        return fmt_money(low[key], lang, view.currency)

    cash = i18n.text(
        "export.pdf.cash",
        lang,
        low=money("low"),
        week=fmt_date(low["low_week"], lang),
        bridging=money("bridging"),
        low_secured=money("low_secured"),
        week_secured=fmt_date(low["low_week_secured"], lang),
        bridging_secured=money("bridging_secured"),
    )
    return [("Helvetica-Bold", gap_sentence(view, lang), 0), ("Helvetica", cash, 0)]


def write_pdf(data: ExportData, out: Path, content_hash: str, lang: str = "fr") -> None:
    """One A4 page; each rule says whether it rests on inputs not checked against the legal
    text, and which, in `lang`."""
    c = Canvas(str(out), pagesize=A4, invariant=True)
    width, height = A4
    y = height - 25 * mm
    c.setFont("Helvetica-Bold", 16)
    c.drawString(20 * mm, y, f"{data.title} · {data.scheme}")
    c.setFont("Helvetica", 9)
    c.drawString(
        20 * mm,
        y - 6 * mm,
        _t(
            i18n.text(
                "export.pdf.subtitle",
                lang,
                production=data.production_id,
                day=fmt_date(data.at, lang),
                rulebook=data.rulebook,
            )
        ),
    )
    y -= 20 * mm
    for r in data.results:
        c.setFillColor(STATUS_COLOR.get(r["status"], colors.grey))
        c.rect(20 * mm, y - 1 * mm, 14 * mm, 5 * mm, stroke=0, fill=1)
        c.setFillColor(colors.white)
        c.setFont("Helvetica-Bold", 8)
        c.drawString(21 * mm, y, _t(i18n.text(f"check.mark.{r['status']}", lang)))
        c.setFillColor(colors.black)
        c.setFont("Helvetica", 8)
        # the result in the file's language (the stored explanation is English)
        text = _t(f"{r['rule_id']}: {result_sentences(r, lang)[1]}")
        for part in textwrap.wrap(text, 105)[:3]:
            c.drawString(37 * mm, y, part)
            y -= 4 * mm
        y += 4 * mm
        # whether every input is checked against the legal text, and which are not, in words
        verified = bool(r.get("verified"))
        c.setFillColor(colors.HexColor("#2E7D32") if verified else colors.HexColor("#C62828"))
        for part in textwrap.wrap(_t(verification_text(r, lang)), 110)[:3]:
            c.drawString(37 * mm, y - 4 * mm, part)
            y -= 4 * mm
        c.setFillColor(colors.black)
        y -= 8 * mm
    y = _agreements(c, data, lang, y)
    allocated = allocation_lines(data, lang)
    if allocated:
        y = _lines(c, [("Helvetica", line, 0) for line in allocated], y) - 1.5 * LINE
    financing = cash_lines(data, lang)
    if financing:
        y = _lines(c, financing, y) - 1.5 * LINE
    spend = next((r for r in data.results if r.get("evidence_count") and r.get("threshold")), None)
    if spend is not None and y - CHART > LOWEST:  # where the agreements leave room for it
        c.setFont("Helvetica-Bold", 10)
        c.drawString(20 * mm, y - 4 * mm, spend["rule_id"])
        c.setFont("Helvetica", 8)
        _bar(c, 20 * mm, y - 20 * mm, width - 50 * mm, spend, lang)
    c.setFont("Helvetica", 7)
    hash_line = f"Cinéledger · {i18n.text('export.prov.content_hash', lang)} {content_hash}"
    c.drawString(20 * mm, 15 * mm, _t(hash_line))
    c.showPage()
    c.save()
