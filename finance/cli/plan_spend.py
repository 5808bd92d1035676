"""`cineledger plan-spend`: where the remaining devis lines should be spent so that every
obligation is met at completion at the least extra cost (rules/spend_plan.py), and why."""

from __future__ import annotations

from pathlib import Path

import click

from finance.cli.options import db_option, echo_json, fail_if, format_option, lang_option, parse_at
from finance.store.db import connect
from rules.spend_options import read_options
from rules.spend_plan import plan_spend as plan
from rules.spend_plan_output import plan_json, plan_table


@click.command("plan-spend")
@click.argument("production")
@click.option(
    "--options",
    "options_file",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="YAML or CSV: the open devis lines, where else each could be spent, price factors.",
)
@click.option("--at", "at", help="As at this date (YYYY-MM-DD); default today.")
@format_option("table", "json")
@lang_option
@db_option
def plan_spend(
    production: str, options_file: Path, at: str | None, fmt: str, lang: str, db: Path
) -> None:
    """Plan where the remaining budget should be spent (exit 1 when an obligation stays short
    even with the best plan): the suggested moves, the obligations before and after, and what
    binds each one."""
    options = read_options(options_file, lang)
    with connect(db, read_only=True) as con:
        found = plan(con, production, parse_at(at), options, lang)
    if fmt == "json":
        echo_json(plan_json(found, lang))
    else:
        click.echo(plan_table(found, lang), nl=False)
    fail_if(bool(found.short))
