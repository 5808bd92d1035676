"""`cineledger import budget|expenses|mapping|rates|suppliers`, and what an import leaves to look at:
`quarantine` (rows rejected by `--skip-invalid`) and `to-code` (documents waiting for a line)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click

from finance.cli.options import db_option, say
from finance.importers import budget, coding, ingest, mappings, rates, receipts, suppliers
from finance.importers.profile import detect, load_profile
from finance.store import queries
from finance.store.db import connect


@click.group("import")
def import_() -> None:
    """Load a devis, expenses or exchange rates."""


@import_.command("budget")
@click.argument("production")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--version", "version", help="Version label (default v1, v2, ...).")
@db_option
def import_budget(production: str, file: Path, version: str | None, db: Path) -> None:
    """Load a devis (CSV or XLSX) as a new budget version."""
    out = budget.import_budget(db, production, file, version)
    click.echo(
        say(
            "cli.budget.loaded",
            production=production,
            version=str(out.version),
            action=say(f"cli.action.{out.action}"),
            lines=out.lines,
            total=Decimal(out.total),
        )
    )


@import_.command("receipts")
@click.argument("production")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--profile",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A bank export's profile (YAML); the shipped bank profiles are detected by themselves.",
)
@db_option
def import_receipts(production: str, file: Path, profile: Path | None, db: Path) -> None:
    """Record money received against the financing plan's tranches: a receipts file (CSV or
    XLSX: date, tranche, amount, optional reference and payer), or a bank export whose credits
    are matched to the tranches (the communication names the tranche, or the amount is what
    one tranche still awaits)."""
    bank = load_profile(profile) if profile else detect(file)
    if bank is None:
        out = receipts.import_receipts(db, production, file)
    else:
        out = receipts.import_bank_receipts(db, production, file, bank)
    for row, day, amount, text in out.unmatched:
        click.echo(
            say("cli.receipts.unmatched", row=str(row), day=day, amount=Decimal(amount), text=text)
        )
    click.echo(
        say(
            "cli.receipts.loaded",
            name=out.file,
            read=str(out.rows_read),
            imported=str(out.imported),
            duplicates=str(out.duplicates),
            total=Decimal(out.total),
        )
    )


@import_.command("expenses")
@click.argument("production")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the valid rows; keep the invalid ones in quarantine with their reasons.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "canonical", "peppol", "fec"]),
    default="auto",
    show_default=True,
    help="File format; auto detects e-invoices (Peppol UBL, CII, Factur-X PDF: a file, folder "
    "or zip), the FEC and shipped profiles.",
)
@click.option(
    "--profile",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A column-mapping profile (YAML) for another tool's export.",
)
@click.option(
    "--accept-credits",
    is_flag=True,
    help="Import a profile's result even though it has more credits than debits "
    "(refunds and credit notes you checked; without it such an import stops).",
)
@db_option
def import_expenses(
    production: str,
    files: tuple[Path, ...],
    skip_invalid: bool,
    fmt: str,
    profile: Path | None,
    accept_credits: bool,
    db: Path,
) -> None:
    """Load expenses: spreadsheets, e-invoices (UBL, CII, Factur-X), FEC, mapped exports (one
    transaction)."""
    chosen = str(profile) if profile else fmt
    outcome = ingest.import_expenses(
        db,
        production,
        list(files),
        skip_invalid=skip_invalid,
        fmt=chosen,
        accept_credits=accept_credits,
    )
    _import_summary(outcome)


def _import_summary(outcome: ingest.ImportOutcome) -> None:
    """One line per file, the quarantined problems, then what waits for the user."""
    for f in outcome.files:
        if f.previous_batch is not None:
            click.echo(say("cli.import.already", file=f.file, batch=str(f.previous_batch)))
            continue
        parts = [say("cli.import.imported", n=f.imported)]
        counts = (
            ("cli.import.duplicates", f.duplicates),
            ("cli.import.rejected", f.rejected),
            ("cli.import.waiting", f.waiting),
        )
        parts += [say(key, n=n) for key, n in counts if n]
        click.echo(
            say(
                "cli.import.file",
                file=f.file,
                read=f.rows_read,
                parts=", ".join(parts),
                batch=str(f.batch_id),
            )
        )
    for problem in outcome.problems:
        click.echo(say("cli.import.quarantined", problem=str(problem)), err=True)
    if outcome.to_code:
        click.echo(say("cli.import.to_code", n=outcome.to_code))
    if outcome.invalid_ids:
        click.echo(say("cli.import.invalid_ids", n=outcome.invalid_ids), err=True)


@import_.command("mapping")
@click.argument("production")
@click.argument("file", type=click.Path(path_type=Path))
@db_option
def import_mapping(production: str, file: Path, db: Path) -> None:
    """Load a supplier-to-budget-line mapping (CSV: supplier name or VAT number, budget_code)."""
    out = mappings.import_mappings(db, production, file)
    click.echo(say("cli.mapping.loaded", production=production, n=out.loaded, file=file.name))
    if out.unmatched:
        unmatched = ", ".join(out.unmatched)
        click.echo(
            say(
                "cli.mapping.unmatched",
                n=len(out.unmatched),
                production=production,
                names=unmatched,
            ),
            err=True,
        )


@import_.command("rates")
@click.argument("file", type=click.Path(path_type=Path))
@db_option
def import_rates(file: Path, db: Path) -> None:
    """Load the ECB reference-rate CSV (eurofxref-hist.csv or eurofxref.csv, or the zip the
    ECB distributes)."""
    out = rates.import_rates(db, file)
    key = "cli.rates.unchanged" if out.unchanged else "cli.rates.loaded"
    click.echo(
        say(
            key,
            file=str(out.file),
            rates=out.rates,
            currencies=out.currencies,
            first=str(out.first),
            last=str(out.last),
        )
    )


@import_.command("suppliers")
@click.argument("production")
@click.argument("file", type=click.Path(path_type=Path))
@db_option
def import_suppliers(production: str, file: Path, db: Path) -> None:
    """Load the suppliers' registered office and seat of operations (CSV or XLSX: supplier, VAT
    number, each address's country, postcode and source); a newer file replaces a supplier's
    record."""
    out = suppliers.import_suppliers(db, production, file)
    if out.batch_id is None:
        click.echo(say("cli.suppliers.unchanged", file=out.file, n=str(out.unchanged)))
    else:
        click.echo(
            say(
                "cli.suppliers.loaded",
                file=out.file,
                added=str(len(out.added)),
                replaced=str(len(out.replaced)),
                unchanged=str(out.unchanged),
                batch=str(out.batch_id),
            )
        )
    if out.replaced:
        click.echo(say("cli.suppliers.replaced", names=", ".join(out.replaced)))
    if out.no_expenses:
        names = ", ".join(out.no_expenses)
        click.echo(say("cli.suppliers.no_expenses", production=production, names=names), err=True)


@click.command("to-code")
@click.argument("production")
@db_option
def to_code(production: str, db: Path) -> None:
    """Documents waiting for a budget line (e-invoices without a known accounting reference)."""
    _quarantine_list(db, production, "to_code")


@click.command("quarantine")
@click.argument("production")
@db_option
def quarantine(production: str, db: Path) -> None:
    """Rows rejected by `import expenses --skip-invalid`, with their reasons."""
    _quarantine_list(db, production, "invalid")


def _quarantine_list(db: Path, production: str, kind: str) -> None:
    """The quarantine rows of one kind (invalid, or waiting to be coded)."""
    with connect(db, read_only=True) as con:
        rows = queries.rows(con, "imports.quarantine_of_kind", {"pid": production, "kind": kind})
    if not rows:
        empty = "cli.to_code.none" if kind == "to_code" else "cli.quarantine.empty"
        click.echo(say(empty, production=production))
    for file, row, reasons in rows:
        click.echo(say("cli.quarantine.row", file=str(file), row=str(row), reasons=str(reasons)))


@click.command("code")
@click.argument("production")
@click.argument("file")
@click.argument("rows", nargs=-1, required=True, type=int)
@click.option("--line", required=True, help="The budget line of the current devis to book them on.")
@click.option("--reason", required=True, help="Why this line (kept in the audit trail).")
@click.option("--country", help="The payee's country (ISO code) where the file gives none.")
@click.option("--postcode", help="The payee's postcode, with --country (a bank line has none).")
@db_option
def code(
    production: str,
    file: str,
    rows: tuple[int, ...],
    line: str,
    reason: str,
    country: str | None,
    postcode: str | None,
    db: Path,
) -> None:
    """Book documents waiting for a budget line (FILE and ROWS as `to-code` lists them) on LINE;
    importing the same file again books them on the same line."""
    out = coding.code_documents(db, production, file, list(rows), line, reason, country, postcode)
    booked = sum(f.imported for f in out.files)
    already = sum(f.duplicates for f in out.files)
    click.echo(
        say("cli.code.booked", production=production, n=booked, file=file, line=line)
        + (say("cli.code.already", n=already) if already else "")
    )
