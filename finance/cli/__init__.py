"""The `cineledger` command line: thin commands over the services."""

from finance.cli.main import main

__all__ = ["main"]
