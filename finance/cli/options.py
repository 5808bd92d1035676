"""What every `cineledger` command shares: its options, the database it works on, and the one
place that turns errors into a message and an exit code.

Exit codes (interfaces.md section 4): 0 success, 1 a check ran and a rule failed, 2 bad input or
usage (nothing written), 3 an internal error. Errors are one clear message per problem, never a
traceback.

The database (`--db`), one rule: the `--db` after the command wins over the `--db` before it,
which wins over `$CINELEDGER_DB`, which wins over `./cineledger.duckdb`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from finance.domain import i18n
from finance.domain.errors import UserError
from finance.domain.reasons import error_lines
from finance.store.db import default_db_path

F = TypeVar("F", bound=Callable[..., Any])
EXIT_RULE_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
DEMO_DB = "demo.duckdb"
DB_RULE = (
    "The database: the --db after the command wins over the --db before it, which wins over "
    "$CINELEDGER_DB, which wins over ./cineledger.duckdb."
)


class GuardedGroup(click.Group):
    """The `cineledger` group: runs a command and turns every error into a message and an exit
    code, the same through the console script and through click's test runner. It always
    ends with `sys.exit` (`standalone_mode` is accepted for click's signature, not used)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> NoReturn:
        _chosen.clear()  # a new invocation (click's test runner calls main again in-process)
        try:
            super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(EXIT_BAD_INPUT)
        except click.exceptions.Abort:
            click.echo(say("cli.aborted"), err=True)
            sys.exit(EXIT_BAD_INPUT)
        except UserError as exc:
            for line in error_lines(exc, language()):
                click.echo(line, err=True)
            sys.exit(EXIT_BAD_INPUT)
        except KeyboardInterrupt:
            sys.exit(130)
        except Exception as exc:  # the last guard: a user never sees a traceback
            internal_error(exc)
        sys.exit(0)


def internal_error(exc: Exception) -> NoReturn:
    """One line for a bug (exit 3); `CINELEDGER_DEBUG=1` re-raises it with its traceback."""
    if os.environ.get("CINELEDGER_DEBUG"):
        raise exc
    click.echo(say("cli.internal_error", error=f"{type(exc).__name__}: {exc}"), err=True)
    sys.exit(EXIT_INTERNAL)


def _before_command(ctx: click.Context) -> Path | None:
    """The `--db` given before the command (`cineledger --db FILE report ...`), if any."""
    parent = ctx.parent
    while parent is not None:
        if parent.params.get("db") is not None:
            return Path(parent.params["db"])
        parent = parent.parent
    return None


def _resolve_db(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    """After the command, else before it, else $CINELEDGER_DB, else ./cineledger.duckdb."""
    if value is not None:
        return value
    chosen = _before_command(ctx) or default_db_path()
    return Path(param.type.convert(chosen, param, ctx))


def _resolve_demo_db(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    """The demo's database: after the command, else before it, else demo.duckdb (never
    $CINELEDGER_DB: the demo must not write into the database a user works on)."""
    if value is not None:
        return value
    return Path(param.type.convert(_before_command(ctx) or DEMO_DB, param, ctx))


def _db_path() -> click.Path:
    return click.Path(dir_okay=False, path_type=Path)


def root_db_option(func: F) -> F:
    """`cineledger --db PATH COMMAND ...`: the database of the command that follows."""
    return click.option(
        "--db",
        "db",
        type=_db_path(),
        default=None,
        help="DuckDB database file of the command that follows (a --db after the command wins).",
    )(func)


def db_option(func: F) -> F:
    """`--db PATH` on every command that reads or writes the database (see `DB_RULE`)."""
    return click.option(
        "--db",
        "db",
        type=_db_path(),
        default=None,
        callback=_resolve_db,
        help="DuckDB database file; default: the --db before the command, else $CINELEDGER_DB, "
        "else cineledger.duckdb.",
    )(func)


def demo_db_option(func: F) -> F:
    """The demo's `--db`: the file it (re)creates, demo.duckdb unless a --db is given."""
    return click.option(
        "--db",
        "db",
        type=_db_path(),
        default=None,
        callback=_resolve_demo_db,
        help="Database file to (re)create for the demo; default: the --db before the command, "
        "else demo.duckdb.",
    )(func)


#: the language of this invocation's messages, as `--lang` (before or after the command) or
#: CINELEDGER_LANG chose it; French by default
_chosen: dict[str, str] = {}


def language() -> str:
    """The language of the command's messages and tables."""
    return _chosen.get("lang") or os.environ.get("CINELEDGER_LANG", "") or "fr"


def say(key: str, **values: Any) -> str:
    """The message `key` of the catalogue in the command's language, filled from `values`."""
    return i18n.text(key, language(), **values)


def _remember_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """A `--lang` given (after the command) wins over the one before it; none given: the one
    before, else CINELEDGER_LANG, else French."""
    if value:
        _chosen["lang"] = value
    return language()


def root_lang_option(func: F) -> F:
    """`cineledger --lang en COMMAND ...`: the language of the command that follows."""
    return click.option(
        "--lang",
        "lang",
        type=click.Choice(list(i18n.LANGS)),
        default=None,
        callback=_remember_lang,
        is_eager=True,
        help="Language of the messages and tables of the command that follows (fr, nl, en; "
        "default $CINELEDGER_LANG, else fr).",
    )(func)


def lang_option(func: F) -> F:
    """`--lang fr|nl|en` for human output (Belgian number and date formats)."""
    return click.option(
        "--lang",
        type=click.Choice(list(i18n.LANGS)),
        default=None,
        callback=_remember_lang,
        help="Language and number format of messages and tables (default: the --lang before "
        "the command, else $CINELEDGER_LANG, else fr).",
    )(func)


def format_option(*choices: str) -> Callable[[F], F]:
    """`--format` (as `fmt`), the first choice by default."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
    )


def today() -> date:
    """Today's date, the default `--at` (`CINELEDGER_TODAY` overrides it for reproducible
    output)."""
    env = os.environ.get("CINELEDGER_TODAY")
    return date.fromisoformat(env) if env else date.today()


def parse_at(value: str | None) -> date:
    """The `--at` date: ISO, or today when not given."""
    if value is None:
        return today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise i18n.error("error.cli.at_date", value=repr(value)) from None


def echo_json(data: Any) -> None:
    """Pretty, stable JSON on stdout (money is already text: never a float)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def fail_if(failed: bool) -> None:
    """Exit 1 when a check ran and a rule failed (the output is already printed)."""
    if failed:
        raise SystemExit(EXIT_RULE_FAILED)
