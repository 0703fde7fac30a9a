"""The storefront's client key: created on first use, kept in DATA_DIR/storefront-key (mode 600) and reused.

Keys are stored hashed, so the secret must be kept somewhere to render it into the storefront page; it
is a client key (events in, reads out), the kind a shop's own front end embeds anyway. Revoke it with
``shopsense keys revoke`` and the next page load makes a new one. Admin keys never reach a page: the
dashboard asks its user for one and keeps it in the browser's session storage.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from shopsense.storage import Database
from shopsense.storage.keys import Role

KEY_NAME = "storefront"
_lock = threading.Lock()


def storefront_key(db: Database, data_dir: Path) -> str:
    """A live client key for the storefront, reusing the stored one while it authenticates."""
    path = data_dir / "storefront-key"
    with _lock:
        if path.exists():
            secret = path.read_text().strip()
            key = db.keys.authenticate(secret)
            if key is not None and key.role is Role.CLIENT:
                return secret
        secret = db.keys.create(Role.CLIENT, KEY_NAME)[1]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secret)
        os.chmod(path, 0o600)
        return secret
