"""Load the event log and the catalogue from the store into an in-memory DuckDB database.

DuckDB cannot attach SQLite or PostgreSQL offline (its scanners are downloaded at run time), so the
events of the report window are read once through the database driver's cursor into Arrow
(:func:`read_events`; :func:`read_events_reference` is the simple path over ``EventStore.iter_frames``
that a test keeps in agreement), registered in DuckDB and enriched into one table, ``ev``:

=============  ==============================================================================
user_id        the user
session        a session key: the shop's ``session_id`` per user, or, where the shop sent none, a
               run of the user's events with gaps under ``SESSION_GAP_MINUTES`` (``inferred``)
type           the event type; ``item_id``; ``ts_ms`` and ``ts`` (UTC ``TIMESTAMP``)
qty            ``value`` (a quantity for carts, purchases and refunds), 1 when missing
amount         purchases and refunds: qty × (``context.unit_price`` if present, else the item's price)
category       the item's top-level category; ``brand`` (NULL when empty); ``title``
anonymous      the user's attributes say ``"anonymous": true`` (e.g. guest checkouts)
=============  ==============================================================================

and ``items`` (``item_id, title, category, brand, price, currency``) for catalogue look-ups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
from sqlalchemy import Select, case, func, select

from shopsense.storage import Database
from shopsense.storage.schema import events, items, users

SESSION_GAP_MINUTES = 30
PRICED_TYPES = ("purchase", "refund")
EVENT_SCHEMA = pa.schema(
    [("user_id", pa.string()), ("session_id", pa.string()), ("type", pa.string()), ("item_id", pa.string()),
     ("value", pa.float64()), ("ts_ms", pa.int64()), ("context", pa.string())]
)  # fmt: skip
_ITEM_SCHEMA = pa.schema([("item_id", pa.string()), ("title", pa.string()), ("category", pa.string()),
                          ("brand", pa.string()), ("price", pa.float64()), ("currency", pa.string())])  # fmt: skip
_USER_SCHEMA = pa.schema([("user_id", pa.string()), ("attributes", pa.string())])
_CHUNK_ROWS = 200_000


@dataclass(frozen=True)
class Window:
    """The report's time window: whole UTC days from ``since`` to ``until``, both included; None is open."""

    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")

    def bounds_ms(self) -> tuple[int | None, int | None]:
        """[start, end) in epoch milliseconds."""
        def ms(day: date) -> int:
            return int(datetime.combine(day, time(), tzinfo=UTC).timestamp() * 1000)

        return (ms(self.since) if self.since else None, ms(self.until + timedelta(days=1)) if self.until else None)

    def as_dict(self) -> dict[str, str | None]:
        return {"since": self.since and self.since.isoformat(), "until": self.until and self.until.isoformat()}


def _event_query(window: Window) -> Select:
    context = case((events.c.type.in_(PRICED_TYPES), events.c.context), else_=None)  # only prices are read
    query = select(*(events.c[name] for name in EVENT_SCHEMA.names[:-1]), context.label("context"))
    start, end = window.bounds_ms()
    if start is not None:
        query = query.where(events.c.ts_ms >= start)
    if end is not None:
        query = query.where(events.c.ts_ms < end)
    return query


def _cursor_table(db: Database, query: Select, schema: pa.Schema) -> pa.Table:
    """Run ``query`` on a bare driver cursor and build the Arrow table column by column (no row objects)."""
    sql = str(query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))  # ints and constants
    batches = []
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        while rows := cursor.fetchmany(_CHUNK_ROWS):
            columns = [pa.array(column, type=field.type) for column, field in zip(zip(*rows), schema)]
            batches.append(pa.RecordBatch.from_arrays(columns, schema=schema))
        cursor.close()
    finally:
        connection.close()
    return pa.Table.from_batches(batches, schema=schema)


def read_events(db: Database, window: Window = Window()) -> pa.Table:
    """The window's events (``EVENT_SCHEMA``; context only on purchases and refunds), in store order."""
    return _cursor_table(db, _event_query(window), EVENT_SCHEMA)


