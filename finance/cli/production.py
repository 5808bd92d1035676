"""`cineledger production add|list`: the productions, from their YAML manifests."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click

from finance.cli.options import db_option, echo_json, format_option, language, say
from finance.domain.fmt import fmt_count, fmt_money, jsonable
from finance.store.db import connect
from finance.store.productions import add_production, list_productions


@click.group()
def production() -> None:
    """Create, update and list productions (from their YAML manifest)."""


@production.command("add")
@click.argument("manifest", type=click.Path(path_type=Path))
@db_option
def production_add(manifest: Path, db: Path) -> None:
    """Create or update a production from its manifest."""
    result = add_production(db, manifest)
    action = say(f"cli.production.action.{result.action}")
    click.echo(say("cli.production.saved", production=result.production_id, action=action))


@production.command("list")
@db_option
@format_option("table", "json")
def production_list(db: Path, fmt: str) -> None:
    """The productions in the database."""
    with connect(db, read_only=True) as con:
        frame = list_productions(con)
    if fmt == "json":
        echo_json(jsonable(frame.to_dicts()))
    elif frame.height == 0:
        click.echo(say("cli.production.none"))
    else:
        for row in frame.to_dicts():
            click.echo(
                f"{row['id']:<24} {row['title']:<32} {row['kind']:<12} "
                f"{row['currency']} {fmt_money(row['budget'] or Decimal(0), language()):>16} "
                f"{fmt_count(row['expenses'], language()):>8} " + say("cli.production.row_expenses")
            )
