"""`cineledger check`, and what a check leaves: `evidence` (the expenses behind a figure) and
`runs` (the stored rule runs, and what changed between two)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import click
import polars as pl

from finance.checks import record_export, rule_evidence, run_check, run_checks
from finance.cli.options import (
    db_option,
    echo_json,
    fail_if,
    format_option,
    lang_option,
    language,
    parse_at,
    say,
)
from finance.domain.fmt import fmt_date, fmt_money, jsonable
from finance.domain.safe_csv import safe_csv
from finance.store import queries
from finance.store.db import connect
from rules.evidence import tests_supplier_address
from rules.output import check_table, portfolio_table
from rules.runs import run_json


@click.command("check")
@click.argument("production", required=False)
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="Check every production in the database in one pass: one line (or JSON object) each.",
)
@click.option("--at", "at", help="Evaluate as at this date (YYYY-MM-DD); default today.")
@format_option("table", "json")
@lang_option
@db_option
def check(
    production: str | None, every: bool, at: str | None, fmt: str, lang: str, db: Path
) -> None:
    """Run every rule of every scheme in the financing plan (exit 1 if a rule fails); with
    --all, of every production in the database, in one pass."""
    if production is None or every:
        if production is not None or not every:
            raise click.UsageError("give a PRODUCTION or --all, not both")
        _check_all(db, parse_at(at), fmt, lang)
        return
    run = run_check(db, production, parse_at(at))
    if fmt == "json":
        echo_json(run_json(run))
    else:
        click.echo(check_table(run, lang))
    fail_if(run.failed)


def _check_all(db: Path, at: date, fmt: str, lang: str) -> None:
    """`check --all`: every production's run (JSON: the list of `check --format json` objects);
    exit 1 when a rule of any production fails."""
    runs = run_checks(db, None, at)
    if fmt == "json":
        echo_json([run_json(r) for r in runs])
    elif not runs:
        click.echo(say("cli.production.none"))
    else:
        click.echo(portfolio_table(runs, lang))
    fail_if(any(r.failed for r in runs))


@click.command("evidence")
@click.argument("production")
@click.argument("rule_id")
@format_option("table", "json", "csv")
@click.option(
    "--all", "show_all", is_flag=True, help="Also the expenses that do not count, with why."
)
@db_option
def evidence(production: str, rule_id: str, fmt: str, show_all: bool, db: Path) -> None:
    """The expenses behind a rule's measured figure (latest check), with their reasons."""
    rows = rule_evidence(db, production, rule_id)
    total = rows["counted"].sum()
    counted = rows.filter(pl.col("counted") != 0) if not show_all else rows
    if fmt in ("json", "csv"):  # an export of evidence: recorded in the audit trail
        record_export(db, production, rule_id, fmt, counted.height)
    if fmt == "json":
        echo_json(jsonable({"rule_id": rule_id, "measured": total, "expenses": counted.to_dicts()}))
    elif fmt == "csv":
        click.echo(safe_csv(counted.with_columns(pl.col("reasons").list.join("|"))), nl=False)
    else:
        # the address the territory was tested on, where the scheme reads a supplier record
        shown = tests_supplier_address(rule_id)
        for r in counted.iter_rows(named=True):
            why = ", ".join(r["reasons"]) or say("cli.evidence.counts")
            if shown and r["address_used"]:
                why += "  " + say(
                    "cli.evidence.address", address=say(f"address.{r['address_used']}")
                )
            click.echo(
                f"#{r['expense_id']:<7} {r['doc_date']} {r['supplier'][:28]:<28} {r['invoice_ref'] or '':<14}"
                f" {r['amount']:>12} -> {r['counted']:>12}  {why}  "
                + "("
                + say("cli.source", file=str(r["source_file"]), row=str(r["source_row"]))
                + ")"
            )
        click.echo(
            say(
                "cli.evidence.total",
                n=counted.height,
                total=fmt_money(Decimal(str(total)), language(), "EUR"),
            )
        )


@click.command("runs")
@click.argument("production")
@click.option("--compare", nargs=2, type=int, help="Two run ids: what changed between them.")
@db_option
def runs(production: str, compare: tuple[int, int] | None, db: Path) -> None:
    """Stored rule runs of a production, or the differences between two of them."""
    if compare:
        _compare_runs(db, *compare)
        return
    with connect(db, read_only=True) as con:
        rows = queries.rows(con, "runs.list", {"pid": production})
    for row in rows:
        click.echo(
            say(
                "cli.runs.row",
                id=str(row[0]),
                at=fmt_date(row[1], language()),
                rulebook=str(row[2]),
                ran=f"{fmt_date(row[3].date(), language())} {row[3]:%H:%M}",
                fail=row[4],
                warn=row[5],
            )
        )


def _compare_runs(db: Path, first: int, second: int) -> None:
    """`runs --compare A B`: the rules whose status, measured figure or threshold changed."""
    with connect(db, read_only=True) as con:
        rows = queries.rows(con, "runs.compare", {"a": first, "b": second})
    changed = [r for r in rows if (r[1], r[3], r[5]) != (r[2], r[4], r[6])]
    for rule, s1, s2, m1, m2, t1, t2 in changed:
        figures = {"m1": m1, "m2": m2, "t1": t1, "t2": t2}
        words = {k: "–" if v is None else str(v) for k, v in figures.items()}
        click.echo(say("cli.runs.changed", rule=rule, s1=str(s1), s2=str(s2), **words))
    if not changed:
        click.echo(say("cli.runs.same", first=str(first), second=str(second)))
