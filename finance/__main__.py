"""`python -m finance` is the `cineledger` command."""

from finance.cli.main import main

main()
