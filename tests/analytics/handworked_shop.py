"""A tiny shop whose every analytics figure is worked out by hand in the tests, as Arrow tables and as a store.

2024-01-01 is a Monday. Items: i1 (category A, brand X, price 5), i2 (A, Y, 10), i3 (B, X, 20).

=====  ====  =======  ===========  ====  =====  ==============  =================
event  user  session  type         item  value  day hh:mm       context
=====  ====  =======  ===========  ====  =====  ==============  =================
e1     u1    s1       view         i1           0 10:00
e2     u1    s1       add_to_cart  i1    2      0 10:01
e3     u1    s1       purchase     i1    2      0 10:02         unit_price 4
e4     u1    s1       purchase     i2    1      0 10:02
e5     u1    s2       view         i3           8 10:00
e6     u1    s2       purchase     i3    1      8 10:05
e7     u2    s3       view         i1           1 09:00
e8     u2    s3       view         i2           1 09:05
e9     u2    s3       add_to_cart  i2           1 09:06
e10    u2    s4       view         i2           9 20:00 (last)
e11    u3    s5       view         i3           2 15:00
e12-4  u4    s6       purchase     i1,i2,i3     3 11:00         (u4 is anonymous)
e15    u5    -        view         i1           0 10:00
e16    u5    -        add_to_cart  i1           0 10:10
e17    u5    -        purchase     i1           0 10:20
e18    u5    -        view         i2           0 12:00 (a new inferred session: 100 minutes later)
=====  ====  =======  ===========  ====  =====  ==============  =================
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pyarrow as pa

from shopsense.analytics.frame import EVENT_SCHEMA, EventLog, Window, log_from_tables
from shopsense.data.dataset import LoadedDataset
from shopsense.domain import Item, User
from shopsense.storage import Database
from shopsense.storage.codec import dump_json
from shopsense.storage.events import EVENT_COLUMNS

T0_MS = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1000)
ITEMS = [
    Item("i1", "mug", category=("A", "A1"), brand="X", price=5.0),
    Item("i2", "plate", category=("A",), brand="Y", price=10.0),
    Item("i3", "lamp", category=("B",), brand="X", price=20.0),
]
USERS = [User("u4", {"anonymous": True, "country": "UK"}), User("u1", {"country": "UK"})]


def at(day: int, hour: int, minute: int = 0) -> int:
    return T0_MS + ((day * 24 + hour) * 60 + minute) * 60_000


ROWS = [
    ("e1", "u1", "s1", "view", "i1", None, at(0, 10, 0), None),
    ("e2", "u1", "s1", "add_to_cart", "i1", 2.0, at(0, 10, 1), None),
    ("e3", "u1", "s1", "purchase", "i1", 2.0, at(0, 10, 2), '{"unit_price":4.0}'),
    ("e4", "u1", "s1", "purchase", "i2", 1.0, at(0, 10, 2), None),
    ("e5", "u1", "s2", "view", "i3", None, at(8, 10, 0), None),
    ("e6", "u1", "s2", "purchase", "i3", 1.0, at(8, 10, 5), '{"device":"ios"}'),
    ("e7", "u2", "s3", "view", "i1", None, at(1, 9, 0), None),
    ("e8", "u2", "s3", "view", "i2", None, at(1, 9, 5), None),
    ("e9", "u2", "s3", "add_to_cart", "i2", None, at(1, 9, 6), None),
    ("e10", "u2", "s4", "view", "i2", None, at(9, 20, 0), None),
    ("e11", "u3", "s5", "view", "i3", None, at(2, 15, 0), None),
    ("e12", "u4", "s6", "purchase", "i1", None, at(3, 11, 0), None),
    ("e13", "u4", "s6", "purchase", "i2", None, at(3, 11, 0), None),
    ("e14", "u4", "s6", "purchase", "i3", None, at(3, 11, 0), None),
    ("e15", "u5", None, "view", "i1", None, at(0, 10, 0), None),
    ("e16", "u5", None, "add_to_cart", "i1", None, at(0, 10, 10), None),
    ("e17", "u5", None, "purchase", "i1", None, at(0, 10, 20), None),
    ("e18", "u5", None, "view", "i2", None, at(0, 12, 0), None),
]


def stored_frame(rows: list[tuple] = ROWS) -> pd.DataFrame:
    """Rows as a validated-events frame (the storage columns ``EventStore.add`` takes)."""
    frame = pd.DataFrame(rows, columns=["event_id", "user_id", "session_id", "type", "item_id", "value", "ts_ms", "context"])
    return frame.assign(query=None, recomm_id=None, position=float("nan"), value=frame["value"].astype("float64"))[
        list(EVENT_COLUMNS)
    ]


def tables(
    rows: list[tuple] = ROWS, items: Sequence[Item] = ITEMS, anonymous: Sequence[str] = ("u4",)
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """(events, items, users) shaped like the rows the loader reads from the store."""
    names = ("event_id", "user_id", "session_id", "type", "item_id", "value", "ts_ms", "context")
    columns = dict(zip(names, zip(*rows))) if rows else dict.fromkeys(names, ())
    events = pa.table([pa.array(columns[f.name], type=f.type, from_pandas=True) for f in EVENT_SCHEMA], schema=EVENT_SCHEMA)
    items = pa.table({
        "item_id": [i.item_id for i in items], "title": [i.title for i in items],
        "category": [dump_json(list(i.category)) for i in items], "brand": [i.brand or None for i in items],
        "price": [i.price for i in items], "currency": [i.currency or "EUR" for i in items],
    })  # fmt: skip
    users = pa.table({"user_id": list(anonymous), "attributes": ['{"anonymous":true}'] * len(anonymous)})
    return events, items, users


def make_log(rows: list[tuple], window: Window = Window(), **catalogue: Any) -> EventLog:
    """``rows`` loaded without a store; ``catalogue`` may replace ``items`` and the ``anonymous`` users."""
    return log_from_tables(*tables(rows, **catalogue), window=window)


def fill(db: Database, rows: list[tuple] = ROWS) -> Database:
    db.catalog.upsert_items(ITEMS)
    db.catalog.upsert_users(USERS)
    db.events.add(stored_frame(rows))
    return db


def dataset_log(dataset: LoadedDataset) -> EventLog:
    """A loaded data set (events with epoch-millisecond timestamps, its catalogue, no anonymous users), without a store."""
    e = dataset.events
    value = e["value"].astype(object).where(e["value"].notna(), None)
    rows = list(zip(e["event_id"], e["user_id"], e["session_id"], e["type"], e["item_id"], value, e["timestamp"], e["context"]))
    return make_log(rows, items=dataset.items, anonymous=())
