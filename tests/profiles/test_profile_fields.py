"""One user's events through ingestion and a rebuild: every profile field against hand-computed values."""

from __future__ import annotations

from pathlib import Path

import pytest
from profile_shop import GARDEN, KITCHEN, event, ingest, rebuild

from shopsense.profiles.documents import read_profile
from shopsense.profiles.sentiment import score_text
from shopsense.storage import Database

HALF_LIFE = 30.0
WEIGHTS = {"view": 1, "add_to_cart": 3, "purchase": 5, "refund": -5, "review": 2, "rating": 2}
# (event, type, item, day + hour/24 after T0, category, brand, shop, band after the rebuild)
TIMELINE = [
    ("a1", "view", "k1", 0 + 0 / 24, KITCHEN, "Acme", "s1", "low"),
    ("a2", "add_to_cart", "k10", 0 + 1 / 24, KITCHEN, "Acme", "s1", "premium"),
    ("a3", "purchase", "k10", 30, KITCHEN, "Acme", "s1", "premium"),
    ("a4", "purchase", "g1", 40, GARDEN, "Zeta", "s2", "mid"),
    ("a5", "purchase", "k2", 40, KITCHEN, "Acme", "s1", "low"),
    ("a6", "refund", "k10", 41, KITCHEN, "Acme", "s1", "premium"),
    ("a8", "review", "k10", 41 + 14 / 24, KITCHEN, "Acme", "s1", "premium"),
    ("a9", "rating", "k10", 41 + 14 / 24, KITCHEN, "Acme", "s1", "premium"),
]
LAST = 41 + 14 / 24


def alice_events() -> list[dict]:
    return [
        event("a1", "alice", "view", "k1", 0, session_id="s1"),
        event("a2", "alice", "add_to_cart", "k10", 0, 1, session_id="s1"),
        event("a3", "alice", "purchase", "k10", 30, value=2, session_id="o1", context={"unit_price": 9.5}),
        event("a4", "alice", "purchase", "g1", 40, session_id="o2"),  # quantity 1 at the catalogue price 4.0
        event("a5", "alice", "purchase", "k2", 40, value=3, session_id="o2"),  # 3 × 2.0
        event("a6", "alice", "refund", "k10", 41, value=1, session_id="r1", context={"unit_price": 9.5}),
        event("a7", "alice", "search", None, 41, 13, query="mugs"),  # 23:00, no session: its own clock window
        event("a8", "alice", "review", "k10", 41, 14, text="not good"),  # Monday 00:00
        event("a9", "alice", "rating", "k10", 41, 14, value=4),  # same 30-minute window as a8
    ]


def expected_affinities(column: int) -> dict[str, float]:
    sums: dict[str, float] = {}
    for _, kind, _, day, *keys in TIMELINE:
        key = keys[column]
        sums[key] = sums.get(key, 0.0) + WEIGHTS[kind] * 2 ** (-(LAST - day) / HALF_LIFE)
    total = sum(v for v in sums.values() if v > 0)
    return {k: round(v / total, 4) for k, v in sums.items() if v > 0}


@pytest.fixture
def alice(shop: Database, tmp_path: Path) -> dict:
    ingest(shop, *alice_events())
    rebuild(shop, tmp_path / "models")
    return read_profile(shop, "alice")


def test_activity(alice: dict) -> None:
    assert alice["activity"] == {
        "first_seen": "2024-01-01T10:00:00Z", "last_seen": "2024-02-12T00:00:00Z", "days_inactive": 0.0,
        "events": 9, "sessions": 6,  # s1, o1, o2, r1 and two clock windows
        "by_type": {"add_to_cart": 1, "purchase": 3, "rating": 1, "refund": 1, "review": 1, "search": 1, "view": 1},
        "hours": [2] + [0] * 9 + [5, 1] + [0] * 11 + [1],
        "weekdays": [4, 0, 1, 0, 0, 2, 2],
    }  # fmt: skip


def test_rfm_raw_values(alice: dict) -> None:
    rfm = alice["rfm"]
    assert rfm["recency_days"] == round(LAST - 40, 2)
    assert rfm["frequency"] == 2  # orders o1 and o2; the refund is not an order
    assert rfm["monetary"] == 2 * 9.5 + 4.0 + 3 * 2.0 - 9.5
    assert (rfm["r"], rfm["f"], rfm["m"], rfm["segment"]) == (1, 1, 1, "lost")  # the only buyer: every cut equals her values


def test_lifecycle_and_attributes(alice: dict) -> None:
    assert alice["lifecycle"]["stage"] == "active"  # first seen 42 days before the newest event, active on it
    assert alice["attributes"] == {"country": "FR", "tier": "gold"}
    assert alice["as_of"] == "2024-02-12T00:00:00Z"


def test_affinities_decay_with_the_half_life(alice: dict) -> None:
    affinities = alice["affinities"]
    assert affinities["category"] == pytest.approx(expected_affinities(0))
    assert affinities["brand"] == pytest.approx(expected_affinities(1))
    assert affinities["shop"] == pytest.approx(expected_affinities(2))
    assert affinities["price_band"] == pytest.approx({"low": 0.0, "mid": 0.0, "high": 0.0, "premium": 0.0} | expected_affinities(3))
    assert list(affinities["category"]) == [KITCHEN, GARDEN]  # largest first


def test_purchase_cycle_sentiment_and_interests(alice: dict) -> None:
    assert alice["purchase_cycle"] == {"overall_days": 10.0, "by_category": {}}  # Kitchen has 2 purchase days only
    assert alice["sentiment"] == {"reviews": 1, "mean": round(score_text("not good"), 3), "label": "negative",
                                  "ratings": 1, "rating_mean": 4.0}  # fmt: skip
    assert alice["interests"]["recent_categories"] == [KITCHEN, GARDEN, KITCHEN]
    # learned from her own visits K → G → K: P(G|K) = (1 + ⅓)/2, P(G|G) = ⅓/2; mixture weights 1, ½, ¼
    expected = (1 * (2 / 3) + 0.5 * (1 / 6) + 0.25 * (2 / 3)) / 1.75
    assert alice["interests"]["next_categories"] == [{"category": GARDEN, "probability": round(expected, 4)}]
    assert alice["tags"] == []


def test_a_user_is_visible_at_once_and_without_a_rebuild(shop: Database) -> None:
    ingest(shop, *alice_events()[:3])
    profile = read_profile(shop, "alice")
    assert profile["activity"]["events"] == 3
    assert profile["rfm"]["monetary"] == 19.0
    assert profile["rfm"]["segment"] is None  # no quintile cuts before the first rebuild
    assert profile["affinities"]["price_band"] == {}  # no price quartiles before the first rebuild
    assert read_profile(shop, "nobody") is None


def test_re_sent_events_are_not_counted_twice(shop: Database) -> None:
    ingest(shop, *alice_events())
    ingest(shop, *alice_events()[2:5])
    assert read_profile(shop, "alice")["activity"]["events"] == 9
