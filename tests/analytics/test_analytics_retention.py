"""Cohort retention and repeat purchase against hand-worked values (see handworked_shop)."""

from __future__ import annotations

import pytest
from handworked_shop import at, make_log

from shopsense.analytics.frame import EventLog
from shopsense.analytics.retention import cohorts, repeat_purchase


def test_weekly_and_monthly_cohorts(log: EventLog) -> None:
    result = cohorts(log)
    [week] = result["week"]["cohorts"]  # u1, u2, u3, u5 all first seen in the week of Monday 2024-01-01
    assert (week["cohort"], week["size"], week["active"], week["retention"]) == ("2024-01-01", 4, [4, 2], [1.0, 0.5])
    [month] = result["month"]["cohorts"]
    assert (month["cohort"], month["size"], month["retention"]) == ("2024-01-01", 4, [1.0])
    assert result["week"]["mean_retention"] == [1.0, 0.5]
    assert "1 anonymous user" in result["user_note"]  # u4 is left out


def test_later_cohorts_have_unobservable_periods_as_null() -> None:
    rows = [("a", "u1", "s1", "view", "i1", None, at(0, 1), None), ("b", "u1", "s2", "view", "i1", None, at(14, 1), None),
            ("c", "u2", "s3", "view", "i1", None, at(7, 1), None)]  # fmt: skip
    first, second = cohorts(make_log(rows))["week"]["cohorts"]
    assert first["retention"] == [1.0, 0.0, 1.0]
    assert second["retention"] == [1.0, 0.0, None]  # week +2 of the second cohort is after the data ends
    assert cohorts(make_log(rows))["week"]["mean_retention"] == [1.0, 0.0, 1.0]


def test_repeat_purchase(log: EventLog) -> None:
    result = repeat_purchase(log)
    assert (result["buyers"], result["repeat_buyers"], result["repeat_rate"]) == (2, 1, 0.5)  # u1 twice, u5 once
    gap = (at(8, 10, 5) - at(0, 10, 2)) / 86_400_000  # u1's orders: s1 at 10:02 on day 0, s2 at 10:05 on day 8
    assert result["interval_days"]["count"] == 1
    assert result["interval_days"]["median"] == pytest.approx(gap)
    assert [(b["bucket"], b["count"]) for b in result["orders_per_buyer"]] == [("1", 1), ("2", 1)]
    assert [b["count"] for b in result["interval_histogram"]] == [0, 0, 0, 0, 0, 1]  # 7–14 days, empty tail dropped
    assert result["interval_histogram"][-1]["bucket"] == "7–14"


def test_no_buyers_means_no_rate() -> None:
    result = repeat_purchase(make_log([("a", "u1", "s1", "view", "i1", None, at(0, 1), None)]))
    assert (result["buyers"], result["repeat_rate"], result["orders_per_buyer"]) == (0, None, [])
