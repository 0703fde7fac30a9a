"""API keys: random secrets shown once, stored as SHA-256 hashes, compared in constant time."""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, select

from shopsense.storage.codec import now_ms, storable_id
from shopsense.storage.schema import api_keys


class Role(str, enum.Enum):
    ADMIN = "admin"  # catalogue, configuration, deletes, and everything a client may do
    CLIENT = "client"  # events in, results out


@dataclass(frozen=True)
class ApiKeyInfo:
    key_id: str
    role: Role
    name: str
    revoked: bool


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class KeyStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

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
        with self._engine.connect() as connection:
            row = connection.execute(select(api_keys).where(api_keys.c.key_id == parts[1])).first()
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
        return result.rowcount > 0
