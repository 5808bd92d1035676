"""The Imports page's other files (issue 18, point 6, in part): a devis, a supplier mapping or
the ECB's exchange rates, uploaded and imported like the CLI's `import budget|mapping|rates`,
with the outcome said in the reader's language."""

from __future__ import annotations

from pathlib import Path

from dashboards.ui import data
from dashboards.ui.i18n import lang
from finance.domain.errors import UserError
from finance.domain.i18n import text
from finance.domain.reasons import error_lines
from finance.importers.budget import import_budget
from finance.importers.mappings import import_mappings
from finance.importers.rates import import_rates

#: what an uploaded file can be, the expenses first (they have their own preview)
KINDS = ("expenses", "budget", "mapping", "rates")


def import_other(kind: str, production: str, path: Path) -> tuple[str, bool]:
    """Import a devis, a mapping or rates; the message to show and whether it went in (never
    raises to the page)."""
    code, db = lang(), data.db_path()
    try:
        if kind == "budget":
            out = import_budget(db, production, path)
            return text(
                f"imports.budget.{out.action}",
                code,
                version=out.version,
                lines=str(out.lines),
                total=out.total,
            ), True
        if kind == "mapping":
            found = import_mappings(db, production, path)
            said = text("imports.mapping.done", code, count=str(found.loaded))
            if found.unmatched:
                said += " " + text(
                    "imports.mapping.unmatched", code, names=", ".join(found.unmatched)
                )
            return said, True
        rates = import_rates(db, path)
        key = "imports.rates.unchanged" if rates.unchanged else "imports.rates.done"
        return text(
            key,
            code,
            count=str(rates.rates),
            currencies=str(rates.currencies),
            first=str(rates.first),
            last=str(rates.last),
        ), True
    except UserError as exc:
        return "\n".join(error_lines(exc, code)[:20]), False
