"""A user's rights over their data: export everything held about them, or delete it everywhere.

Deletion removes the user's rows from every table in one transaction and leaves a tombstone so their
old events cannot be stored again (``shopsense.storage.privacy``), then removes their entries from the
shared cache, whose keys start with :func:`cache_prefix` by convention. The models in service keep
nothing per user (users are folded in from their recent events at request time), and every training
job reads the event log only, so the user is out of every model after the next retrain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from shopsense.profiles.documents import read_profile
from shopsense.segments.audience import checked_rule, members
from shopsense.segments.rules import InvalidRule
from shopsense.sharedcache import SharedCache
from shopsense.storage import Database
from shopsense.storage.codec import from_ms, now_ms
from shopsense.storage.privacy import Deletion, UserDataStore

_JSON_COLUMNS = frozenset({"attributes", "context", "profile", "state"})  # text columns holding JSON documents
CACHE_CAVEAT = "cached copies of the user's results may remain in the shared cache until their TTL ends"


def cache_prefix(user_id: str) -> str:
    """Every per-user entry of the shared cache has a key starting with this."""
    return f"user:{user_id}:"


def _iso(ms: int | None) -> str | None:
    moment = from_ms(ms)
    return None if moment is None else moment.isoformat()


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    return {k: orjson.loads(v) if k in _JSON_COLUMNS and isinstance(v, str) else v for k, v in row.items()}


def _segments(db: Database, user_id: str, profile: dict[str, Any] | None) -> list[str]:
    """The saved segments whose rule the user's stored profile matches now."""
    if profile is None:
        return []
    names = []
    for segment in db.segments.list():
        try:
            rule = checked_rule(segment.definition)
        except InvalidRule:  # saved by an older version; it matches no one
            continue
        if any(True for _ in members(rule, [(user_id, profile)])):
            names.append(segment.name)
    return names


def export_user(db: Database, user_id: str) -> dict[str, Any] | None:
    """Everything held about the user as one JSON-ready document; None when nothing is held.

    ``stores`` has every stored row about the user, per table, as stored (times in epoch milliseconds
    UTC); ``profile`` is the portrait as ``GET /v1/users/{id}/profile`` renders it; ``segments`` and
    ``experiments`` are what those rows make the user a member of.
    """
    stores = {table: [_decoded(r) for r in rows] for table, rows in UserDataStore(db.engine).rows(user_id).items()}
    if not any(stores.values()):
        return None
    stored_profile = stores["profiles"][0]["profile"] if stores["profiles"] else None
    assignments = {(r["experiment_id"], r["variant"]) for r in stores["impressions"] if r["experiment_id"]}
    return {
        "user_id": user_id,
        "exported_at": _iso(now_ms()),
        "profile": read_profile(db, user_id),
        "segments": _segments(db, user_id, stored_profile),
        "experiments": [{"experiment_id": e, "variant": v} for e, v in sorted(assignments)],
        "stores": stores,
    }


@dataclass(frozen=True)
class Forgotten:
    user_id: str
    deletion: Deletion
    cache_entries: int | None  # removed from the shared cache; None when it could not be reached
    warnings: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "deleted_at": _iso(self.deletion.deleted_ms),
            "previously_deleted_at": _iso(self.deletion.previously_deleted_ms),
            "deleted": self.deletion.counts,
            "cache_entries": self.cache_entries,
            "warnings": list(self.warnings),
        }


def forget_user(db: Database, cache: SharedCache, user_id: str) -> Forgotten | None:
    """Delete the user everywhere (see the module docstring); None when nothing was ever held about them.

    Deleting again is safe: it deletes what arrived since, moves the tombstone forward and retries the
    cache, so a deletion whose cache step failed is completed by repeating it.
    """
    deletion = UserDataStore(db.engine).delete(user_id)
    if deletion is None:
        return None
    try:
        removed: int | None = cache.delete_prefix(cache_prefix(user_id))
        warnings: tuple[str, ...] = ()
    except Exception as exc:  # noqa: BLE001 - whatever the cache's failure, the database part is done
        removed = None
        reason = f"{type(exc).__name__}: {exc}"
        warning = f"the database part is done, but the shared cache could not be reached ({reason}): {CACHE_CAVEAT}"
        warnings = (warning + "; repeat the deletion to retry",)
    return Forgotten(user_id, deletion, removed, warnings)
