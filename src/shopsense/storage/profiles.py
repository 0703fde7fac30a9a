"""Profile store: one JSON document per user, written in batches, read by id or streamed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, delete, select

from shopsense.storage.codec import dump_json, load_json, now_ms, storable_id
from shopsense.storage.schema import profiles
from shopsense.storage.sql import upsert


class ProfileStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def put_many(self, documents: Mapping[str, dict[str, Any]]) -> None:
        """Insert or replace the profiles of the given users in one transaction."""
        stamp = now_ms()
        rows = [{"user_id": uid, "profile": dump_json(doc) or "{}", "updated_ms": stamp} for uid, doc in documents.items()]
        with self._engine.begin() as connection:
            for start in range(0, len(rows), 2_000):
                upsert(connection, profiles, rows[start : start + 2_000])

    def get(self, user_id: str) -> dict[str, Any] | None:
        found = self.get_many([user_id])
        return found.get(user_id)

    def get_many(self, user_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = {}
        user_ids = [u for u in user_ids if storable_id(u)]
        with self._engine.connect() as connection:
            for start in range(0, len(user_ids), 2_000):
                wanted = list(user_ids[start : start + 2_000])
                query = select(profiles.c.user_id, profiles.c.profile).where(profiles.c.user_id.in_(wanted))
                result.update({uid: load_json(doc, {}) for uid, doc in connection.execute(query)})
        return result

    def iter_all(self, batch: int = 5_000) -> Iterator[tuple[str, dict[str, Any]]]:
        query = select(profiles.c.user_id, profiles.c.profile).order_by(profiles.c.user_id)
        with self._engine.connect() as connection:
            result = connection.execution_options(stream_results=True, yield_per=batch).execute(query)
            for uid, doc in result:
                yield uid, load_json(doc, {})

    def delete(self, user_id: str) -> bool:
        with self._engine.begin() as connection:
            return connection.execute(delete(profiles).where(profiles.c.user_id == user_id)).rowcount > 0
