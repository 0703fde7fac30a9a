"""API keys: random secrets shown once, stored as SHA-256 hashes, compared in constant time.

A key's stored row is cached in the process for ``CACHE_SECONDS`` (every request checks a key, and the
database read is most of a fast request's cost); a revoke clears this process's entry at once, other
processes see it within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Engine, select

from shopsense.storage.codec import now_ms, storable_id
from shopsense.storage.schema import api_keys


class Role(str, enum.Enum):
    """Who may do what; each role may do everything the roles below it may (docs/security.md#scopes).

    The column is a plain string (``api_keys.role``, ``String(16)``): a new role needs no migration.
    """

    ADMIN = "admin"  # catalogue, configuration, deletes, and everything a client may do
    CLIENT = "client"  # a server-side integration: events in, results out, profiles, analytics, segments
    STOREFRONT = "storefront"  # a key a browser sees: events, items, search, recommendations, the assistant's chat


#: How much each role may do: a route that needs ``role`` accepts keys whose rank is at least ``RANK[role]``.
RANK = {Role.STOREFRONT: 0, Role.CLIENT: 1, Role.ADMIN: 2}


@dataclass(frozen=True)
class ApiKeyInfo:
    key_id: str
    role: Role
    name: str
    revoked: bool


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


CACHE_SECONDS = 1.0


class KeyStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._rows: dict[str, tuple[float, object]] = {}  # key_id -> (read at, stored row or None)

    def _row(self, key_id: str) -> object:
        now = time.monotonic()
        cached = self._rows.get(key_id)
        if cached is not None and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        with self._engine.connect() as connection:
            row = connection.execute(select(api_keys).where(api_keys.c.key_id == key_id)).first()
        if len(self._rows) > 10_000:  # unknown ids sent by a scanner must not grow it without bound
            self._rows.clear()
        self._rows[key_id] = (now, row)
        return row

    def create(self, role: Role, name: str = "") -> tuple[ApiKeyInfo, str]:
        """Create a key; returns its info and the secret (``ss_<key_id>_<random>``), shown only once."""
        key_id = secrets.token_hex(6)
        secret = f"ss_{key_id}_{secrets.token_urlsafe(24)}"
        with self._engine.begin() as connection:
            connection.execute(
                api_keys.insert().values(
                    key_id=key_id, key_hash=_hash(secret), role=role.value, name=name, created_ms=now_ms(), revoked=False
                )
            )
        return ApiKeyInfo(key_id, role, name, False), secret

    def authenticate(self, secret: str) -> ApiKeyInfo | None:
        """The key's info when ``secret`` is a live key, else None."""
        parts = secret.split("_")
        if len(parts) < 3 or parts[0] != "ss" or not storable_id(parts[1]):
            return None
        row = self._row(parts[1])
        if row is None or row.revoked or not hmac.compare_digest(row.key_hash, _hash(secret)):
            return None
        return ApiKeyInfo(row.key_id, Role(row.role), row.name, False)

    def list(self) -> list[ApiKeyInfo]:
        with self._engine.connect() as connection:
            rows = connection.execute(select(api_keys).order_by(api_keys.c.created_ms)).all()
        return [ApiKeyInfo(r.key_id, Role(r.role), r.name, bool(r.revoked)) for r in rows]

    def revoke(self, key_id: str) -> bool:
        with self._engine.begin() as connection:
            result = connection.execute(api_keys.update().where(api_keys.c.key_id == key_id).values(revoked=True))
        self._rows.pop(key_id, None)
        return result.rowcount > 0
