"""`cineledger report`: the cost report and burn rate of a production."""

from __future__ import annotations

from pathlib import Path

import click

from finance.cli.options import db_option, echo_json, format_option, lang_option, parse_at
from finance.reports.cost_report import cost_report
from finance.reports.output import report_json, report_table


@click.command("report")
@click.argument("production")
@format_option("table", "json")
@click.option("--at", "at", help="Report as at this date (YYYY-MM-DD); default today.")
@click.option("--lines", is_flag=True, help="Show every budget line under its chapter.")
@lang_option
@db_option
def report(production: str, fmt: str, at: str | None, lines: bool, lang: str, db: Path) -> None:
    """Cost report and burn rate."""
    result = cost_report(db, production, parse_at(at))
    if fmt == "json":
        echo_json(report_json(result))
    else:
        click.echo(report_table(result, lang, with_lines=lines))
