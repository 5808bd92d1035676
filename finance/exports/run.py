"""`cineledger export`: the funder's workbook (XLSX), the final cost statement, or the PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from finance.domain import i18n
from finance.domain.packs import exportable_schemes as schemes_with_files
from finance.exports.cost import write_cost_statement
from finance.exports.data import gather
from finance.exports.pdf import write_pdf
from finance.exports.workbook import write_workbook
from finance.store.audit import record
from finance.store.db import connect, transaction

#: the export that is not a scheme's: the final cost statement
COST = "cost"


def exportable_schemes() -> tuple[str, ...]:
    """What `export --scheme` takes: every pack whose scheme tests expenses (its justification
    file lists them), in pack order, then the final cost statement."""
    return (*schemes_with_files(), COST)


@dataclass(frozen=True)
class ExportResult:
    """The file written and the content hash it records."""

    path: Path
    content_hash: str


def export(
    db: Path | None,
    production_id: str,
    scheme: str,
    out: Path,
    at: date,
    lang: str = "fr",
    store_run: bool = True,
) -> ExportResult:
    """Write the justification file named by `out`'s suffix (.xlsx, or .pdf for the summary).
    With `store_run` false the check it rests on is evaluated and not stored as a rule run."""
    schemes = exportable_schemes()
    if scheme not in schemes:
        raise i18n.error("error.export.scheme", scheme=repr(scheme), known=", ".join(schemes))
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".pdf"):
        raise i18n.error("error.export.suffix", name=out.name)
    if not out.parent.exists():
        raise i18n.error("error.export.no_folder", folder=str(out.parent))
    if scheme == COST:
        if suffix != ".xlsx":
            raise i18n.error("error.export.cost_xlsx")
        total = write_cost_statement(db, production_id, at, out, lang)
        _record_export(db, production_id, out, {"scheme": COST, "actual_total": total})
        return ExportResult(out, f"actual total {total:.2f}")
    with gather(db, production_id, scheme, at, store_run) as data:
        if suffix == ".pdf":
            content_hash = data.content_hash()
            write_pdf(data, out, content_hash, lang)
        else:
            content_hash = write_workbook(data, out, lang)
    _record_export(
        db, production_id, out, {"scheme": scheme, "as_at": at, "content_sha256": content_hash}
    )
    return ExportResult(out, content_hash)


def _record_export(db: Path | None, production_id: str, out: Path, details: dict[str, Any]) -> None:
    """The audit trail keeps which justification file left the building, and its hash."""
    with connect(db) as con, transaction(con):
        record(con, "export", production_id, out.name, details)
