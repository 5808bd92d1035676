"""`cineledger export`: a funder's justification file, or the final cost statement."""

from __future__ import annotations

from pathlib import Path

import click

from finance.cli.options import db_option, lang_option, parse_at, say
from finance.domain.packs import exportable_schemes


class SchemeOption(click.Option):
    """`--scheme`, whose help lists the schemes of the rule packs in use, read when shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        self.help = f"{', '.join(exportable_schemes())}, or cost (the final cost statement)."
        return super().get_help_record(ctx)


@click.command("export")
@click.argument("production")
@click.option("--scheme", cls=SchemeOption, required=True, help="A scheme of the rule packs.")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file: .xlsx for the workbook, .pdf for the one-page summary.",
)
@click.option("--at", "at", help="Evaluate as at this date (YYYY-MM-DD); default today.")
@lang_option
@db_option
def export(production: str, scheme: str, out: Path, at: str | None, lang: str, db: Path) -> None:
    """The funder's justification file (workbook or one-page PDF), or the final cost statement."""
    # deferred: the workbook and PDF writers add 0.17 s and 50 MB to every other command's start
    from finance.exports.run import export as write_export

    result = write_export(db, production, scheme, out, parse_at(at), lang)
    click.echo(say("cli.export.written", path=str(result.path), hash=result.content_hash))
