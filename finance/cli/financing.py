"""`cineledger financing`: the financing plan against the devis, the tranches and receipts, and
the cash-flow plan with its low point; with what-if options, the same beside a scenario."""

from __future__ import annotations

from pathlib import Path

import click

from finance.cli.options import db_option, echo_json, format_option, lang_option, parse_at
from finance.domain import i18n
from finance.financing.output import comparison_json, comparison_table, view_json, view_table
from finance.financing.run import financing_view
from finance.financing.whatif import WhatIf, compare


def _delays(values: tuple[str, ...]) -> dict[str, int]:
    """`TRANCHE=WEEKS` pairs (`wallimage/3=6`)."""
    out = {}
    for value in values:
        tranche, _, weeks = value.rpartition("=")
        try:
            out[tranche.strip()] = int(weeks)
        except ValueError:
            raise i18n.error("error.whatif.delay", value=repr(value)) from None
        if not tranche.strip():
            raise i18n.error("error.whatif.delay", value=repr(value))
    return out


@click.command("financing")
@click.argument("production")
@format_option("table", "json")
@click.option("--at", "at", help="As at this date (YYYY-MM-DD); default today.")
@click.option(
    "--shift-shoot",
    "shift",
    type=int,
    default=0,
    help="What-if: move the shooting start (and the later milestones) by this many weeks "
    "(negative: earlier).",
)
@click.option(
    "--delay",
    "delays",
    multiple=True,
    metavar="TRANCHE=WEEKS",
    help="What-if: delay a tranche by this many weeks (repeatable).",
)
@click.option(
    "--drop",
    "drops",
    multiple=True,
    metavar="SOURCE",
    help="What-if: leave a source out of the plan (repeatable).",
)
@lang_option
@db_option
def financing(
    production: str,
    fmt: str,
    at: str | None,
    shift: int,
    delays: tuple[str, ...],
    drops: tuple[str, ...],
    lang: str,
    db: Path,
) -> None:
    """The financing plan, its gap, the tranches and receipts, and the cash-flow plan."""
    day = parse_at(at)
    what_if = WhatIf(shift, _delays(delays), frozenset(drops))
    if what_if.empty:
        view = financing_view(db, production, day)
        if fmt == "json":
            echo_json(view_json(view))
        else:
            click.echo(view_table(view, lang))
        return
    comparison = compare(db, production, day, what_if)
    if fmt == "json":
        echo_json(comparison_json(comparison))
    else:
        click.echo(comparison_table(comparison, lang))
