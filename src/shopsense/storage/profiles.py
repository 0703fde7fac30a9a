"""Profile store: one JSON document per user, written in batches, read by id or streamed."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, Table, delete, select

from shopsense.storage.codec import dump_json, load_json, now_ms
from shopsense.storage.schema import profiles, users

_BATCH = 2_000
UPDATE_LOCK = 0x5350524F  # advisory lock key serialising profile updates (and user deletion) on PostgreSQL ("SPRO")
Documents = dict[str, dict[str, Any]]


def _by_user(connection: Connection, table: Table, column: str, user_ids: Sequence[str]) -> dict[str, str | None]:
    """``{user_id: column}`` for the rows of ``table`` whose user_id is in ``user_ids``.

    One statement with one parameter, bound by the driver (no per-id SQL compilation): the hot path of
    every ingest batch.
    """
    if not user_ids:
        return {}
    if connection.dialect.name == "sqlite":
        sql = f"SELECT user_id, {column} FROM {table.name} WHERE user_id IN (SELECT value FROM json_each(?))"
        parameter: Any = (orjson.dumps(list(user_ids)).decode(),)
    else:
        sql = f"SELECT user_id, {column} FROM {table.name} WHERE user_id = ANY(%s)"
        parameter = (list(user_ids),)
    return {user_id: value for user_id, value in connection.exec_driver_sql(sql, parameter)}


def _write(connection: Connection, documents: Mapping[str, dict[str, Any]]) -> None:
    """Insert or replace documents through the driver's ``executemany`` (the hot path of every ingest)."""
    if not documents:
        return
    stamp = now_ms()
    rows = [(uid, dump_json(doc) or "{}", stamp) for uid, doc in documents.items()]
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(
        f"INSERT INTO {profiles.name} (user_id, profile, updated_ms) VALUES ({marker}, {marker}, {marker}) "
        "ON CONFLICT (user_id) DO UPDATE SET profile = excluded.profile, updated_ms = excluded.updated_ms",
        rows,
    )


class ProfileStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def put_many(self, documents: Mapping[str, dict[str, Any]]) -> None:
        """Insert or replace the profiles of the given users in one transaction."""
        with self._engine.begin() as connection:
            _write(connection, documents)

    def update(
        self, user_ids: Sequence[str], apply: Callable[[list[str], Documents], Documents], *, known_users_only: bool = False
    ) -> None:
        """Read-modify-write the profiles of ``user_ids`` so that concurrent updates never lose one.

        ``apply(users, stored)`` gets the stored documents of ``users`` (absent ones missing) and returns
        the documents to write for them. It runs first without any lock; then, under a store-wide lock
        (SQLite: the write lock; PostgreSQL: a transaction advisory lock), the users whose stored text
        changed in between are applied again, and everything is written. The lock is held only for a
        re-read and the writes, so it does not serialise the work of concurrent ingest requests.
        ``known_users_only`` drops the documents of users without a user row under the lock: a user deleted
        while their new events were being folded in gets no profile back (see ``storage.privacy``).
        """
        wanted = sorted(set(user_ids))
        with self._engine.connect() as connection:
            seen = _by_user(connection, profiles, "profile", wanted)
        documents = apply(wanted, {uid: load_json(text, {}) for uid, text in seen.items()})
        with self._engine.connect().execution_options(write_lock=True) as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (UPDATE_LOCK,))
            now = _by_user(connection, profiles, "profile", wanted)
            changed = [uid for uid in wanted if now.get(uid) != seen.get(uid)]
            if changed:
                documents.update(apply(changed, {uid: load_json(now[uid], {}) for uid in changed if uid in now}))
            if known_users_only:
                known = _by_user(connection, users, "user_id", list(documents))
                documents = {uid: doc for uid, doc in documents.items() if uid in known}
            _write(connection, documents)

    def attributes(self, user_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The shop-supplied attributes of the given users (users without a row are missing)."""
        with self._engine.connect() as connection:
            found = _by_user(connection, users, "attributes", user_ids)
        return {uid: load_json(attributes, {}) for uid, attributes in found.items()}

    def get(self, user_id: str) -> dict[str, Any] | None:
        found = self.get_many([user_id])
        return found.get(user_id)

    def get_many(self, user_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        with self._engine.connect() as connection:
            found = _by_user(connection, profiles, "profile", user_ids)
        return {uid: load_json(text, {}) for uid, text in found.items()}

    def iter_all(self, batch: int = 5_000) -> Iterator[tuple[str, dict[str, Any]]]:
        query = select(profiles.c.user_id, profiles.c.profile).order_by(profiles.c.user_id)
        with self._engine.connect() as connection:
            result = connection.execution_options(stream_results=True, yield_per=batch).execute(query)
            for uid, doc in result:
                yield uid, load_json(doc, {})

    def delete(self, user_id: str) -> bool:
        with self._engine.begin() as connection:
            return connection.execute(delete(profiles).where(profiles.c.user_id == user_id)).rowcount > 0
