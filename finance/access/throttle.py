"""Login throttling kept by the server, per account and per client address: a new browser session
does not start afresh (the count was per session and a new one reset it).

After MAX_FAILURES failed logins within WINDOW for an account, or for a client address, further
attempts are refused without checking the password until the lock-out ends. The state lives in
the dashboard's process (Streamlit serves every session from one process), behind a lock; a
restart clears it, which an attacker cannot trigger from the login form.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

MAX_FAILURES = 5
WINDOW_S = 15 * 60
LOCKOUT_S = 15 * 60


@dataclass
class _Record:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0


class Throttle:
    """Failed logins per key (`account:NAME`, `address:IP`), with a lock-out window."""

    def __init__(self, clock: object = time.monotonic) -> None:
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def _now(self) -> float:
        return float(self._clock())  # type: ignore[operator]

    @staticmethod
    def keys(account: str, address: str | None) -> list[str]:
        return [f"account:{account.lower()}", *([f"address:{address}"] if address else [])]

    def locked_for(self, account: str, address: str | None) -> float:
        """Seconds until the account and the address may try again (0: they may now)."""
        now = self._now()
        with self._lock:
            waits = [
                r.locked_until - now
                for k in self.keys(account, address)
                if (r := self._records.get(k))
            ]
        return max([0.0, *waits])

    def failed(self, account: str, address: str | None) -> None:
        """Count a failed login; lock the key out once it reaches MAX_FAILURES in WINDOW_S."""
        now = self._now()
        with self._lock:
            for key in self.keys(account, address):
                record = self._records.setdefault(key, _Record())
                record.failures = [t for t in record.failures if now - t < WINDOW_S] + [now]
                if len(record.failures) >= MAX_FAILURES:
                    record.locked_until = now + LOCKOUT_S
                    record.failures = []

    def succeeded(self, account: str) -> None:
        """A right password clears the account's count (not the address's)."""
        with self._lock:
            self._records.pop(self.keys(account, None)[0], None)


#: the dashboard process's throttle
THROTTLE = Throttle()
