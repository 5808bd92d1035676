"""`python -m finance` is the `cineledger` command."""

from finance.cli import main

main()
