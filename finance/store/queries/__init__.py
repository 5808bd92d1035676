"""The store's query layer: every SQL statement of the store, the reports, the exports and the
dashboard, declared once by name with what it returns, and run with bound parameters.

    from finance.store import queries as q
    q.frame(con, "figures.report_lines", {"pid": "dernier-tram", "at": date(2026, 5, 31)})

`names()` lists them; `get(name).doc` says what each returns. The rules generate their own SQL
from the packs (rules/), over the relations declared here (figures.lines).
"""

from finance.store.queries import (  # noqa: F401  (each module declares its queries)
    audit,
    cash,
    dashboard,
    evidence,
    exports,
    figures,
    imports,
    overrides,
    productions,
    receipts,
    reference,
    runs,
)
from finance.store.queries.catalogue import (
    Query,
    define,
    execute,
    execute_many,
    frame,
    get,
    names,
    one,
    rows,
    sql,
    value,
)

__all__ = [
    "Query",
    "define",
    "execute",
    "execute_many",
    "frame",
    "get",
    "names",
    "one",
    "rows",
    "sql",
    "value",
]
