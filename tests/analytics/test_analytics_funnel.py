"""Funnels against hand-worked counts (see handworked_shop), degenerate stores, and the reaching rule."""

from __future__ import annotations

import pytest
from handworked_shop import ROWS, at, make_log

from shopsense.analytics.frame import EventLog
from shopsense.analytics.funnel import funnel


def _reached(rows: list[dict]) -> dict[str, int]:
    return {r["stage"]: r["reached"] for r in rows}


def test_overall_funnel_per_user_and_per_session(log: EventLog) -> None:
    result = funnel(log)
    assert result["stages"] == ["view", "add_to_cart", "purchase"] and not result["degenerate"]
    users, sessions = result["overall"]["user"], result["overall"]["session"]
    assert _reached(users) == {"view": 4, "add_to_cart": 3, "purchase": 2}  # u1, u2, u3, u5 → u1, u2, u5 → u1, u5
    assert [r["with_event"] for r in users] == [4, 3, 3]  # u4 bought without viewing
    assert [r["step_rate"] for r in users] == [1.0, 3 / 4, 2 / 3]
    assert users[-1]["overall_rate"] == 0.5
    assert _reached(sessions) == {"view": 7, "add_to_cart": 3, "purchase": 2}  # s1 and u5's first session convert
    assert [r["with_event"] for r in sessions] == [7, 3, 4]


def test_funnel_by_category_and_over_time(log: EventLog) -> None:
    result = funnel(log)
    a, b = result["by_category"]["user"]  # ordered by viewers: A (u1, u2, u5), B (u1, u3)
    assert (a["group"], a["reached"], a["conversion"]) == ("A", {"view": 3, "add_to_cart": 3, "purchase": 2}, 2 / 3)
    assert (b["group"], b["reached"], b["conversion"]) == ("B", {"view": 2, "add_to_cart": 0, "purchase": 0}, 0.0)
    assert b["step_rate"] == {"add_to_cart": 0.0, "purchase": None}  # nothing to step from
    first, second = result["by_week"]["user"]
    assert (first["group"], first["reached"]) == ("2024-01-01", {"view": 4, "add_to_cart": 3, "purchase": 2})
    assert (second["group"], second["reached"]) == ("2024-01-08", {"view": 2, "add_to_cart": 0, "purchase": 0})
    [month] = result["by_month"]["session"]
    assert month["reached"] == {"view": 7, "add_to_cart": 3, "purchase": 2}
    assert len(result["by_day"]["user"]) == 6  # days 0, 1, 2, 8, 9 and u4's day 3 (purchase only)


def test_stages_may_come_in_any_order_within_a_unit() -> None:
    rows = [("a", "u", "s", "purchase", "i1", 1.0, at(0, 1), None), ("b", "u", "s", "add_to_cart", "i1", 1.0, at(0, 2), None),
            ("c", "u", "s", "view", "i1", None, at(0, 3), None)]  # fmt: skip
    assert _reached(funnel(make_log(rows))["overall"]["user"]) == {"view": 1, "add_to_cart": 1, "purchase": 1}


def test_a_purchases_only_store_has_no_funnel_and_says_why() -> None:
    result = funnel(make_log([r for r in ROWS if r[3] == "purchase"]))
    assert result["degenerate"] is True
    assert result["missing_stages"] == ["view", "add_to_cart"]
    assert "No funnel" in result["note"] and "view or add_to_cart" in result["note"]
    assert result["units_with_event"] == {"users": 3, "sessions": 4}
    assert "overall" not in result


def test_a_missing_middle_stage_is_skipped_and_named() -> None:
    result = funnel(make_log([r for r in ROWS if r[3] != "add_to_cart"]))
    assert result["stages"] == ["view", "purchase"] and result["missing_stages"] == ["add_to_cart"]
    assert _reached(result["overall"]["user"]) == {"view": 4, "purchase": 2}
    assert "add_to_cart" in result["note"]


@pytest.mark.parametrize("unit", ["user", "session"])
def test_rates_are_shares(log: EventLog, unit: str) -> None:
    result = funnel(log)
    for key in ("by_category", "by_day", "by_week", "by_month"):
        for row in result[key][unit]:
            counts = list(row["reached"].values())
            assert counts == sorted(counts, reverse=True)
            assert all(r is None or 0 <= r <= 1 for r in [row["conversion"], *row["step_rate"].values()])
