"""The command line as a user drives it: exact totals, atomic rejection, quarantine, idempotence,
clear errors with exit code 2 and never a traceback; the `--db` rule. In this process with click's
test runner; a few end-to-end tests run the real `cineledger` console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from finance.cli.options import GuardedGroup, demo_db_option, root_db_option
from tests.belgian_csv import (
    ACTUAL_TOTAL,
    BROKEN,
    COMMITTED_TOTAL,
    ROWS,
    setup_production,
    write_csv,
)
from tests.cli_run import invoke

#: these tests read the commands' messages in English
pytestmark = pytest.mark.usefixtures("cli_in_english")

AT = "2026-11-22"


def cli(*args: str, db: Path | None, check: int | None = 0) -> Result:
    db_args = ["--db", str(db)] if db else []
    result = invoke(*args, *db_args)
    if check is not None:
        assert result.exit_code == check, result.output
    return result


@pytest.fixture
def production(tmp_path: Path, db: Path) -> Path:
    manifest, devis = setup_production(tmp_path)
    cli("production", "add", str(manifest), db=db)
    cli("import", "budget", "essai", str(devis), db=db)
    return tmp_path


def totals(db: Path) -> dict[str, Decimal]:
    report = json.loads(
        cli("report", "essai", "--format", "json", "--at", "2025-06-30", db=db).stdout
    )
    return {k: Decimal(v) for k, v in report["totals"].items() if k != "pct_spent"}


def test_belgian_excel_csv_imports_with_exact_totals(production: Path, db: Path) -> None:
    path = write_csv(production / "depenses.csv", ROWS)
    out = cli("import", "expenses", "essai", str(path), db=db)
    assert "8 rows read, 8 imported" in out.stdout
    figures = totals(db)
    assert figures["actual"] == ACTUAL_TOTAL
    assert figures["committed"] == COMMITTED_TOTAL


def test_three_broken_rows_reject_the_file_whole(production: Path, db: Path) -> None:
    path = write_csv(production / "depenses.csv", ROWS + BROKEN)
    before = db.read_bytes()
    out = cli("import", "expenses", "essai", str(path), db=db, check=2)
    assert "nothing imported: 3 invalid rows" in out.stderr
    for row, column in ((10, "date"), (11, "amount"), (12, "budget_code")):
        assert f"depenses.csv:row {row}, column '{column}'" in out.stderr
    assert db.read_bytes() == before


def test_skip_invalid_quarantines_the_broken_rows(production: Path, db: Path) -> None:
    path = write_csv(production / "depenses.csv", ROWS + BROKEN)
    out = cli("import", "expenses", "essai", str(path), "--skip-invalid", db=db)
    assert "11 rows read, 8 imported, 3 rejected to quarantine" in out.stdout
    quarantine = cli("quarantine", "essai", db=db).stdout.splitlines()
    assert [line.split(":")[0] for line in quarantine] == [
        "depenses.csv row 10",
        "depenses.csv row 11",
        "depenses.csv row 12",
    ]
    assert totals(db)["actual"] == ACTUAL_TOTAL


def test_a_second_import_adds_nothing(production: Path, db: Path) -> None:
    path = write_csv(production / "depenses.csv", ROWS)
    cli("import", "expenses", "essai", str(path), db=db)
    again = cli("import", "expenses", "essai", str(path), db=db)
    assert "already imported" in again.stdout and "nothing added" in again.stdout
    copy = write_csv(production / "depenses-copie.csv", ROWS[:3])
    third = cli("import", "expenses", "essai", str(copy), db=db)
    assert "0 imported, 3 already in the ledger (skipped)" in third.stdout
    assert totals(db)["actual"] == ACTUAL_TOTAL


def test_same_invoice_number_with_other_content_is_a_conflict(production: Path, db: Path) -> None:
    cli("import", "expenses", "essai", str(write_csv(production / "a.csv", ROWS[:1])), db=db)
    changed = [[*ROWS[0][:5], "1.300,00", *ROWS[0][6:]]]
    out = cli(
        "import", "expenses", "essai", str(write_csv(production / "b.csv", changed)), db=db, check=2
    )
    assert "same supplier and invoice number as expense #1 (a.csv row 2)" in out.stderr


@pytest.mark.parametrize(
    "args,message",
    [
        (("report", "nope"), "unknown production 'nope'"),
        (("import", "expenses", "essai", "missing.csv"), "file not found"),
        (("report", "essai", "--at", "31/12/2025"), "not an ISO date"),
        (("production", "add", "nowhere.yaml"), "file not found"),
        (("check", "essai", "--format", "xml"), "Invalid value for '--format'"),
    ],
)
def test_errors_are_one_clear_message_and_exit_2(
    production: Path, db: Path, args: tuple[str, ...], message: str
) -> None:
    out = cli(*args, db=db, check=2)
    assert message in out.stderr


def test_help_lists_the_contract_commands() -> None:
    text = cli("--help", db=None).stdout
    for command in ("production", "import", "report", "check", "demo"):
        assert command in text


def test_help_documents_the_db_rule() -> None:
    text = " ".join(cli("--help", db=None).stdout.split())
    assert "the --db after the command wins over the --db before it" in text
    assert "which wins over $CINELEDGER_DB, which wins over ./cineledger.duckdb" in text


def test_the_readme_states_the_same_db_rule() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert (
        "the `--db` after the command wins over the `--db` before it, which wins over "
        "`$CINELEDGER_DB`, which wins over `./cineledger.duckdb`"
    ) in " ".join(readme.split())


# --- the database: after the command > before it > $CINELEDGER_DB > ./cineledger.duckdb ---


@pytest.mark.parametrize(
    "after,before,env,expected",
    [
        (True, True, True, "after"),
        (True, True, False, "after"),
        (True, False, True, "after"),
        (True, False, False, "after"),
        (False, True, True, "before"),
        (False, True, False, "before"),
        (False, False, True, "env"),
        (False, False, False, "default"),
    ],
)
def test_which_database_a_command_uses(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    after: bool,
    before: bool,
    env: bool,
    expected: str,
) -> None:
    """`production list` on a file that does not exist names the file it looked at."""
    monkeypatch.chdir(tmp_path)
    files = {name: tmp_path / f"{name}.duckdb" for name in ("after", "before", "env")}
    files["default"] = Path("cineledger.duckdb")
    args = [*(["--db", str(files["before"])] if before else []), "production", "list"]
    args += ["--db", str(files["after"])] if after else []
    result = invoke(*args, env={"CINELEDGER_DB": str(files["env"]) if env else None})
    assert result.exit_code == 2
    assert result.stderr == f"{files[expected]}: no database here yet; " + (
        "run `cineledger production add MANIFEST` first\n"
    )


def test_the_db_before_the_command_works_for_every_command_shape(
    production: Path, db: Path
) -> None:
    """`cineledger --db FILE report ...`, the form every new user tries first, and a nested
    command (`import expenses`) give what the --db after the command gives."""
    path = write_csv(production / "depenses.csv", ROWS)
    out = invoke("--db", str(db), "import", "expenses", "essai", str(path))
    assert out.exit_code == 0 and "8 rows read, 8 imported" in out.stdout
    args = ("report", "essai", "--format", "json", "--at", "2025-06-30")
    assert invoke("--db", str(db), *args).stdout == cli(*args, db=db).stdout
    env = invoke(*args, env={"CINELEDGER_DB": str(db)})
    assert env.stdout == cli(*args, db=db).stdout


@pytest.mark.parametrize("where", ["after", "before", "env"])
def test_a_folder_is_refused_as_database_wherever_it_is_given(tmp_path: Path, where: str) -> None:
    folder = str(tmp_path)
    args = {"after": ("report", "x", "--db", folder), "before": ("--db", folder, "report", "x")}
    result = invoke(*args.get(where, ("report", "x")), env={"CINELEDGER_DB": folder})
    assert result.exit_code == 2
    assert f"Invalid value for '--db': File '{folder}' is a directory." in result.stderr


@click.group(cls=GuardedGroup)
@root_db_option
def _probe_group(db: Path | None) -> None:
    """A group with the demo's `--db`, to see its rule without loading the demo."""


