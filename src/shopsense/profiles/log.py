"""Bulk reads for the batch rebuild: the whole event log and the catalogue, through a bare driver cursor.

``EventStore.iter_frames`` and ``Catalog.iter_items`` are the simple references (a test checks that
both paths give the same frames); they build a Python object per row, which makes them about three
times slower on the 536k-event Online Retail log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pandas as pd
from sqlalchemy import Select, select

from shopsense.profiles.enrich import SOURCE_COLUMNS
from shopsense.profiles.items import ITEM_COLUMNS, category_key
from shopsense.storage import Database
from shopsense.storage.codec import load_json
from shopsense.storage.schema import events, items

CHUNK_ROWS = 200_000


def _chunks(db: Database, query: Select) -> Iterator[list[tuple]]:
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(str(query.compile(dialect=db.engine.dialect)))
        while rows := cursor.fetchmany(CHUNK_ROWS):
            yield rows
        cursor.close()
    finally:
        connection.close()


def read_events(db: Database, progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Every stored event, columns ``SOURCE_COLUMNS``, in no particular order; ``progress(done, total)``."""
    total, done, frames = db.events.count(), 0, []
    for rows in _chunks(db, select(*(events.c[name] for name in SOURCE_COLUMNS))):
        frames.append(pd.DataFrame.from_records(rows, columns=list(SOURCE_COLUMNS)))
        done += len(rows)
        if progress:
            progress(done, total)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(SOURCE_COLUMNS))
    return frame.astype({"value": "float64", "ts_ms": "int64"})


def read_items(db: Database) -> pd.DataFrame:
    """The catalogue as :func:`~shopsense.profiles.items.item_frame` builds it from ``Catalog.iter_items``."""
    query = select(items.c.item_id, items.c.category, items.c.brand, items.c.shop_id, items.c.price)
    rows = [
        (item_id, category_key(load_json(category, [])), brand or None, shop, price)
        for chunk in _chunks(db, query)
        for item_id, category, brand, shop, price in chunk
    ]
    frame = pd.DataFrame(rows, columns=["item_id", *ITEM_COLUMNS]).set_index("item_id")
    return frame.astype({"price": "float64"})
