"""The administration commands of `cineledger`: override, audit, backup, restore, user."""

from __future__ import annotations

import json
from pathlib import Path

import click

from finance.access.auth import write_user
from finance.classify.overrides import override, parse_ids
from finance.cli.options import db_option, echo_json, format_option, say
from finance.domain import i18n
from finance.domain.fmt import jsonable, printable
from finance.store.audit import trail
from finance.store.backup import backup, restore
from finance.store.backup_check import read_key
from finance.store.db import connect


@click.command("override")
@click.argument("production")
@click.argument("expense_ids")
@click.option(
    "--set",
    "assignment",
    required=True,
    help="FIELD=VALUE: territory, category, ts_class, be_taxable, av_company or be_tax_regime.",
)
@click.option("--reason", required=True, help="Why: shown to the funder's auditor.")
@db_option
def override_cmd(production: str, expense_ids: str, assignment: str, reason: str, db: Path) -> None:
    """Correct the classification of expenses (ids like 12,14-18), with a reason."""
    fld, sep, value = assignment.partition("=")
    if not sep:
        raise i18n.error("cli.override.usage")
    outcome = override(db, production, parse_ids(expense_ids), fld.strip(), value, reason)
    for row in outcome.changed.iter_rows(named=True):
        click.echo(
            say(
                "cli.override.changed",
                id=str(row["id"]),
                field=outcome.field,
                before=str(row["before"]),
                value=str(outcome.value),
            )
        )


@click.command("audit")
@click.argument("production", required=False)
@click.option("--limit", default=50, show_default=True, help="Newest entries shown.")
@format_option("table", "json")
@db_option
def audit_cmd(production: str | None, limit: int, fmt: str, db: Path) -> None:
    """The audit trail: who imported, overrode, checked or exported what, when and why."""
    with connect(db, read_only=True) as con:
        frame = trail(con, production, limit)
    if fmt == "json":
        rows = frame.to_dicts()
        for r in rows:
            r["details"] = json.loads(r["details"]) if r["details"] else None
        echo_json(jsonable(rows))
        return
    for r in frame.iter_rows(named=True):  # one line per entry, whatever its texts hold
        reason = printable(r["reason"])
        why = "  " + say("cli.audit.because", reason=reason) if reason else ""
        click.echo(
            f"{r['id']:>6} {r['occurred_at']:%Y-%m-%d %H:%M:%S} {printable(r['actor']):<16} "
            f"{r['action']:<18} {printable(r['production_id']) or '*':<16} "
            f"{printable(r['target'])}{why}"
        )


KEY_HELP = (
    "The backup key file (hex); default: the one kept beside the database "
    "(DATABASE.backup-key, made on the first backup)."
)


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path), help=KEY_HELP)
@db_option
def backup_cmd(folder: Path, key_file: Path | None, db: Path) -> None:
    """Write a consistent snapshot (Parquet tables, manifests, documents) into FOLDER, signed."""
    outcome = backup(db, folder, read_key(key_file) if key_file else None)
    total = sum(outcome.tables.values())
    click.echo(
        say("cli.backup.written", folder=str(folder), tables=len(outcome.tables), rows=total)
    )


@click.command("restore")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--key",
    "key_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The key file of the database the backup was made from (DATABASE.backup-key); "
    "its signature is checked with it.",
)
@click.option(
    "--trust",
    is_flag=True,
    help="Restore a backup whose integrity cannot be proven (no key, or made before backups "
    "were signed). A signature that does not match is refused even so.",
)
@db_option
def restore_cmd(folder: Path, key_file: Path | None, trust: bool, db: Path) -> None:
    """Bring a backup back into the (new, empty) database named by --db."""
    outcome = restore(folder, db, read_key(key_file) if key_file else None, trust)
    tables = outcome.tables
    if outcome.proof == "trusted":
        click.echo(say("cli.restore.unproven"), err=True)
    click.echo(
        say(
            "cli.restore.done",
            db=str(db),
            rows=sum(tables.values()),
            tables=len(tables),
            folder=str(folder),
        )
    )


@click.group("user")
def user() -> None:
    """Dashboard accounts (password mode): stored hashed in a TOML settings file."""


@user.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["viewer", "editor"]),
    required=True,
    help="viewer: read and export; editor: also import and correct.",
)
@click.option(
    "--auth-file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="CINELEDGER_AUTH_FILE",
    default="cineledger-auth.toml",
    show_default=True,
    show_envvar=True,
    help="Settings file the dashboard reads (CINELEDGER_AUTH_FILE).",
)
@click.password_option(help="Prompted (twice) when not given; at least 10 characters.")
def user_add(name: str, role: str, auth_file: Path, password: str) -> None:
    """Add or replace an account; only a salted scrypt hash of the password is stored."""
    write_user(auth_file, name, role, password)
    click.echo(say("cli.user.saved", file=str(auth_file), name=name, role=role))
