"""ItemKNN: co-occurrence counts by hand, the vectorised count against a plain reference, scoring, similar items."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from model_toys import DAY, log

from shopsense.data.interactions import Interactions
from shopsense.models.base import UserContext
from shopsense.models.itemknn import ItemKNN, windowed_cooccurrence


def reference_cooccurrence(
    interactions: Interactions, weights: np.ndarray, *, window: int, distance_power: float, backward_weight: float
) -> np.ndarray:
    """The module docstring's C, one user and one pair at a time."""
    n = len(interactions.items)
    counts = np.zeros((n, n))
    events = defaultdict(list)
    for e in range(len(interactions)):
        if weights[e] > 0:
            events[interactions.user[e]].append((interactions.ts_ms[e], e))
    for sequence in events.values():
        ordered = [e for _, e in sorted(sequence)]
        for p, first in enumerate(ordered):
            for q in range(p + 1, min(p + window, len(ordered) - 1) + 1):
                second = ordered[q]
                a, b = interactions.item[first], interactions.item[second]
                if a != b:
                    value = weights[first] * weights[second] / (q - p) ** distance_power
                    counts[a, b] += value
                    counts[b, a] += backward_weight * value
    return counts


def test_cooccurrence_by_hand() -> None:
    # one user: a, b, c, a (weights 1, 2, 1, 1); window 2, 1/distance, backward 0.5
    events = log([("u", "a", 1.0, 0), ("u", "b", 2.0, 1), ("u", "c", 1.0, 2), ("u", "a", 1.0, 3)])
    counts = windowed_cooccurrence(
        events, events.weight.astype(float), window=2, distance_power=1.0, backward_weight=0.5
    ).toarray()
    # pairs: (a,b) d1 w2; (a,c) d2 w1/2; (b,c) d1 w2; (b,a) d2 w2/2; (c,a) d1 w1
    forward = {("a", "b"): 2.0, ("a", "c"): 0.5, ("b", "c"): 2.0, ("b", "a"): 1.0, ("c", "a"): 1.0}
    expected = np.zeros((3, 3))
    index = {"a": 0, "b": 1, "c": 2}
    for (x, y), value in forward.items():
        expected[index[x], index[y]] += value
        expected[index[y], index[x]] += 0.5 * value
    np.testing.assert_allclose(counts, expected)


def test_vectorised_cooccurrence_agrees_with_the_reference() -> None:
    rng = np.random.default_rng(7)
    n = 400
    rows = [
        (
            f"u{rng.integers(30)}",
            f"i{rng.integers(25)}",
            float(rng.choice([1.0, 3.0, 5.0, -5.0])),
            int(rng.integers(200)),
        )
        for _ in range(n)
    ]  # repeated items, equal timestamps, negative weights
    events = log(rows)
    weights = events.weight.astype(np.float64)
    for window, power, backward in ((1, 1.0, 1.0), (4, 0.5, 0.25), (50, 2.0, 0.0)):
        fast = windowed_cooccurrence(events, weights, window=window, distance_power=power, backward_weight=backward)
        slow = reference_cooccurrence(events, weights, window=window, distance_power=power, backward_weight=backward)
        np.testing.assert_allclose(fast.toarray(), slow, rtol=1e-12, atol=1e-12)


def test_cooccurrence_counts_longer_distances_after_one_without_pairs() -> None:
    # a, b, a, b: at distance 2 every pair repeats an item, at distance 3 (a, b) counts again
    events = log([("u", "a", 1.0, 0), ("u", "b", 1.0, 1), ("u", "a", 1.0, 2), ("u", "b", 1.0, 3)])
    weights = events.weight.astype(float)
    fast = windowed_cooccurrence(events, weights, window=3, distance_power=1.0, backward_weight=0.5)
    slow = reference_cooccurrence(events, weights, window=3, distance_power=1.0, backward_weight=0.5)
    np.testing.assert_allclose(fast.toarray(), slow)


