"""`cineledger`: one thin command per job, each a single call into the library.

Exit codes (interfaces.md section 4): 0 success, 1 a check ran and a rule failed, 2 bad input or
usage (nothing written). Errors are one clear message per problem, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from finance.domain.errors import UserError
from finance.store.db import ENV_DB

F = TypeVar("F", bound=Callable[..., Any])
EXIT_RULE_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3


def db_option(func: F) -> F:
    """`--db PATH` on every command; default $CINELEDGER_DB, else ./cineledger.duckdb."""
    return click.option(
        "--db",
        "db",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar=ENV_DB,
        default="cineledger.duckdb",
        show_default=True,
        show_envvar=True,
        help="DuckDB database file.",
    )(func)


def lang_option(func: F) -> F:
    """`--lang fr|nl|en` for human output (Belgian number and date formats)."""
    return click.option(
        "--lang",
        type=click.Choice(["fr", "nl", "en"]),
        envvar="CINELEDGER_LANG",
        default="fr",
        show_default=True,
        help="Language and number format of tables.",
    )(func)


def echo_json(data: Any) -> None:
    """Pretty, stable JSON on stdout (money is already text: never a float)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="cineledger")
def cli() -> None:
    """Cinéledger: budget, spend and funders' territorial rules of a film production."""


@cli.group()
def production() -> None:
    """Create, update and list productions (from their YAML manifest)."""


@production.command("add")
@click.argument("manifest", type=click.Path(path_type=Path))
@db_option
def production_add(manifest: Path, db: Path) -> None:
    """Create or update a production from its manifest."""
    from finance.store.productions import add_production

    result = add_production(db, manifest)
    click.echo(f"{result.production_id}: {result.action}")


@production.command("list")
@db_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def production_list(db: Path, fmt: str) -> None:
    """The productions in the database."""
    from finance.domain.fmt import jsonable
    from finance.store.db import connect
    from finance.store.productions import list_productions

    with connect(db, read_only=True) as con:
        frame = list_productions(con)
    if fmt == "json":
        echo_json(jsonable(frame.to_dicts()))
    elif frame.height == 0:
        click.echo("no productions yet: run `cineledger production add MANIFEST`")
    else:
        for row in frame.to_dicts():
            click.echo(
                f"{row['id']:<24} {row['title']:<32} {row['kind']:<12} "
                f"{row['currency']} {row['budget'] or 0:>14}  {row['expenses']:>8} expenses"
            )


from finance.cli.admin import register as register_admin  # noqa: E402
from finance.cli.commands import register  # noqa: E402  (commands live in their own module)

register(cli)
register_admin(cli)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning every error into a message and an exit code."""
    try:
        cli.main(args=argv, prog_name="cineledger", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_BAD_INPUT)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except UserError as exc:
        for line in exc.lines():
            click.echo(line, err=True)
        sys.exit(EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the last guard: a user never sees a traceback
        if os.environ.get("CINELEDGER_DEBUG"):
            raise
        click.echo(
            f"internal error: {type(exc).__name__}: {exc} "
            f"(set CINELEDGER_DEBUG=1 for details, and please report it)",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(0)


def today() -> date:
    """Today's date, the default `--at` (overridable for reproducible output)."""
    env = os.environ.get("CINELEDGER_TODAY")
    return date.fromisoformat(env) if env else date.today()
