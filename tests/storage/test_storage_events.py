"""Storage contract: the event log (idempotent by event_id), per-user reads, stats and full scans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from shopsense.domain import EventType, User
from shopsense.storage import Database
from shopsense.storage.events import EVENT_COLUMNS

T0 = datetime(2024, 1, 1, tzinfo=UTC)
T0_MS = int(T0.timestamp() * 1000)


def frame(*rows: dict) -> pd.DataFrame:
    """A validated-events frame (storage columns) from partial rows; unnamed columns are missing."""
    full = [
        {"session_id": None, "item_id": None, "value": float("nan"), "query": None, "recomm_id": None,
         "position": float("nan"), "context": None, **row}
        for row in rows
    ]  # fmt: skip
    return pd.DataFrame(full, columns=list(EVENT_COLUMNS))


def ev(event_id: str, user_id: str = "u1", minutes: int = 0, type: str = "view", item_id: str | None = "i1", **more) -> dict:
    return {"event_id": event_id, "user_id": user_id, "type": type, "item_id": item_id,
            "ts_ms": T0_MS + minutes * 60_000, **more}  # fmt: skip


def test_add_returns_new_ids_and_stores_each_event_once(db: Database) -> None:
    assert db.events.add(frame(ev("e1"), ev("e2"), ev("e3"))) == {"e1", "e2", "e3"}
    assert db.events.add(frame(ev("e2"), ev("e3"), ev("e4"))) == {"e4"}
    assert db.events.add(frame(ev("e1"), ev("e4"))) == set()
    assert db.events.count() == 4


def test_a_resent_event_keeps_its_first_version(db: Database) -> None:
    db.events.add(frame(ev("e1", type="view")))
    db.events.add(frame(ev("e1", type="purchase", value=3.0)))
    [stored] = db.events.user_events("u1")
    assert stored.type is EventType.VIEW
    assert stored.value is None


def test_empty_frame_is_a_no_op(db: Database) -> None:
    assert db.events.add(frame()) == set()
    assert db.events.count() == 0


def test_every_field_round_trips(db: Database) -> None:
    db.events.add(frame(
        ev("e1", session_id="s1", type="click", value=2.5, recomm_id="r9", position=4.0, context='{"device":"ios"}'),
        ev("e2", minutes=1, type="search", item_id=None, query="blue mug 蓝色"),
    ))  # fmt: skip
    newest, oldest = db.events.user_events("u1")
    assert newest.event_id == "e2"
    assert (newest.type, newest.item_id, newest.query) == (EventType.SEARCH, None, "blue mug 蓝色")
    assert newest.timestamp == T0 + timedelta(minutes=1)
    assert oldest.timestamp == T0
    assert (oldest.session_id, oldest.value, oldest.recomm_id, oldest.position) == ("s1", 2.5, "r9", 4)
    assert isinstance(oldest.position, int)
    assert oldest.context == {"device": "ios"}
    assert newest.context == {}


def test_first_seen_users_get_a_bare_row_and_known_users_are_left_alone(db: Database) -> None:
    db.catalog.upsert_users([User("known", {"region": "EU"}, created_at=T0 - timedelta(days=30))])
    db.events.add(frame(ev("e1", user_id="new", minutes=5), ev("e2", user_id="new", minutes=2), ev("e3", user_id="known")))
    assert db.catalog.get_user("new") == User("new", {}, created_at=T0 + timedelta(minutes=2))
    assert db.catalog.get_user("known") == User("known", {"region": "EU"}, created_at=T0 - timedelta(days=30))


def test_user_events_are_newest_first_with_limit_and_before(db: Database) -> None:
    db.events.add(frame(*[ev(f"e{m}", minutes=m) for m in (3, 0, 4, 1, 2)], ev("other", user_id="u2", minutes=9)))
    assert [e.event_id for e in db.events.user_events("u1")] == ["e4", "e3", "e2", "e1", "e0"]
    assert [e.event_id for e in db.events.user_events("u1", limit=2)] == ["e4", "e3"]
    before = T0 + timedelta(minutes=3)  # strictly before
    assert [e.event_id for e in db.events.user_events("u1", before=before)] == ["e2", "e1", "e0"]
    assert [e.event_id for e in db.events.user_events("u1", before=before, limit=1)] == ["e2"]
    assert db.events.user_events("nobody") == []


def test_user_events_break_time_ties_by_event_id(db: Database) -> None:
    db.events.add(frame(ev("a"), ev("c"), ev("b")))
    assert [e.event_id for e in db.events.user_events("u1")] == ["c", "b", "a"]


def test_naive_before_is_utc_like_everywhere_else(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    """Naive datetimes mean UTC in the whole store, whatever the machine's time zone (was: local time here)."""
    db.events.add(frame(ev("early", minutes=0), ev("late", minutes=120)))
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        naive = (T0 + timedelta(minutes=60)).replace(tzinfo=None)  # 01:00 as UTC wall time
        got = [e.event_id for e in db.events.user_events("u1", before=naive)]
    finally:
        monkeypatch.undo()
        time.tzset()
    assert got == ["early"]


def test_stats_count_types_users_items_and_time_range(db: Database) -> None:
    assert db.events.stats().total == 0
    assert db.events.stats().first is None
    db.events.add(frame(
        ev("e1", user_id="u1", item_id="i1", minutes=10),
        ev("e2", user_id="u1", item_id="i2", minutes=20, type="purchase", value=1.0),
        ev("e3", user_id="u2", item_id="i1", minutes=30, type="purchase", value=2.0),
        ev("e4", user_id="u3", item_id=None, minutes=5, type="search", query="mug"),
    ))  # fmt: skip
    stats = db.events.stats()
    assert stats.total == 4
    assert stats.by_type == {"view": 1, "purchase": 2, "search": 1}
    assert stats.users == 3
    assert stats.items == 2  # searches have no item and are not counted
    assert stats.first == T0 + timedelta(minutes=5)
    assert stats.last == T0 + timedelta(minutes=30)


def test_iter_frames_yields_the_whole_log_in_time_order_in_chunks(db: Database) -> None:
    rows = [ev(f"e{n:02d}", user_id=f"u{n % 3}", minutes=(n * 7) % 11) for n in range(11)]
    db.events.add(frame(*rows))
    chunks = list(db.events.iter_frames(chunk_rows=4))
    assert [len(c) for c in chunks] == [4, 4, 3]
    assert all(list(c.columns) == list(EVENT_COLUMNS) for c in chunks)
    whole = pd.concat(chunks, ignore_index=True)
    expected = sorted(rows, key=lambda r: (r["ts_ms"], r["event_id"]))
    assert whole["event_id"].tolist() == [r["event_id"] for r in expected]
    assert whole["ts_ms"].tolist() == [r["ts_ms"] for r in expected]


def test_iter_frames_on_an_empty_log_yields_nothing(db: Database) -> None:
    assert list(db.events.iter_frames()) == []