@_probe_group.command("demo")
@demo_db_option
def _probe_demo(db: Path) -> None:
    click.echo(db)


@pytest.mark.parametrize(
    "args,expected",
    [
        (("--db", "before.duckdb", "demo", "--db", "after.duckdb"), "after.duckdb"),
        (("--db", "before.duckdb", "demo"), "before.duckdb"),
        (("demo",), "demo.duckdb"),
    ],
)
def test_the_demo_database_never_comes_from_the_environment(
    args: tuple[str, ...], expected: str
) -> None:
    runner = CliRunner(env={"CINELEDGER_DB": "work.duckdb"})
    result = runner.invoke(_probe_group, list(args))
    assert (result.exit_code, result.stdout) == (0, f"{expected}\n")


def test_today_comes_from_cineledger_today(production: Path, db: Path) -> None:
    write_csv(production / "depenses.csv", ROWS)
    cli("import", "expenses", "essai", str(production / "depenses.csv"), db=db)
    pinned = invoke(
        "report",
        "essai",
        "--format",
        "json",
        "--db",
        str(db),
        env={"CINELEDGER_TODAY": "2025-06-30"},
    )
    dated = cli("report", "essai", "--format", "json", "--at", "2025-06-30", db=db)
    assert pinned.exit_code == 0 and pinned.stdout == dated.stdout
    assert json.loads(pinned.stdout)["at"] == "2025-06-30"


