"""`cineledger`: the group, built from one module per command group.

The command modules import `finance.cli.options` (shared options, the database rule, the error
guard), never this module; this module imports them. `main` is the console script
(`cineledger = "finance.cli.main:main"`) and `python -m finance`.
"""

from __future__ import annotations

from pathlib import Path

import click

from finance.cli import (
    admin,
    allocate,
    check,
    demo,
    export,
    financing,
    imports,
    plan_spend,
    production,
    report,
)
from finance.cli.options import DB_RULE, GuardedGroup, root_db_option, root_lang_option

HELP = f"""Cinéledger: budget, spend and funders' territorial rules of a film production.

{DB_RULE}"""


@click.group(
    "cineledger",
    cls=GuardedGroup,
    help=HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="cineledger")
@root_db_option
@root_lang_option
def cli(db: Path | None, lang: str) -> None:
    """The group: `--db` and `--lang` before the command are read by the commands' own
    (options.py)."""


for command in (
    production.production,
    imports.import_,
    imports.quarantine,
    imports.to_code,
    imports.code,
    report.report,
    financing.financing,
    check.check,
    check.evidence,
    check.runs,
    allocate.allocate,
    plan_spend.plan_spend,
    export.export,
    admin.override_cmd,
    admin.audit_cmd,
    admin.backup_cmd,
    admin.restore_cmd,
    admin.user,
    demo.dashboard,
    demo.demo,
):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI; every error becomes a message and an exit code (options.py)."""
    cli.main(args=argv, prog_name="cineledger")
