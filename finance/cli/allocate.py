"""`cineledger allocate`: which spent invoice counts for which funder's obligation, solved so that
no euro is counted twice where the rules forbid it (rules/allocation.py)."""

from __future__ import annotations

from pathlib import Path

import click

from finance.cli.options import db_option, echo_json, fail_if, format_option, lang_option, parse_at
from finance.store.db import connect
from rules.allocation import allocate as allocate_invoices
from rules.allocation_output import allocation_json, allocation_table


@click.command("allocate")
@click.argument("production")
@click.option("--at", "at", help="As at this date (YYYY-MM-DD); default today.")
@format_option("table", "json")
@lang_option
@db_option
def allocate(production: str, at: str | None, fmt: str, lang: str, db: Path) -> None:
    """Allocate the spent invoices to the funders' obligations (exit 1 when one stays short):
    each obligation's required spend, allocated total and margin beside the naive allocation's,
    and the invoices moved from it."""
    with connect(db, read_only=True) as con:
        allocation = allocate_invoices(con, production, parse_at(at))
    if fmt == "json":
        echo_json(allocation_json(allocation))
    else:
        click.echo(allocation_table(allocation, lang), nl=False)
    fail_if(bool(allocation.short))