def test_a_bug_is_one_line_and_exit_3(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("finance.cli.report.cost_report", broken)
    result = invoke("report", "essai", "--db", str(db), env={"CINELEDGER_DEBUG": None})
    assert result.exit_code == 3
    assert result.stderr.startswith("internal error: RuntimeError: boom (set CINELEDGER_DEBUG=1")
    assert len(result.stderr.splitlines()) == 1


# --- end to end: the real console script in its own process ---


def cineledger(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed `cineledger` script (beside this Python), as a user runs it."""
    script = shutil.which("cineledger", path=str(Path(sys.executable).parent))
    assert script, "the console script is not installed (make install)"
    return subprocess.run(
        [script, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "CINELEDGER_TODAY": AT, **(env or {})},
    )


def test_end_to_end_the_demo_then_a_failing_check_exits_1(tmp_path: Path) -> None:
    db = tmp_path / "mine.duckdb"
    demo = cineledger("--db", str(db), "demo", "--no-serve")
    assert demo.returncode == 0, demo.stderr
    assert "dernier-tram" in demo.stdout and db.exists()
    check = cineledger("check", "dernier-tram", "--format", "json", env={"CINELEDGER_DB": str(db)})
    assert "fail" in {r["status"] for r in json.loads(check.stdout)["results"]}
    assert (check.returncode, check.stderr) == (1, "")


def test_end_to_end_no_traceback_reaches_the_user(tmp_path: Path) -> None:
    """A bad date (exit 2) and a bug (exit 3, forced in a process running the entry point):
    one line each on stderr, never a traceback."""
    bad = cineledger("report", "x", "--at", "31/12/2025", "--db", str(tmp_path / "a.duckdb"))
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr and "not an ISO date" in bad.stderr
    crash = subprocess.run(
        [sys.executable, "-c", BUG, "report", "x", "--db", str(tmp_path / "b.duckdb")],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "CINELEDGER_DEBUG"},
    )
    assert crash.returncode == 3 and "Traceback" not in crash.stderr
    assert crash.stderr.startswith("internal error: ZeroDivisionError")


#: the console script's entry point, with the report command broken on purpose
BUG = """
import sys
import finance.cli.report
finance.cli.report.cost_report = lambda *args: 1 / 0
from finance.cli.main import main

main(sys.argv[1:])
"""
