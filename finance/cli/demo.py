"""`cineledger demo` (the bundled production in a fresh database) and `cineledger dashboard`
(serve the dashboard on a database)."""

from __future__ import annotations

from pathlib import Path

import click

from finance.access.serve import serve
from finance.checks import run_check
from finance.cli.options import db_option, demo_db_option, lang_option
from finance.demo.load import DEMO_AT, DEMO_ID, load_demo
from finance.reports.cost_report import cost_report
from finance.reports.output import report_table
from rules.output import check_table


@click.command("dashboard")
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
    serve(db, port, address)


@click.command("demo")
@click.option("--port", default=8501, show_default=True, help="Dashboard port.")
@click.option("--no-serve", is_flag=True, help="Load and print the report; do not serve.")
@demo_db_option
@lang_option
def demo(port: int, no_serve: bool, db: Path, lang: str) -> None:
    """Load the bundled demo production into a fresh database, print its report, serve."""
    for line in load_demo(db, lang=lang):
        click.echo(line)
    click.echo("")
    click.echo(report_table(cost_report(db, DEMO_ID, DEMO_AT), lang))
    click.echo("")
    click.echo(check_table(run_check(db, DEMO_ID, DEMO_AT), lang))
    if not no_serve:
        serve(db, port)
