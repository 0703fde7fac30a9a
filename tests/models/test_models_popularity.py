"""Popularity: time decay and the per-category mixture, against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
from model_toys import DAY, log

from shopsense.models.base import UserContext
from shopsense.models.popularity import Popularity


def test_global_popularity_decays_and_clips_refunds() -> None:
    events = log([
        ("u", "x", 5.0, 30 * DAY), ("v", "y", 5.0, 0), ("u", "z", 1.0, 30 * DAY), ("w", "z", 1.0, 30 * DAY),
        ("u", "r", 5.0, 30 * DAY), ("u", "r", -5.0, 30 * DAY), ("v", "n", -1.0, 30 * DAY),
    ])  # fmt: skip
    model = Popularity(half_life_days=30.0).fit(events)
    by_id = dict(zip(model.item_ids, model.scores))
    assert by_id == pytest.approx({"n": 0.0, "r": 0.0, "x": 5.0, "y": 2.5, "z": 2.0})
    row = dict(zip(model.item_ids, model.score([UserContext(recent_items=("x",))])[0]))
    assert row["x"] == pytest.approx(5 / 9.5) and row["y"] == pytest.approx(2.5 / 9.5)
    assert row["r"] == row["n"] == -np.inf  # nothing left to be popular with
    assert [c.item_id for c in model.recommend(UserContext(), 5)] == ["x", "y", "z"]


def test_category_mixture_by_hand() -> None:
    # pop: x 4, y 1 (both in c1), z 5 (c2 and c3), w 2 (no category); total 12
    events = log([("u", "x", 4.0, 0), ("u", "y", 1.0, 0), ("v", "z", 5.0, 0), ("v", "w", 2.0, 0)])
    features = {"x": ["c1"], "y": ["c1"], "z": ["c2", "c3"]}
    model = Popularity(category_weight=0.5).fit(events, item_features=features)
    assert list(model.categories) == ["c1", "c2", "c3"]
    # recent: y (c1) and z (c2, c3): P(c1|u) = P(c2|u) = P(c3|u) = 1/3
    row = dict(zip(model.item_ids, model.score([UserContext(recent_items=("y", "z"))])[0].astype(float)))
    expected = {
        "x": 0.5 * 4 / 12 + 0.5 * (1 / 3) * (4 / 5),
        "y": 0.5 * 1 / 12 + 0.5 * (1 / 3) * (1 / 5),
        "z": 0.5 * 5 / 12 + 0.5 * ((1 / 3) * 1 + (1 / 3) * 1),
        "w": 0.5 * 2 / 12,
    }
    assert row == pytest.approx(expected, rel=1e-6)
    assert sum(row.values()) == pytest.approx(1.0)
    global_row = model.score([UserContext(recent_items=("w",))])[0]  # no categorised history: global order
    np.testing.assert_allclose(global_row, model.scores / 12, rtol=1e-6)


def test_without_categories_every_user_gets_the_same_row() -> None:
    events = log([("u", "x", 4.0, 0), ("u", "y", 1.0, 0), ("v", "z", 5.0, 0)])
    model = Popularity().fit(events)
    rows = model.score([UserContext(), UserContext(recent_items=("x", "y"))])
    np.testing.assert_array_equal(rows[0], rows[1])


def test_top_in_category_is_recommend_restricted_to_the_category() -> None:
    events = log([("u", "x", 4.0, 0), ("u", "y", 1.0, 0), ("v", "z", 5.0, 0), ("v", "w", 2.0, 0)])
    model = Popularity().fit(events, item_features={"x": ["c1"], "y": ["c1"], "z": ["c2"]})
    assert [c.item_id for c in model.recommend(UserContext(), 5, candidates={"x", "y"})] == ["x", "y"]


@pytest.mark.parametrize("bad", [{"half_life_days": 0.0}, {"category_weight": 1.5}, {"history": 0}])
def test_rejects_bad_hyper_parameters(bad: dict) -> None:
    with pytest.raises(ValueError):
        Popularity(**bad)
