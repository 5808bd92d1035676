"""Problems as records, and the one exception type the edges turn into a clear message.

Validation never raises mid-file: it collects `Problem`s. Only when a whole operation must stop
does the core raise `UserError`, which carries every problem; the CLI prints them one per line
and exits 2, the dashboard shows them. No traceback reaches a user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, located as the user sees it."""

    reason: str
    file: str | None = None
    row: int | None = None  # row number as a spreadsheet shows it (header is row 1)
    column: str | None = None
    value: str | None = None
    sheet: str | None = None

    def __str__(self) -> str:
        where = ":".join(
            p for p in (self.file, self.sheet, f"row {self.row}" if self.row else None) if p
        )
        noun = "column" if self.row else "field"
        what = f"{noun} {self.column!r}" if self.column else ""
        if self.value is not None:
            what += f" value {self.value!r}" if what else f"value {self.value!r}"
        head = ", ".join(p for p in (where, what) if p)
        return f"{head}: {self.reason}" if head else self.reason


@dataclass
class UserError(Exception):
    """Bad input or usage: nothing was written. Exit code 2 at the CLI.

    `message` is the English text (logs, tests, `str(exc)`); an error made by
    `finance.domain.i18n.error` also keeps its catalogue `key` and the `values` that fill it,
    so the CLI and the dashboard say it in the user's language (`finance.domain.reasons.error_lines`)."""

    message: str
    problems: list[Problem] = field(default_factory=list)
    key: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message

    def lines(self) -> list[str]:
        """The message, then one line per problem."""
        return [self.message, *(f"  - {p}" for p in self.problems)]


class DatabaseBusyError(UserError):
    """Another process holds the database file for longer than the retry budget."""
