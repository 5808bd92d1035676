"""Who may use the dashboard, and as what: password hashing and the settings that name users.

The dashboard is open on localhost with no configuration (a producer on their own laptop). As
soon as it is served to others it must know its users: either local accounts with a password,
stored only as a salted scrypt hash, or an identity provider through Streamlit's own OIDC login.
Two roles: `viewer` (financiers, fund analysts: read and export) and `editor` (imports, edits).

Settings come from a TOML file named by `CINELEDGER_AUTH_FILE`, or from the environment variable
`CINELEDGER_USERS` (`name:role:hash` entries separated by `;`), for containers:

    [users.anne]
    role = "editor"
    password_hash = "scrypt$16384$8$1$..."   # from `cineledger user add anne --role editor`

    [oidc]                       # only when .streamlit/secrets.toml has an [auth] section
    default_role = "viewer"
    editors = ["anne@prod.example"]
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import tempfile
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import tomli_w

from finance.domain import i18n

ROLES = ("viewer", "editor")
ENV_FILE = "CINELEDGER_AUTH_FILE"
ENV_USERS = "CINELEDGER_USERS"
NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
#: OWASP's current scrypt figure (N=2^17, r=8, p=1): 128 MiB and about half a second a hash
SCRYPT = {"n": 2**17, "r": 8, "p": 1}
#: scrypt's memory ceiling for these parameters (Python's default, 32 MiB, is below them)
MAXMEM = 256 * 2**20
MIN_PASSWORD = 10


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def can_edit(self) -> bool:
        return self.role == "editor"


@dataclass(frozen=True)
class AuthSettings:
    """Local accounts (name -> (role, hash)) and the OIDC role rules."""

    users: dict[str, tuple[str, str]] = field(default_factory=dict)
    oidc_default_role: str = "viewer"
    oidc_editors: frozenset[str] = frozenset()
    oidc_viewers: frozenset[str] = frozenset()
    source: str = ""

    def oidc_role(self, email: str | None) -> str | None:
        """The role of an identity-provider login; None when it may not enter."""
        key = (email or "").lower()
        if key in self.oidc_editors:
            return "editor"
        if key in self.oidc_viewers:
            return "viewer"
        return self.oidc_default_role if self.oidc_default_role in ROLES else None


def hash_password(password: str) -> str:
    """A salted scrypt hash, self-describing: `scrypt$n$r$p$salt$hash` (base64)."""
    if len(password) < MIN_PASSWORD:
        raise i18n.error("error.auth.password_short", count=str(MIN_PASSWORD))
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, maxmem=MAXMEM, **SCRYPT)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of a password against a stored hash; False for a malformed hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=MAXMEM,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def _check_user(name: str, role: str, hashed: str, where: str) -> None:
    if not NAME.match(name):
        raise i18n.error("error.auth.user_name", where=where, name=repr(name))
    if role not in ROLES:
        raise i18n.error(
            "error.auth.role", where=where, name=name, role=repr(role), known=", ".join(ROLES)
        )
    if not hashed.startswith("scrypt$"):
        raise i18n.error("error.auth.not_hash", where=where, name=name)


def _from_file(path: Path) -> AuthSettings:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise i18n.error("error.auth.no_file", path=str(path), variable=ENV_FILE) from None
    except tomllib.TOMLDecodeError as exc:
        raise i18n.error("error.auth.toml", path=str(path), detail=str(exc)) from None
    users = {}
    for name, spec in (data.get("users") or {}).items():
        role, hashed = str(spec.get("role", "")), str(spec.get("password_hash", ""))
        _check_user(name, role, hashed, path.name)
        users[name] = (role, hashed)
    oidc = data.get("oidc") or {}
    return AuthSettings(
        users,
        str(oidc.get("default_role", "viewer")),
        frozenset(e.lower() for e in oidc.get("editors", [])),
        frozenset(e.lower() for e in oidc.get("viewers", [])),
        str(path),
    )


def _from_env(text: str) -> AuthSettings:
    users = {}
    for entry in filter(None, (e.strip() for e in text.split(";"))):
        parts = entry.split(":", 2)
        if len(parts) != 3:
            raise i18n.error("error.auth.env_entries", variable=ENV_USERS)
        _check_user(parts[0], parts[1], parts[2], ENV_USERS)
        users[parts[0]] = (parts[1], parts[2])
    return AuthSettings(users, source=ENV_USERS)


def load_settings() -> AuthSettings | None:
    """The auth settings, or None when none are configured (open dashboard on localhost)."""
    path = os.environ.get(ENV_FILE)
    if path:
        return _from_file(Path(path))
    env = os.environ.get(ENV_USERS)
    return _from_env(env) if env else None


def authenticate(settings: AuthSettings, name: str, password: str) -> User | None:
    """The user if the name and password match; the hash is computed even for unknown names, so
    timing does not tell which names exist."""
    role, stored = settings.users.get(name, ("", _unknown_hash()))
    ok = verify_password(password, stored)
    return User(name, role) if ok and role else None


@cache
def _unknown_hash() -> str:
    """A hash with today's parameters, checked for a name that has no account: as slow as a
    real one, so the time taken does not tell which names exist."""
    return hash_password(secrets.token_hex(16))


def needs_rehash(stored: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's (re-hashed at the
    next successful login)."""
    parts = stored.split("$")
    return (
        len(parts) != 6
        or parts[0] != "scrypt"
        or [int(x) for x in parts[1:4]]
        != [
            SCRYPT["n"],
            SCRYPT["r"],
            SCRYPT["p"],
        ]
    )


def write_user(path: Path, name: str, role: str, password: str) -> None:
    """Add or replace one local account in a TOML settings file (other content kept).

    Written with a TOML library (a name with `.` or `@` is a quoted key, not a nested table),
    read back and checked before it replaces the old file atomically, and created readable by
    its owner only from the start (never chmod after)."""
    hashed = hash_password(password)
    _check_user(name, role, hashed, path.name)
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise i18n.error("error.auth.toml", path=str(path), detail=str(exc)) from None
    users = dict(data.get("users") or {})
    users[name] = {"role": role, "password_hash": hashed}
    text = tomli_w.dumps({**data, "users": users})
    written = tomllib.loads(text)["users"][name]
    if written != {"role": role, "password_hash": hashed}:  # read back before replacing
        raise i18n.error("error.auth.toml", path=str(path), detail="the account did not read back")
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
