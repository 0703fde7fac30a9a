"""House style rule 5: the fast insert path (``insert_tuples_new``) agrees with its reference (``insert_new``)."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import MetaData, Table, select

from shopsense.storage import Database
from shopsense.storage.events import EVENT_COLUMNS
from shopsense.storage.schema import events
from shopsense.storage.sql import insert_new, insert_tuples_new, stored_keys, upsert


def _twin(db: Database, name: str) -> Table:
    """A fresh table with the events table's columns and key, created next to it."""
    meta = MetaData()
    table = events.to_metadata(meta, name=name)
    for index in list(table.indexes):  # index names must be unique per database
        table.indexes.discard(index)
    meta.create_all(db.engine)
    return table


def _rows() -> list[dict]:
    rows = []
    for n in range(300):
        rows.append({
            "event_id": f"e{n % 250}",  # 50 ids repeat within the batch, with a different payload
            "user_id": f"用户{n % 17}", "session_id": None if n % 3 else f"s{n}",
            "type": ("view", "purchase", "search")[n % 3], "item_id": None if n % 3 == 2 else f"i{n % 31}",
            "value": None if n % 4 else n / 8, "query": "蓝色 mug" if n % 3 == 2 else None,
            "recomm_id": f"r{n}" if n % 5 == 0 else None, "position": n % 7 if n % 5 == 0 else None,
            "ts_ms": 1_700_000_000_000 + n * 997, "context": '{"device":"ios"}' if n % 2 else None,
        })  # fmt: skip
    return rows


def _contents(db: Database, table: Table) -> list[tuple]:
    with db.engine.connect() as connection:
        rows = connection.execute(select(table).order_by(table.c.event_id)).all()
    return [tuple(None if isinstance(v, float) and math.isnan(v) else v for v in row) for row in rows]


def test_fast_path_agrees_with_the_reference(db: Database) -> None:
    reference, fast = _twin(db, "events_reference"), _twin(db, "events_fast")
    rows = _rows()
    already = [dict(rows[10], type="click"), dict(rows[99], user_id="someone-else")]  # stored before the batch
    with db.engine.begin() as connection:
        insert_new(connection, reference, already)
        insert_tuples_new(connection, fast, EVENT_COLUMNS, [tuple(r[c] for c in EVENT_COLUMNS) for r in already])
    with db.engine.begin() as connection:
        for start in range(0, len(rows), 64):  # several statements, conflicts both within and across them
            chunk = rows[start : start + 64]
            insert_new(connection, reference, chunk)
            insert_tuples_new(connection, fast, EVENT_COLUMNS, [tuple(r[c] for c in EVENT_COLUMNS) for r in chunk])
    expected = _contents(db, reference)
    assert len(expected) == 250
    assert _contents(db, fast) == expected
    by_id = {row[0]: row for row in expected}
    assert by_id["e10"][3] == "click"  # the stored row wins over the batch
    assert by_id["e0"][-2] == 1_700_000_000_000  # first occurrence in the batch wins over the repeat


def test_empty_batches_are_no_ops(db: Database) -> None:
    with db.engine.begin() as connection:
        assert insert_new(connection, events, []) == []
        insert_tuples_new(connection, events, EVENT_COLUMNS, [])
        upsert(connection, events, [])
        assert stored_keys(connection, events, "event_id", []) == set()
    assert db.events.count() == 0


def test_insert_new_returns_only_the_inserted_keys(db: Database) -> None:
    table = _twin(db, "events_returning")
    rows = _rows()[:20]
    with db.engine.begin() as connection:
        assert sorted(insert_new(connection, table, rows[:5], returning="event_id")) == [f"e{n}" for n in range(5)]
        again = insert_new(connection, table, rows[3:8], returning="event_id")
    assert sorted(again) == ["e5", "e6", "e7"]


@pytest.mark.parametrize("count", [1, 3, 5_000])
def test_stored_keys_finds_exactly_the_stored_ones(db: Database, count: int) -> None:
    table = _twin(db, "events_keys")
    template = _rows()
    rows = template[:count] if count <= 250 else [dict(template[0], event_id=f"k{n}") for n in range(count)]
    with db.engine.begin() as connection:
        insert_new(connection, table, rows)
    stored = {r["event_id"] for r in rows}
    asked = sorted(stored)[::2] + ["absent", "k-1", "e'; DROP TABLE events; --"]
    with db.engine.connect() as connection:
        assert stored_keys(connection, table, "event_id", asked) == set(sorted(stored)[::2])
