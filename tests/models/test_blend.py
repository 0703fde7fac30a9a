"""The blend's parts against hand-computed values, and that it learns to trust the better component."""

from __future__ import annotations

import numpy as np
import pytest

from shopsense.data.interactions import IdMap, Interactions, hold_out_last_items
from shopsense.models.base import UserContext
from shopsense.models.blend import Blend, PoolRanks, simplex, standardise


def test_standardise_gives_z_scores_and_floors_unscorable_items() -> None:
    z, scorable = standardise(np.array([[1.0, 2.0, 3.0, -np.inf], [-np.inf] * 4], dtype=np.float32))
    np.testing.assert_allclose(z[0, :3], [-1.2247449, 0.0, 1.2247449], rtol=1e-6)
    assert z[0, 3] == pytest.approx(z[0, 0] - 1)  # below every scorable item
    np.testing.assert_array_equal(z[1], 0.0)
    assert scorable.tolist() == [True, False]


def test_simplex_lists_unit_vectors_first_and_every_mixture() -> None:
    grid = simplex(3, 0.5)
    np.testing.assert_array_equal(grid[:3], np.eye(3))
    assert len(grid) == 6 and np.allclose(grid.sum(axis=1), 1)
    assert len(simplex(3, 0.05)) == 231


def test_pool_ndcg_matches_hand_computed_ranks() -> None:
    # user 0: pool items with z (a, b); the target scores 1.0 on a, 0.0 on b; one rival scores (2, -1)
    pools = PoolRanks(
        row=[np.array([0, 0, 1])],
        z=[np.array([[1.0, 0.0], [2.0, -1.0], [0.0, 5.0]], dtype=np.float32)],
        target=[np.array([True, False, False])],
    )  # user 1's target is outside its pool: a miss
    ndcg = pools.ndcg(np.array([[1.0, 0.0], [0.0, 1.0]]), n_users=2, k=10)
    # on a alone the rival outranks the target (rank 1): 1/log2(3); on b the target is first: 1
    np.testing.assert_allclose(ndcg, [1 / np.log2(3) / 2, 1 / 2])


def test_ties_count_against_the_blend() -> None:
    pools = PoolRanks(row=[np.array([0, 0])], z=[np.array([[1.0], [1.0]], dtype=np.float32)], target=[np.array([True, False])])
    np.testing.assert_allclose(pools.ndcg(np.array([[1.0]]), n_users=1, k=10), [1 / np.log2(3)])


def test_the_holdout_is_each_users_last_new_item_only() -> None:
    log = Interactions(
        IdMap.of(["u0", "u1", "u2"]), IdMap.of(["a", "b", "c"]),
        user=np.array([0, 0, 0, 1, 1, 1, 2], dtype=np.int32), item=np.array([0, 1, 2, 0, 1, 0, 2], dtype=np.int32),
        weight=np.ones(7, dtype=np.float32), ts_ms=np.arange(7, dtype=np.int64),
    )  # fmt: skip
    held = hold_out_last_items(log, max_users=10)
    assert held.users.tolist() == [0] and held.items.tolist() == [2]  # u1 returns to a, u2 has nothing else
    assert len(held.fit) == 6


def _department_log(n_users: int = 60) -> Interactions:
    """Users walk a0 → a1 → … (or b…): the next item follows the last one; popularity is no help."""
    rng = np.random.default_rng(1)
    users, items, ts = [], [], []
    for u in range(n_users):
        start, dept = int(rng.integers(0, 5)), "ab"[u % 2]
        for step in range(4):
            users.append(f"u{u}")
            items.append(f"{dept}{start + step}")
            ts.append(u * 100 + step)
    user_map, item_map = IdMap.of(users), IdMap.of(items)
    return Interactions(
        user_map, item_map, user_map.codes(np.array(users, dtype=object)).astype(np.int32),
        item_map.codes(np.array(items, dtype=object)).astype(np.int32), np.ones(len(users), dtype=np.float32),
        np.array(ts, dtype=np.int64),
    )  # fmt: skip


def test_learns_to_weigh_the_sequence_aware_component_up() -> None:
    blend = Blend(components={"itemknn": {"window": 1, "backward_weight": 0.0}, "popularity": {}}, step=0.1)
    blend.fit(_department_log())
    assert blend.weights["itemknn"] > blend.weights["popularity"]
    report = blend.fit_report
    assert report["valid NDCG@10"] >= max(report["valid NDCG@10 per component"].values())
    best = blend.recommend(UserContext(recent_items=["a2"]), 1, exclude=["a2"])[0]
    assert best.item_id == "a3" and best.reason == "Often taken together with your recent items"


def test_fixed_weights_skip_learning_and_zero_weight_components() -> None:
    blend = Blend(components={"itemknn": {}, "popularity": {}}, weights={"itemknn": 1.0, "popularity": 0.0})
    blend.fit(_department_log())
    assert list(blend.models) == ["itemknn"] and blend.fit_report == {}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"components": {}},
        {"components": {"nope": {}}},
        {"components": {"blend": {}}},
        {"components": {"itemknn": {}}, "weights": {"itemknn": 0.0}},
        {"components": {"itemknn": {}}, "weights": {"popularity": 1.0}},
        {"step": 0.3},
        {"pool": 0},
    ],
)
def test_bad_settings_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        Blend(**kwargs)
