"""What a restore trusts in a backup, and how it knows: the index checked against the schema, and
the index signed.

A backup's `backup.json` lists its tables with their row counts, its sequences and a SHA-256 per
file. The hashes prove the files are those the index names, not that the index is the one the
backup wrote: anyone can rewrite files and hashes together. So the index is signed, an HMAC-SHA256
over its bytes with a key kept beside the database (`<database>.backup-key`, readable by its
owner only, made on the first backup) or given by the user; the signature is `backup.sig`. A
restore with the key checks it (a mismatch is refused, whatever the options); without the key,
or for a backup made before signatures, the integrity cannot be proven and the restore needs
`--trust`.

Nothing read from a backup reaches SQL as text: table and sequence names must be the schema's
own, counts and positions are bounded integers, every table is listed, hashed and counted, and no
file outside the index is read.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path
from typing import Any

from finance.domain import i18n

#: the signature's file, beside backup.json
SIGNATURE = "backup.sig"
INDEX = "backup.json"
#: a name the schema could give a table or a sequence
NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
#: the largest row count or sequence position a backup may claim
MAX_COUNT = 2**53
KEY_BYTES = 32


def key_path(db: Path) -> Path:
    """The key file kept beside a database."""
    return db.with_name(db.name + ".backup-key")


def read_key(path: Path) -> bytes:
    """A key file's key (hex text), or a UserError naming the file."""
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (OSError, ValueError, UnicodeDecodeError):
        raise i18n.error("error.backup.bad_key", path=str(path)) from None
    if len(key) < 16:
        raise i18n.error("error.backup.bad_key", path=str(path))
    return key


def database_key(db: Path) -> bytes:
    """The database's backup key, made on first use with mode 0600 from the start (never
    readable by others, not even for an instant)."""
    path = key_path(db)
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return read_key(path)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(KEY_BYTES) + "\n")
    return read_key(path)


def _mac(key: bytes, index_bytes: bytes) -> str:
    return hmac.new(key, index_bytes, hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A short public fingerprint of a key, to say which key signed a backup."""
    return hashlib.sha256(b"cineledger-backup-key" + key).hexdigest()[:16]


def sign(folder: Path, key: bytes) -> None:
    """Write the index's signature."""
    mac = _mac(key, (folder / INDEX).read_bytes())
    signature = {"algorithm": "HMAC-SHA256", "key_id": key_id(key), "signature": mac}
    (folder / SIGNATURE).write_text(json.dumps(signature, indent=2), encoding="utf-8")


def verify(folder: Path, key: bytes | None, trust: bool) -> str:
    """`signed` when the index's signature matches the key; `trusted` when it cannot be
    checked (no key, or an unsigned backup) and the user said --trust; a UserError otherwise.
    A signature that does not match is refused even with --trust."""
    sig_file = folder / SIGNATURE
    if key is not None and sig_file.is_file():
        try:
            signature = json.loads(sig_file.read_text(encoding="utf-8"))
            given = str(signature["signature"])
        except (ValueError, KeyError, TypeError):
            raise i18n.error("error.backup.bad_signature", folder=str(folder)) from None
        if hmac.compare_digest(given, _mac(key, (folder / INDEX).read_bytes())):
            return "signed"
        raise i18n.error("error.backup.bad_signature", folder=str(folder))
    if trust:
        return "trusted"
    key_name = "error.backup.unsigned" if not sig_file.is_file() else "error.backup.no_key"
    raise i18n.error(key_name, folder=str(folder))


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT


def _names(mapping: Any, what: str) -> dict[str, int]:
    """A mapping of schema names to bounded counts, or the list of what is wrong."""
    if not isinstance(mapping, dict):
        raise i18n.error("error.backup.index_field", field=what)
    wrong = sorted(str(k) for k, v in mapping.items() if not NAME.match(str(k)) or not _count(v))
    if wrong:
        raise i18n.error("error.backup.index_values", field=what, names=", ".join(wrong[:20]))
    return {str(k): int(v) for k, v in mapping.items()}


def checked_index(folder: Path, index: dict[str, Any]) -> dict[str, Any]:
    """The index with its tables and sequences checked as names and counts, and its files
    inside the folder: every table file listed and hashed, no file the index does not list."""
    tables = _names(index.get("tables"), "tables")
    sequences = _names(index.get("sequences"), "sequences")
    versions = index.get("schema_versions")
    if not isinstance(versions, list) or not all(_count(v) for v in versions):
        raise i18n.error("error.backup.index_field", field="schema_versions")
    files = index.get("files")
    if not isinstance(files, dict):
        raise i18n.error("error.backup.index_field", field="files")
    root = folder.resolve()
    for name in files:
        target = (folder / str(name)).resolve()
        if root not in target.parents:
            raise i18n.error("error.backup.outside", file=str(name))
    unlisted = [f"tables/{t}.parquet" for t in sorted(tables) if f"tables/{t}.parquet" not in files]
    present = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    unlisted += sorted(present - set(files) - {INDEX, SIGNATURE})
    if unlisted:
        raise i18n.error("error.backup.unlisted", files=", ".join(unlisted[:20]))
    return {**index, "tables": tables, "sequences": sequences}


def check_tables(listed: dict[str, int], schema: set[str], retired: set[str]) -> None:
    """Exactly the schema's tables (those retired since may also be listed), or the list of
    what is missing and what is unknown."""
    missing = sorted(schema - set(listed))
    unknown = sorted(set(listed) - schema - retired)
    if missing or unknown:
        raise i18n.error(
            "error.backup.tables",
            missing=", ".join(missing) or "–",
            unknown=", ".join(unknown) or "–",
        )
