"""Overview, weekday × hour heatmap and session lengths against hand-worked values (see handworked_shop)."""

from __future__ import annotations

import pytest
from handworked_shop import ROWS, at, make_log

from shopsense.analytics.activity import heatmap, overview, sessions
from shopsense.analytics.frame import EventLog


def test_overview(log: EventLog) -> None:
    result = overview(log)
    assert {k: result[k] for k in ("events", "users", "anonymous_users", "items", "sessions", "orders", "buyers")} == {
        "events": 18, "users": 5, "anonymous_users": 1, "items": 3, "sessions": 8, "orders": 4, "buyers": 3,
    }  # fmt: skip
    assert result["revenue"] == 78.0  # u1 8 + 10 + 20, u4 5 + 10 + 20, u5 5
    assert result["inferred_session_share"] == pytest.approx(4 / 18)
    assert result["by_type"] == {"view": 8, "purchase": 7, "add_to_cart": 3}
    assert result["currencies"] == ["EUR"]
    assert (result["first"], result["last"]) == ("2024-01-01T10:00:00Z", "2024-01-10T20:00:00Z")
    assert result["timeline"]["period"] == "day" and sum(c["events"] for c in result["timeline"]["counts"]) == 18
    assert any("anonymous" in n for n in result["notes"]) and any("30 minutes" in n for n in result["notes"])


def test_stray_events_are_counted() -> None:
    bulk = [(f"v{n}", f"u{n % 50}", None, "view", "i1", None, at(n % 10, n % 24), None) for n in range(2_000)]
    stray = ("far", "u9", "s9", "view", "i1", None, at(-400, 0), None)
    result = overview(make_log([*bulk, stray]))
    assert any("1 event lies a week or more outside the main time range (2024-01-01 to" in n for n in result["notes"])
    assert result["timeline"]["period"] == "day"  # the stray event does not stretch the timeline to months


def test_heatmap(log: EventLog) -> None:
    result = heatmap(log)
    assert sum(map(sum, result["events"])) == 18
    assert result["events"][0][10] == 7  # Monday 10:00-10:59: e1-e4 and e15-e17
    assert result["purchases"][0][10] == 3
    assert result["events"][2][20] == 1  # Wednesday 10 January, 20:00: e10


def test_session_lengths(log: EventLog) -> None:
    result = sessions(log)
    # events per session: s1 4, s2 2, s3 3, s4 1, s5 1, s6 3, u5 3 and 1
    assert result["events_per_session"]["count"] == 8
    assert result["events_per_session"]["median"] == 2.5
    assert [(b["bucket"], b["count"]) for b in result["events_histogram"]] == [("1", 3), ("2", 1), ("3", 3), ("4", 1)]
    # minutes: s1 2, s2 5, s3 6, s4 0, s5 0, s6 0, u5 20 and 0
    assert [(b["bucket"], b["count"]) for b in result["minutes_histogram"]] == [
        ("0", 4), ("< 1", 0), ("1–5", 1), ("5–15", 2), ("15–30", 1)]  # fmt: skip
    assert result["zero_minute_share"] == 0.5 and "note" not in result


def test_single_moment_sessions_are_flagged() -> None:
    result = sessions(make_log([r for r in ROWS if r[2] == "s6"]))
    assert result["zero_minute_share"] == 1.0 and "0 minutes" in result["note"]