def read_events_reference(db: Database, window: Window = Window()) -> pa.Table:
    """The same table as :func:`read_events`, through the event store's public scan (slower)."""
    frames = list(db.events.iter_frames())
    if not frames:
        return EVENT_SCHEMA.empty_table()
    frame = pd.concat(frames, ignore_index=True)
    start, end = window.bounds_ms()
    frame = frame[(frame["ts_ms"] >= (start if start is not None else -(2**62)))
                  & (frame["ts_ms"] < (end if end is not None else 2**62))]  # fmt: skip
    frame = frame.assign(context=frame["context"].where(frame["type"].isin(PRICED_TYPES)))
    return pa.Table.from_pandas(frame[EVENT_SCHEMA.names], schema=EVENT_SCHEMA, preserve_index=False)


def _catalogue(db: Database) -> tuple[pa.Table, pa.Table]:
    item_query = select(items.c.item_id, items.c.title, items.c.category, func.nullif(items.c.brand, ""), items.c.price,
                        func.nullif(items.c.currency, ""))  # fmt: skip
    user_query = select(users.c.user_id, users.c.attributes).where(users.c.attributes.is_not(None))
    return _cursor_table(db, item_query, _ITEM_SCHEMA), _cursor_table(db, user_query, _USER_SCHEMA)


_ENRICH = f"""
CREATE TABLE items AS
SELECT item_id, title, json_extract_string(category, '$[0]') AS category, brand, price, currency FROM item_rows;

CREATE TABLE ev AS
WITH gaps AS (  -- only events without a session id are sessionized
    SELECT *, coalesce(ts_ms - lag(ts_ms) OVER (PARTITION BY user_id ORDER BY ts_ms) > {SESSION_GAP_MINUTES * 60_000}, true)::INT AS starts
    FROM event_rows WHERE session_id IS NULL
), sessions AS (
    SELECT * EXCLUDE (starts), true AS inferred,
           hash(user_id, sum(starts) OVER (PARTITION BY user_id ORDER BY ts_ms ROWS UNBOUNDED PRECEDING), 'gap') AS session
    FROM gaps
    UNION ALL BY NAME
    SELECT *, false AS inferred, hash(user_id, session_id) AS session FROM event_rows WHERE session_id IS NOT NULL
)
SELECT n.user_id, n.session, n.inferred, n.type, n.item_id, n.ts_ms, epoch_ms(n.ts_ms) AS ts,
       coalesce(n.value, 1.0) AS qty,
       CASE WHEN n.type IN {PRICED_TYPES}
            THEN coalesce(n.value, 1.0) * coalesce(TRY_CAST(json_extract_string(n.context, '$.unit_price') AS DOUBLE), i.price)
       END AS amount,
       i.category, i.brand, i.title,
       coalesce(TRY_CAST(json_extract(u.attributes, '$.anonymous') AS BOOLEAN), false) AS anonymous
FROM sessions n
LEFT JOIN items i USING (item_id)
LEFT JOIN user_rows u USING (user_id);
"""


class EventLog:
    """The loaded window in a private DuckDB connection; analyses read it with :meth:`rows`."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, window: Window) -> None:
        self.connection = connection
        self.window = window

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.connection.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any]:
        [row] = self.rows(sql, params)
        return row

    def frame(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        return self.connection.execute(sql, list(params)).df()

    def close(self) -> None:
        self.connection.close()


def log_from_tables(event_rows: pa.Table, item_rows: pa.Table, user_rows: pa.Table, window: Window = Window()) -> EventLog:
    """Build the enriched DuckDB tables from Arrow tables shaped like the store's rows."""
    connection = duckdb.connect()
    for name, table in (("event_rows", event_rows), ("item_rows", item_rows), ("user_rows", user_rows)):
        connection.register(name, table)
    connection.execute("SET enable_progress_bar = false")
    connection.execute(_ENRICH)
    for name in ("event_rows", "item_rows", "user_rows"):
        connection.unregister(name)
    return EventLog(connection, window)


def load_log(db: Database, window: Window = Window()) -> EventLog:
    """Read the window's events and the catalogue from ``db`` (one pass each) into a fresh :class:`EventLog`."""
    item_rows, user_rows = _catalogue(db)
    return log_from_tables(read_events(db, window), item_rows, user_rows, window)


def store_fingerprint(db: Database) -> tuple[Any, ...]:
    """A cheap summary that changes whenever events, items or users are added or items updated (a cache key)."""
    with db.engine.connect() as connection:
        event_part = connection.execute(select(func.count(), func.max(events.c.ts_ms))).one()
        item_part = connection.execute(select(func.count(), func.max(items.c.updated_ms))).one()
        user_count = connection.execute(select(func.count()).select_from(users)).scalar_one()
    return (*event_part, *item_part, user_count)
