"""Everything stored about one user: read it all, delete it all in one transaction, keep a tombstone.

The tables are found in the schema, not listed: every table with a ``user_id`` column holds rows about
its user, so a table added later is exported and deleted without a change here. Rows that name the user
only through another row (feedback on the user's assistant turns) are listed in ``DEPENDENT``.

A tombstone (``deleted_users``) keeps the SHA-256 digest of the id, not the id, and the time of deletion;
:meth:`EventStore.add` drops events of a tombstoned user dated before it (see :func:`refused_rows`), so
re-importing an old file cannot bring the user back, while new events are stored as usual. Deletion and
event inserts exclude each other (SQLite: the write lock; PostgreSQL: advisory locks), so an event being
stored while its user is deleted is either deleted with the user or refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Column, Connection, Engine, Table, delete, select

from shopsense.storage.codec import now_ms, storable_id
from shopsense.storage.profiles import UPDATE_LOCK as PROFILE_LOCK
from shopsense.storage.schema import (
    assistant_feedback,
    assistant_turns,
    deleted_users,
    metadata,
)
from shopsense.storage.sql import stored_keys, upsert

USER_TABLES: tuple[Table, ...] = tuple(t for t in metadata.sorted_tables if "user_id" in t.c)
# (table, its column, the user table and key that column points at): rows about the user held elsewhere
DEPENDENT: tuple[tuple[Table, Column, Table, Column], ...] = (
    (assistant_feedback, assistant_feedback.c.turn_id, assistant_turns, assistant_turns.c.turn_id),
)
_INGEST_LOCK = 0x5344454C  # PostgreSQL advisory lock: inserts take it shared, deletions exclusive ("SDEL")
_IN_CHUNK = 5_000  # ids per IN (...) list


def user_hash(user_id: str) -> str:
    """What a tombstone keeps: the SHA-256 hex digest of the stored user id."""
    return hashlib.sha256(user_id.encode()).hexdigest()


def lock_for_insert(connection: Connection) -> None:
    """Called first in a transaction that stores events: waits while a deletion is running (PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock_shared(%s)", (_INGEST_LOCK,))


def tombstones(connection: Connection, user_ids: Iterable[str]) -> dict[str, int]:
    """``{user_id: deleted_ms}`` for the given users that were deleted."""
    by_hash = {user_hash(u): u for u in set(user_ids)}
    present = sorted(stored_keys(connection, deleted_users, "user_hash", list(by_hash)))  # one cheap round trip
    found: dict[str, int] = {}
    for start in range(0, len(present), _IN_CHUNK):  # rarely any: only batches naming deleted users
        chunk = present[start : start + _IN_CHUNK]
        query = select(deleted_users.c.user_hash, deleted_users.c.deleted_ms).where(deleted_users.c.user_hash.in_(chunk))
        found.update({by_hash[h]: ms for h, ms in connection.execute(query)})
    return found


def refused_rows(connection: Connection, frame: pd.DataFrame) -> pd.Series:
    """Boolean mask of the events (storage columns) whose user was deleted after the event's time."""
    deleted = tombstones(connection, frame["user_id"].unique().tolist()) if len(frame) else {}
    if not deleted:
        return pd.Series(False, index=frame.index)
    cutoff = frame["user_id"].map(deleted)
    return cutoff.notna() & (frame["ts_ms"].astype("float64") < cutoff.astype("float64"))


def refusal_reason(deleted_ms: int) -> str:
    stamp = pd.Timestamp(deleted_ms, unit="ms", tz="UTC").isoformat()
    return f"user was deleted at {stamp}; events dated before the deletion are refused"


@dataclass(frozen=True)
class Deletion:
    counts: dict[str, int]  # table -> rows deleted
    deleted_ms: int  # the tombstone's time
    previously_deleted_ms: int | None  # the earlier tombstone, when the user had been deleted before

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _owned(table: Table, user_id: str) -> Any:
    return table.c.user_id == user_id


def _dependent(table: Table, column: Column, parent: Table, key: Column, user_id: str) -> Any:
    return column.in_(select(key).where(_owned(parent, user_id)))


class UserDataStore:
    """Per-user reads and deletion across every table (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def rows(self, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every stored row about the user, per table, as stored (times in epoch milliseconds, JSON as text)."""
        if not storable_id(user_id):
            return {str(t.name): [] for t in (*USER_TABLES, *(d[0] for d in DEPENDENT))}
        with self._engine.connect() as connection:
            found = {str(t.name): self._read(connection, t, _owned(t, user_id)) for t in USER_TABLES}
            for table, column, parent, key in DEPENDENT:
                found[str(table.name)] = self._read(connection, table, _dependent(table, column, parent, key, user_id))
        return found

    @staticmethod
    def _read(connection: Connection, table: Table, condition: Any) -> list[dict[str, Any]]:
        order = list(table.primary_key.columns)
        rows = connection.execute(select(table).where(condition).order_by(*order))
        return [{str(k): v for k, v in row._mapping.items()} for row in rows]  # plain str keys, not quoted_name

    def tombstones(self, user_ids: Iterable[str]) -> dict[str, int]:
        """``{user_id: deleted_ms}`` for the given users that were deleted."""
        with self._engine.connect() as connection:
            return tombstones(connection, user_ids)

    def refusals(self, frame: pd.DataFrame) -> pd.Series:
        """Reasons for the events of ``frame`` (storage columns) that :meth:`EventStore.add` refuses."""
        with self._engine.connect() as connection:
            refused = refused_rows(connection, frame)
            deleted = tombstones(connection, frame.loc[refused, "user_id"].unique().tolist()) if refused.any() else {}
        return frame.loc[refused, "user_id"].map(lambda u: refusal_reason(deleted[u])).astype(str)

    def delete(self, user_id: str) -> Deletion | None:
        """Delete every row about the user and write (or move forward) their tombstone, in one transaction.

        None, with nothing written, when the store holds nothing about the user and never deleted them.
        """
        if not storable_id(user_id):
            return None
        with self._engine.connect().execution_options(write_lock=True) as connection, connection.begin():
            if connection.dialect.name == "postgresql":  # no event insert or profile update runs meanwhile
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (_INGEST_LOCK,))
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (PROFILE_LOCK,))
            previous = tombstones(connection, [user_id]).get(user_id)
            counts = {}
            for table, column, parent, key in DEPENDENT:  # before the rows they point at
                condition = _dependent(table, column, parent, key, user_id)
                counts[str(table.name)] = connection.execute(delete(table).where(condition)).rowcount
            for table in USER_TABLES:
                counts[str(table.name)] = connection.execute(delete(table).where(_owned(table, user_id))).rowcount
            if not any(counts.values()) and previous is None:
                return None
            stamp = max(now_ms(), previous or 0)
            upsert(connection, deleted_users, [{"user_hash": user_hash(user_id), "deleted_ms": stamp}])
        return Deletion(counts, stamp, previous)

