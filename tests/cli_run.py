"""Run `cineledger` in this process with click's test runner: the same group, the same error
guard and exit codes as the console script, without starting Python for every command.

`CINELEDGER_DEBUG=1` is set for the call, so that a bug fails the test with its traceback instead
of the one line a user sees (the end-to-end tests in test_cli.py check that line in a process).
"""

from __future__ import annotations

from collections.abc import Mapping

from click.testing import CliRunner, Result

from finance.cli.main import cli


def invoke(
    *args: str, env: Mapping[str, str | None] | None = None, input: str | None = None
) -> Result:
    """`cineledger ARGS...` with `env` added to (None: removed from) the environment."""
    runner = CliRunner()
    return runner.invoke(
        cli,
        list(args),
        env={"CINELEDGER_DEBUG": "1", **(env or {})},
        input=input,
        prog_name="cineledger",
        catch_exceptions=False,
    )
