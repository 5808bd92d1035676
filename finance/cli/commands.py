"""The import, report and demo commands of `cineledger` (kept apart to keep modules short)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from finance.domain.errors import UserError


def _at(value: str | None) -> date:
    from finance.cli.main import today

    if value is None:
        return today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"--at {value!r}: not an ISO date (YYYY-MM-DD)") from None


def _import_summary(outcome: object) -> None:
    from finance.importers.ingest import ImportOutcome

    assert isinstance(outcome, ImportOutcome)
    for f in outcome.files:
        if f.previous_batch is not None:
            click.echo(f"{f.file}: already imported (batch {f.previous_batch}); nothing added")
            continue
        parts = [f"{f.imported} imported"]
        if f.duplicates:
            parts.append(f"{f.duplicates} already in the ledger (skipped)")
        if f.rejected:
            parts.append(f"{f.rejected} rejected to quarantine")
        click.echo(f"{f.file}: {f.rows_read} rows read, {', '.join(parts)} (batch {f.batch_id})")
    for problem in outcome.problems:
        click.echo(f"  - quarantined: {problem}", err=True)
    if outcome.to_code:
        click.echo(
            f"{outcome.to_code} documents wait for a budget line: `cineledger to-code PRODUCTION`"
        )
    if outcome.invalid_ids:
        click.echo(
            f"warning: {outcome.invalid_ids} rows carry an invalid VAT or enterprise number "
            f"(kept, flagged; see `cineledger report`)",
            err=True,
        )


def _check_all(db: Path, at: date, fmt: str) -> None:
    """`check --all`: every production's run (JSON: the list of `check --format json` objects);
    exit 1 when a rule of any production fails."""
    from finance.cli.main import echo_json
    from rules.output import portfolio_table
    from rules.runs import run_checks, run_json

    runs = run_checks(db, None, at)
    if fmt == "json":
        echo_json([run_json(r) for r in runs])
    elif not runs:
        click.echo("no productions yet: run `cineledger production add MANIFEST`")
    else:
        click.echo(portfolio_table(runs))
    if any(r.failed for r in runs):
        raise SystemExit(1)


def register(cli: click.Group) -> None:
    """Attach the commands to the `cineledger` group."""
    from finance.cli.main import db_option, echo_json, lang_option

    @cli.group("import")
    def import_() -> None:
        """Load a devis, expenses or exchange rates."""

    @import_.command("budget")
    @click.argument("production")
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option("--version", "version", help="Version label (default v1, v2, ...).")
    @db_option
    def import_budget(production: str, file: Path, version: str | None, db: Path) -> None:
        """Load a devis (CSV or XLSX) as a new budget version."""
        from finance.importers.budget import import_budget as run

        out = run(db, production, file, version)
        click.echo(
            f"{production}: devis {out.version} {out.action}, {out.lines} lines, total {out.total}"
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
        help="File format; auto detects Peppol UBL (XML file, folder or zip), the FEC and shipped profiles.",
    )
    @click.option(
        "--profile",
        type=click.Path(dir_okay=False, path_type=Path),
        help="A column-mapping profile (YAML) for another tool's export.",
    )
    @db_option
    def import_expenses(
        production: str,
        files: tuple[Path, ...],
        skip_invalid: bool,
        fmt: str,
        profile: Path | None,
        db: Path,
    ) -> None:
        """Load expenses: spreadsheets, Peppol e-invoices, FEC, mapped exports (one transaction)."""
        from finance.importers.ingest import import_expenses as run

        chosen = str(profile) if profile else fmt
        _import_summary(run(db, production, list(files), skip_invalid=skip_invalid, fmt=chosen))

    @import_.command("mapping")
    @click.argument("production")
    @click.argument("file", type=click.Path(path_type=Path))
    @db_option
    def import_mapping(production: str, file: Path, db: Path) -> None:
        """Load a supplier-to-budget-line mapping (CSV: supplier name or VAT number, budget_code)."""
        from finance.importers.mappings import import_mappings

        count = import_mappings(db, production, file)
        click.echo(f"{production}: {count} supplier mappings loaded from {file.name}")

    @import_.command("rates")
    @click.argument("file", type=click.Path(path_type=Path))
    @db_option
    def import_rates(file: Path, db: Path) -> None:
        """Load the ECB reference-rate CSV (eurofxref-hist.csv or eurofxref.csv)."""
        from finance.importers.rates import import_rates as run

        out = run(db, file)
        state = "already loaded; nothing changed" if out.unchanged else "loaded"
        click.echo(
            f"{out.file}: {out.rates} rates for {out.currencies} currencies "
            f"({out.first} to {out.last}) {state}"
        )

    @cli.command("report")
    @click.argument("production")
    @click.option(
        "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
    )
    @click.option("--at", "at", help="Report as at this date (YYYY-MM-DD); default today.")
    @click.option("--lines", is_flag=True, help="Show every budget line under its chapter.")
    @lang_option
    @db_option
    def report(production: str, fmt: str, at: str | None, lines: bool, lang: str, db: Path) -> None:
        """Cost report and burn rate."""
        from finance.reports.cost_report import cost_report
        from finance.reports.output import report_json, report_table

        result = cost_report(db, production, _at(at))
        if fmt == "json":
            echo_json(report_json(result))
        else:
            click.echo(report_table(result, lang, with_lines=lines))

    @cli.command("check")
    @click.argument("production", required=False)
    @click.option(
        "--all",
        "every",
        is_flag=True,
        help="Check every production in the database in one pass: one line (or JSON object) each.",
    )
    @click.option("--at", "at", help="Evaluate as at this date (YYYY-MM-DD); default today.")
    @click.option(
        "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
    )
    @lang_option
    @db_option
    def check(
        production: str | None, every: bool, at: str | None, fmt: str, lang: str, db: Path
    ) -> None:
        """Run every rule of every scheme in the financing plan (exit 1 if a rule fails); with
        --all, of every production in the database, in one pass."""
        from rules.output import check_table
        from rules.runs import run_check, run_json

        if production is None or every:
            if production is not None or not every:
                raise click.UsageError("give a PRODUCTION or --all, not both")
            _check_all(db, _at(at), fmt)
            return
        run = run_check(db, production, _at(at))
        if fmt == "json":
            echo_json(run_json(run))
        else:
            click.echo(check_table(run, lang))
        if run.failed:
            raise SystemExit(1)

    @cli.command("export")
    @click.argument("production")
    @click.option(
        "--scheme",
        required=True,
        help="be_tax_shelter, wallimage, screen_brussels, cnc_acm, fr_cic, "
        "or cost (the final cost statement).",
    )
    @click.option(
        "--out",
        "out",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Output file: .xlsx for the workbook, .pdf for the one-page summary.",
    )
    @click.option("--at", "at", help="Evaluate as at this date (YYYY-MM-DD); default today.")
    @lang_option
    @db_option
    def export(
        production: str, scheme: str, out: Path, at: str | None, lang: str, db: Path
    ) -> None:
        """The funder's justification file (workbook or one-page PDF), or the final cost statement."""
        from finance.exports.run import export as run

        result = run(db, production, scheme, out, _at(at), lang)
        click.echo(f"{result.path}: written; content {result.content_hash}")

    @cli.command("evidence")
    @click.argument("production")
    @click.argument("rule_id")
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "csv"]),
        default="table",
        show_default=True,
    )
    @click.option(
        "--all", "show_all", is_flag=True, help="Also the expenses that do not count, with why."
    )
    @db_option
    def evidence(production: str, rule_id: str, fmt: str, show_all: bool, db: Path) -> None:
        """The expenses behind a rule's measured figure (latest check), with their reasons."""
        import polars as pl

        from finance.domain.fmt import jsonable
        from rules.evidence import rule_evidence

        rows = rule_evidence(db, production, rule_id)
        total = rows["counted"].sum()
        counted = rows.filter(pl.col("counted") != 0) if not show_all else rows
        if fmt == "json":
            echo_json(
                jsonable({"rule_id": rule_id, "measured": total, "expenses": counted.to_dicts()})
            )
        elif fmt == "csv":
            from finance.domain.safe_csv import safe_csv

            click.echo(safe_csv(counted.with_columns(pl.col("reasons").list.join("|"))), nl=False)
        else:
            for r in counted.iter_rows(named=True):
                why = ", ".join(r["reasons"]) or "counts"
                click.echo(
                    f"#{r['expense_id']:<7} {r['doc_date']} {r['supplier'][:28]:<28} {r['invoice_ref'] or '':<14}"
                    f" {r['amount']:>12} -> {r['counted']:>12}  {why}  ({r['source_file']} row {r['source_row']})"
                )
            click.echo(f"{counted.height} expenses, counted total {total:.2f}")

    @cli.command("runs")
    @click.argument("production")
    @click.option("--compare", nargs=2, type=int, help="Two run ids: what changed between them.")
    @db_option
    def runs(production: str, compare: tuple[int, int] | None, db: Path) -> None:
        """Stored rule runs of a production, or the differences between two of them."""
        from finance.store.db import connect

        with connect(db, read_only=True) as con:
            if not compare:
                for row in con.execute(
                    "SELECT r.id, r.as_at, r.rulebook, r.ran_at, count(*) FILTER (x.status = 'fail'), "
                    "count(*) FILTER (x.status = 'warn') FROM rule_runs r JOIN rule_results x ON x.run_id = r.id "
                    "WHERE r.production_id = ? GROUP BY ALL ORDER BY r.id",
                    [production],
                ).fetchall():
                    click.echo(
                        f"run {row[0]}: at {row[1]}, rulebook {row[2]}, ran {row[3]:%Y-%m-%d %H:%M}, "
                        f"{row[4]} fail, {row[5]} warn"
                    )
                return
            rows = con.execute(
                "SELECT a.rule_id, a.status, b.status, a.measured, b.measured, a.threshold, b.threshold "
                "FROM rule_results a FULL JOIN rule_results b ON a.rule_id = b.rule_id AND b.run_id = ? "
                "WHERE a.run_id = ? ORDER BY 1",
                [compare[1], compare[0]],
            ).fetchall()
        changed = [r for r in rows if (r[1], r[3], r[5]) != (r[2], r[4], r[6])]
        for rule, s1, s2, m1, m2, t1, t2 in changed:
            click.echo(f"{rule}: {s1} -> {s2}; measured {m1} -> {m2}; threshold {t1} -> {t2}")
        if not changed:
            click.echo(f"runs {compare[0]} and {compare[1]}: same statuses, figures and thresholds")

    @cli.command("to-code")
    @click.argument("production")
    @db_option
    def to_code(production: str, db: Path) -> None:
        """Documents waiting for a budget line (e-invoices without a known accounting reference)."""
        _quarantine_list(db, production, "to_code")

    @cli.command("quarantine")
    @click.argument("production")
    @db_option
    def quarantine(production: str, db: Path) -> None:
        """Rows rejected by `import expenses --skip-invalid`, with their reasons."""
        _quarantine_list(db, production, "invalid")

    @cli.command("dashboard")
    @click.option("--port", default=8501, show_default=True, help="Port to serve on.")
    @click.option(
        "--address",
        default="localhost",
        show_default=True,
        help="Interface to listen on (localhost keeps it on this machine).",
    )
    @db_option
    def dashboard(port: int, address: str, db: Path) -> None:
        """Serve the dashboard on this database."""
        from finance.access.serve import serve

        serve(db, port, address)

    @cli.command("demo")
    @click.option("--port", default=8501, show_default=True, help="Dashboard port.")
    @click.option("--no-serve", is_flag=True, help="Load and print the report; do not serve.")
    @click.option(
        "--db",
        "db",
        type=click.Path(dir_okay=False, path_type=Path),
        default="demo.duckdb",
        show_default=True,
        help="Database file to (re)create for the demo.",
    )
    @lang_option
    def demo(port: int, no_serve: bool, db: Path, lang: str) -> None:
        """Load the bundled demo production into a fresh database, print its report, serve."""
        from finance.demo.load import DEMO_AT, DEMO_ID, load_demo
        from finance.reports.cost_report import cost_report
        from finance.reports.output import report_table

        for line in load_demo(db):
            click.echo(line)
        click.echo("")
        click.echo(report_table(cost_report(db, DEMO_ID, DEMO_AT), lang))
        from rules.output import check_table
        from rules.runs import run_check

        click.echo("")
        click.echo(check_table(run_check(db, DEMO_ID, DEMO_AT), lang))
        if not no_serve:
            from finance.access.serve import serve

            serve(db, port)


def _quarantine_list(db: Path, production: str, kind: str) -> None:
    """The quarantine rows of one kind (invalid, or waiting to be coded)."""
    from finance.store.db import connect

    with connect(db, read_only=True) as con:
        rows = con.execute(
            "SELECT source_file, source_row, reasons FROM quarantine WHERE production_id = ? AND kind = ? "
            "ORDER BY batch_id, source_file, source_row",
            [production, kind],
        ).fetchall()
    if not rows:
        click.echo(
            f"{production}: {'nothing waits to be coded' if kind == 'to_code' else 'quarantine is empty'}"
        )
    for file, row, reasons in rows:
        click.echo(f"{file} row {row}: {reasons}")
