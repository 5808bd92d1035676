"""The `cineledger` command line: thin commands over the services.

`options` holds what every command shares (options, the `--db` rule, the error guard); one module
per command group (`production`, `imports`, `report`, `check`, `export`, `admin`, `demo`) defines
its commands at module level; `main` builds the group from them. Imports go one way:
main -> command modules -> options.
"""
