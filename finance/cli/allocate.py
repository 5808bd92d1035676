"""`cineledger allocate`: which spent invoice counts for which funder's obligation, solved so that
no euro is counted twice where the rules forbid it (rules/allocation.py)."""

from __future__ import annotations

from pathlib import Path

import click

from finance.cli.options import db_option, echo_json, fail_if, format_option, lang_option, parse_at
from finance.store.db import connect
from rules.allocation_output import allocation_json, allocation_table
from rules.allocation_store import current_allocation


@click.command("allocate")
@click.argument("production")
@click.option("--at", "at", help="As at this date (YYYY-MM-DD); default today.")
@format_option("table", "json")
@lang_option
@db_option
def allocate(production: str, at: str | None, fmt: str, lang: str, db: Path) -> None:
    """Allocate the spent invoices to the funders' obligations (exit 1 when one stays short):
    each obligation's required spend, allocated total and margin beside the naive allocation's,
    and the invoices moved from it. The allocation stored with the latest check as at that date
    is read while the ledger and the plan are as it found them, else it is computed."""
    with connect(db, read_only=True) as con:
        allocation, run_id = current_allocation(con, production, parse_at(at))
    if fmt == "json":
        echo_json({**allocation_json(allocation), "run_id": run_id})
    else:
        click.echo(allocation_table(allocation, lang), nl=False)
    fail_if(bool(allocation.short))
