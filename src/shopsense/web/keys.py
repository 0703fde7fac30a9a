"""The storefront's key: a storefront-role key, created on first use, kept in DATA_DIR/storefront-key (mode 600).

Keys are stored hashed, so the secret must be kept somewhere to render it into the storefront page, and
every browser that loads the page can read it. It is therefore a storefront key (``Role.STOREFRONT``):
events, item reads, search, recommendations and the assistant's chat; never profiles, a user's events,
analytics, segments or anything else a client key reads (docs/security.md#scopes). Revoke it with
``shopsense keys revoke`` and the next page load makes a new one. Admin keys never reach a page: the
dashboard asks its user for one and keeps it in the browser's session storage.

Upgrading: stores made before storefront keys existed hold a *client* key in that file. When the app
starts (and on any page load), a live key of another role found there is revoked (it has been public)
and replaced by a new storefront key, the file rewritten; a warning in the log names both key ids.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from shopsense.storage import Database
from shopsense.storage.keys import Role

KEY_NAME = "storefront"
FILE_NAME = "storefront-key"
log = logging.getLogger("shopsense.web")
_lock = threading.Lock()


def _write(path: Path, secret: str) -> None:
    """Write the secret with mode 600, atomically: a process reading the file never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secret)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def _stored(db: Database, path: Path) -> tuple[str, Role | None, str]:
    """(secret, role, key id) of the key in the file; role None when there is no file or no live key in it."""
    if not path.exists():
        return "", None, ""
    secret = path.read_text().strip()
    key = db.keys.authenticate(secret) if secret else None
    return (secret, key.role, key.key_id) if key is not None else (secret, None, "")


def storefront_key(db: Database, data_dir: Path) -> str:
    """A live storefront key for the page, reusing the stored one while it authenticates as a storefront key.

    A live key of another role in the file (a client key kept by an older version) is revoked and replaced.
    """
    path = data_dir / FILE_NAME
    with _lock:
        secret, role, old_id = _stored(db, path)
        if role is Role.STOREFRONT:
            return secret
        info, secret = db.keys.create(Role.STOREFRONT, KEY_NAME)
        _, now_role, _ = _stored(db, path)  # another server process may have replaced it meanwhile
        if now_role is Role.STOREFRONT:
            db.keys.revoke(info.key_id)
            return path.read_text().strip()
        _write(path, secret)
        if role is not None:  # an older version's client key: every browser has seen it
            db.keys.revoke(old_id)
            log.warning("revoked the %s key %s kept in %s (it was handed to every browser); the storefront now "
                        "uses storefront key %s. Anything else that used the old key needs a key of its own: "
                        "shopsense keys create --role client", role.value, old_id, path, info.key_id)  # fmt: skip
        return secret


def replace_legacy_storefront_key(db: Database, data_dir: Path) -> None:
    """At start: when DATA_DIR/storefront-key holds a live key that is not a storefront key, replace it now
    rather than at the first page load (a store that never served the storefront gets no key)."""
    path = data_dir / FILE_NAME
    if path.exists() and _stored(db, path)[1] not in (None, Role.STOREFRONT):
        storefront_key(db, data_dir)
