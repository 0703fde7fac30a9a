"""Event store: the append-only behaviour log, idempotent by ``event_id``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from shopsense.domain import Event, EventType
from shopsense.storage.catalog import ensure_users
from shopsense.storage.codec import from_ms, load_json, storable_id, to_ms
from shopsense.storage.privacy import lock_for_insert, refused_rows
from shopsense.storage.schema import events
from shopsense.storage.sql import insert_tuples_new, stored_keys

EVENT_COLUMNS: tuple[str, ...] = tuple(c.name for c in events.columns)


@dataclass(frozen=True)
class EventStats:
    total: int
    by_type: dict[str, int]
    users: int
    items: int
    first: datetime | None
    last: datetime | None


def _event_from_row(row: Any) -> Event:
    return Event(
        event_id=row.event_id,
        user_id=row.user_id,
        type=EventType(row.type),
        timestamp=from_ms(row.ts_ms),
        item_id=row.item_id,
        session_id=row.session_id,
        value=row.value,
        query=row.query,
        recomm_id=row.recomm_id,
        position=row.position,
        context=load_json(row.context, {}),
    )


def _tuples(frame: pd.DataFrame) -> list[tuple]:
    """Rows as tuples of plain Python values in ``EVENT_COLUMNS`` order, None for missing values."""
    columns = []
    for name in EVENT_COLUMNS:
        series = frame[name]
        if name == "position":
            series = series.astype("Int64")
        columns.append(series.astype(object).where(series.notna(), None).tolist())
    return list(zip(*columns))


class EventStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, frame: pd.DataFrame) -> set[str]:
        """Store validated events (columns ``EVENT_COLUMNS``) in one transaction.

        Events whose id is already stored are skipped, and so are events of a deleted user dated before
        the deletion (``storage.privacy``; ``UserDataStore.refusals`` says why). Returns the ids that were
        newly stored; users seen for the first time get a bare user row in the same transaction.
        """
        if frame.empty:
            return set()
        ids = frame["event_id"].tolist()
        # the write lock is taken at BEGIN, so no one inserts between the duplicate check and the write
        with self._engine.connect().execution_options(write_lock=True) as connection, connection.begin():
            lock_for_insert(connection)
            stored = stored_keys(connection, events, "event_id", ids)
            fresh = frame[~frame["event_id"].isin(stored)] if stored else frame
            fresh = fresh[~refused_rows(connection, fresh)]
            first_seen = fresh.groupby("user_id", sort=False)["ts_ms"].min()
            ensure_users(connection, {str(u): int(ms) for u, ms in first_seen.items()})
            insert_tuples_new(connection, events, EVENT_COLUMNS, _tuples(fresh))
        return set(fresh["event_id"])

    def user_events(self, user_id: str, *, limit: int = 100, before: datetime | None = None) -> list[Event]:
        """The user's most recent events, newest first."""
        if not storable_id(user_id):
            return []
        query = select(events).where(events.c.user_id == user_id)
        if before is not None:
            query = query.where(events.c.ts_ms < to_ms(before))
        query = query.order_by(events.c.ts_ms.desc(), events.c.event_id.desc()).limit(limit)
        with self._engine.connect() as connection:
            return [_event_from_row(row) for row in connection.execute(query)]

    def count(self) -> int:
        with self._engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(events)).scalar_one()

    def stats(self) -> EventStats:
        with self._engine.connect() as connection:
            by_type = dict(connection.execute(select(events.c.type, func.count()).group_by(events.c.type)).all())
            users, items, first, last = connection.execute(
                select(
                    func.count(events.c.user_id.distinct()),
                    func.count(events.c.item_id.distinct()),
                    func.min(events.c.ts_ms),
                    func.max(events.c.ts_ms),
                )
            ).one()
        return EventStats(sum(by_type.values()), by_type, users, items, from_ms(first), from_ms(last))

    def iter_frames(self, chunk_rows: int = 200_000) -> Iterator[pd.DataFrame]:
        """The whole log in time order, as DataFrames of ``EVENT_COLUMNS``, for training and export."""
        query = select(events).order_by(events.c.ts_ms, events.c.event_id)
        with self._engine.connect() as connection:
            result = connection.execution_options(stream_results=True, yield_per=chunk_rows).execute(query)
            for partition in result.partitions(chunk_rows):
                yield pd.DataFrame(partition, columns=list(EVENT_COLUMNS))
