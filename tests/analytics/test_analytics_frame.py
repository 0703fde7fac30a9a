"""Loading the store into DuckDB: windows, inferred sessions, amounts, anonymous users; fast path = reference."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from shopsense.analytics.frame import EventLog, Window, load_log, read_events, read_events_reference, store_fingerprint
from shopsense.storage import Database

from handworked_shop import ROWS, at, fill, make_log


def _sorted(table: pa.Table) -> list[dict]:
    return sorted(table.to_pylist(), key=lambda r: (r["ts_ms"], r["user_id"], r["type"], r["item_id"]))


def test_fast_reader_agrees_with_the_event_store_scan(shop: Database) -> None:
    fast, reference = read_events(shop), read_events_reference(shop)
    assert fast.schema == reference.schema
    assert _sorted(fast) == _sorted(reference)
    assert fast.num_rows == len(ROWS)
    priced = {r["type"] for r in fast.to_pylist() if r["context"] is not None}
    assert priced == {"purchase"}  # contexts of other types are not read


@pytest.mark.parametrize("window", [Window(since=date(2024, 1, 9)), Window(until=date(2024, 1, 1)),
                                    Window(date(2024, 1, 2), date(2024, 1, 4))])  # fmt: skip
def test_readers_agree_on_windows(shop: Database, window: Window) -> None:
    assert _sorted(read_events(shop, window)) == _sorted(read_events_reference(shop, window))


def test_window_days_are_whole_and_inclusive(shop: Database) -> None:
    assert {r["ts_ms"] for r in read_events(shop, Window(since=date(2024, 1, 10))).to_pylist()} == {at(9, 20)}
    assert read_events(shop, Window(until=date(2024, 1, 1))).num_rows == 8  # e1-e4 and e15-e18
    assert read_events(shop, Window(date(2024, 1, 9), date(2024, 1, 10))).num_rows == 3  # e5, e6, e10


def test_a_window_must_not_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="after"):
        Window(date(2024, 2, 1), date(2024, 1, 1))


def test_enriched_table(log: EventLog) -> None:
    amounts = {(r["user_id"], r["item_id"]): r["amount"] for r in log.rows("SELECT * FROM ev WHERE type = 'purchase'")}
    assert amounts[("u1", "i1")] == 8.0  # 2 × context.unit_price 4, not the catalogue's 5
    assert amounts[("u1", "i2")] == 10.0 and amounts[("u5", "i1")] == 5.0  # catalogue price, quantity 1 when missing
    assert log.one("SELECT count(*) FILTER (amount IS NOT NULL) AS n FROM ev WHERE type <> 'purchase'")["n"] == 0
    anonymous = log.rows("SELECT DISTINCT user_id FROM ev WHERE anonymous")
    assert anonymous == [{"user_id": "u4"}]
    categories = {r["item_id"]: (r["category"], r["brand"]) for r in log.rows("SELECT DISTINCT item_id, category, brand FROM ev")}
    assert categories == {"i1": ("A", "X"), "i2": ("A", "Y"), "i3": ("B", "X")}


def test_sessions_are_the_shops_or_inferred_from_30_minute_gaps(log: EventLog) -> None:
    sessions = log.rows("SELECT user_id, inferred, count(*) AS n FROM ev GROUP BY session, user_id, inferred ORDER BY 1, 3")
    assert len(sessions) == 8
    assert [s["n"] for s in sessions if s["user_id"] == "u5"] == [1, 3]  # 10:00, 10:10, 10:20 | 12:00
    assert all(s["inferred"] == (s["user_id"] == "u5") for s in sessions)


def test_session_ids_are_per_user() -> None:
    shared = [("a", "u1", "s", "view", "i1", None, at(0, 1), None), ("b", "u2", "s", "view", "i1", None, at(0, 1), None)]
    log = make_log(shared)
    assert log.one("SELECT count(DISTINCT session) AS n FROM ev")["n"] == 2


def test_load_log_from_a_store(shop: Database) -> None:
    log = load_log(shop, Window(until=date(2024, 1, 1)))
    assert log.one("SELECT count(*) AS n, count(DISTINCT user_id) AS users FROM ev") == {"n": 8, "users": 2}
    assert log.one("SELECT bool_or(anonymous) AS any FROM ev")["any"] is False
    log.close()


def test_the_fingerprint_changes_with_new_events(db: Database) -> None:
    before = store_fingerprint(fill(db, ROWS[:5]))
    assert store_fingerprint(db) == before
    fill(db, ROWS[5:6])
    assert store_fingerprint(db) != before
