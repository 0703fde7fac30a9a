"""Popularity and the co-purchase graph against hand-worked counts (see handworked_shop)."""

from __future__ import annotations

import pytest
from handworked_shop import ROWS, make_log

from shopsense.analytics.copurchase import co_purchase
from shopsense.analytics.frame import EventLog
from shopsense.analytics.popularity import popularity


def test_category_brand_and_item_popularity(log: EventLog) -> None:
    result = popularity(log)
    a, b = result["categories"]
    assert a == {"name": "A", "views": 6, "carts": 3, "purchases": 5, "units": 6.0, "buyers": 3, "revenue": 38.0}
    assert b == {"name": "B", "views": 2, "carts": 0, "purchases": 2, "units": 2.0, "buyers": 2, "revenue": 40.0}
    assert [(r["name"], r["purchases"]) for r in result["brands"]] == [("X", 5), ("Y", 2)]
    top = result["items"][0]
    assert (top["name"], top["title"], top["category"], top["purchases"]) == ("i1", "mug", "A", 3)
    assert "note" not in result


def test_item_and_category_pairs_with_lift(log: EventLog) -> None:
    result = co_purchase(log)
    # baskets: s1 {i1, i2}, s2 {i3}, s6 {i1, i2, i3}, u5's session {i1}: N = 4; i1 in 3, i2 in 2, i3 in 2
    assert (result["baskets"], result["multi_item"], result["min_together_for_lift"]) == (4, 2, 3)
    pairs = [(p["a"], p["b"], p["together"], p["lift"]) for p in result["items"]["by_count"]]
    assert pairs == [("i1", "i2", 2, pytest.approx(2 * 4 / (3 * 2))), ("i2", "i3", 1, 1.0),
                     ("i1", "i3", 1, pytest.approx(4 / 6))]  # fmt: skip
    assert result["items"]["by_count"][0]["a_title"] == "mug" and result["items"]["by_count"][0]["b_baskets"] == 2
    assert result["items"]["by_lift"] == []  # no pair is in 3 baskets
    [categories] = result["categories"]["by_count"]  # baskets of categories: {A}, {B}, {A, B}, {A}
    assert (categories["a"], categories["b"], categories["together"]) == ("A", "B", 1)
    assert categories["lift"] == pytest.approx(4 / 6)


def test_lift_ranking_needs_enough_baskets() -> None:
    rows = [(f"{s}{i}", f"u{s}", f"s{s}", "purchase", item, 1.0, 1_700_000_000_000 + s, None)
            for s in range(6) for i, item in enumerate(["i1", "i2"] if s < 3 else ["i3"])]  # fmt: skip
    result = co_purchase(make_log(rows))
    [top] = result["items"]["by_lift"]  # i1+i2 in 3 of 6 baskets: lift 3·6 / (3·3) = 2
    assert (top["a"], top["b"], top["together"], top["lift"]) == ("i1", "i2", 3, 2.0)


def test_single_item_baskets_are_reported() -> None:
    result = co_purchase(make_log([r for r in ROWS if r[0] in {"e3", "e6"}]))
    assert result["items"]["by_count"] == [] and "there is little to pair" in result["note"]