def test_similarity_is_the_asymmetric_cosine_and_scores_decay_with_history_age() -> None:
    # u: x then y; v: x then z then y; w: z alone.  window 1, symmetric counts
    events = log([
        ("u", "x", 1.0, 0), ("u", "y", 1.0, 1),
        ("v", "x", 1.0, 2), ("v", "z", 1.0, 3), ("v", "y", 1.0, 4),
        ("w", "z", 1.0, 5),
    ])  # fmt: skip
    model = ItemKNN(window=1, backward_weight=1.0, alpha=0.75, history_decay=0.5).fit(events)
    # C: x-y 1, x-z 1, z-y 1 (each both ways); every item has two events: n = 2
    n = {"x": 2.0, "y": 2.0, "z": 2.0}
    sim = model.similarity.toarray()
    index = {item: code for code, item in enumerate(model.item_ids)}
    for a, b in (("x", "y"), ("x", "z"), ("z", "y")):
        for p, q in ((a, b), (b, a)):
            assert sim[index[p], index[q]] == pytest.approx(1.0 / (n[p] ** 0.75 * n[q] ** 0.25))
    assert sim[index["x"], index["x"]] == 0
    row = dict(zip(model.item_ids, model.score([UserContext(recent_items=("y", "x"))])[0].astype(float)))
    # newest x weighs 1, y weighs 0.5
    assert row["z"] == pytest.approx(1.0 * sim[index["x"], index["z"]] + 0.5 * sim[index["y"], index["z"]])
    assert row["y"] == pytest.approx(sim[index["x"], index["y"]])


def test_items_no_history_item_reaches_get_minus_infinity() -> None:
    events = log([("u", "x", 1.0, 0), ("u", "y", 1.0, 1), ("v", "p", 1.0, 2), ("v", "q", 1.0, 3)])
    model = ItemKNN().fit(events)
    row = dict(zip(model.item_ids, model.score([UserContext(recent_items=("x",))])[0]))
    assert np.isfinite(row["y"]) and row["p"] == row["q"] == row["x"] == -np.inf
    assert np.isneginf(model.score([UserContext()])).all()


def test_backward_weight_prefers_what_comes_after() -> None:
    events = log([(f"u{n}", item, 1.0, t) for n in range(3) for t, item in enumerate(("a", "b", "c"))])
    model = ItemKNN(window=1, backward_weight=0.25).fit(events)
    assert [c.item_id for c in model.recommend(UserContext(recent_items=("b",)), 2, exclude={"b"})] == ["c", "a"]


def test_time_decay_lowers_old_pairs() -> None:
    old = [("u", "a", 1.0, 0), ("u", "b", 1.0, 1)]  # a -> b, 10 days before the newest event
    new = [("v", "a", 1.0, 10 * DAY), ("v", "c", 1.0, 10 * DAY + 1)]  # a -> c, now
    decayed = ItemKNN(window=1, alpha=1.0, half_life_days=10.0).fit(log(old + new))
    plain = ItemKNN(window=1, alpha=1.0).fit(log(old + new))
    assert [c.item_id for c in decayed.similar_items("a", 2)] == ["c", "b"]
    sim = {c.item_id: c.score for c in decayed.similar_items("a", 2)}
    # n_a = 0.5 + 1; C[a,b] = 0.5 * 0.5, C[a,c] = 1 * 1  (alpha 1: S = C / n_a)
    assert sim == pytest.approx({"b": 0.25 / 1.5, "c": 1.0 / 1.5})
    plain_sim = {c.item_id: c.score for c in plain.similar_items("a", 2)}
    assert plain_sim["b"] == pytest.approx(plain_sim["c"])


def test_similar_items() -> None:
    events = log([(f"u{n}", item, 1.0, t) for n in range(4) for t, item in enumerate(("a", "b", "c", "d")[: n + 2])])
    model = ItemKNN(window=2).fit(events)
    similar = model.similar_items("a", 10)
    assert [c.item_id for c in similar][:1] == ["b"] and "a" not in {c.item_id for c in similar}
    assert all(c.source == "itemknn" and c.score > 0 for c in similar)
    assert model.similar_items("a", 10, exclude={"b"})[0].item_id == "c"
    assert model.similar_items("unknown", 5) == []
