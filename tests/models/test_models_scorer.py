"""The helpers every item-scoring model shares: weights, matrices, histories, storage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from model_toys import DAY, log

from shopsense.models.base import UserContext
from shopsense.models.ease import EASE
from shopsense.models.itemknn import ItemKNN
from shopsense.models.scorer import decayed_weights, history_matrix, user_item_matrix


def test_decayed_weights_halve_per_half_life() -> None:
    events = log([("u", "x", 5.0, 10 * DAY), ("u", "y", 4.0, 8 * DAY), ("v", "x", -1.0, 6 * DAY)])
    np.testing.assert_allclose(decayed_weights(events, 2.0), [5.0, 2.0, -0.25])
    np.testing.assert_allclose(decayed_weights(events, None), [5.0, 4.0, -1.0])


def test_user_item_matrix_sums_repeated_pairs() -> None:
    events = log([("u", "x", 1.0, 0), ("u", "x", 3.0, 1), ("v", "y", 2.0, 2), ("u", "y", -1.0, 3)])
    matrix = user_item_matrix(events, events.weight.astype(np.float64)).toarray()
    np.testing.assert_array_equal(matrix, [[4.0, -1.0], [0.0, 2.0]])  # users u, v; items x, y
    assert matrix.dtype == np.float32


def test_history_matrix_drops_unknown_ids_then_keeps_the_last_with_decay() -> None:
    lookup = pd.Index(["a", "b", "c"])
    users = [
        UserContext(recent_items=("a", "new", "b", "c", "b")),  # newest last: b(0) c(1) b(2) a(3)
        UserContext(),
        UserContext(recent_items=("zzz",)),
    ]
    full = history_matrix(users, lookup, decay=0.5).toarray()
    np.testing.assert_allclose(full, [[0.125, 1.0 + 0.25, 0.5], [0, 0, 0], [0, 0, 0]])
    last_two = history_matrix(users, lookup, last=2, decay=0.5).toarray()
    np.testing.assert_allclose(last_two[0], [0.0, 1.0, 0.5])
    np.testing.assert_array_equal(history_matrix(users[:1], lookup).toarray(), [[1.0, 2.0, 1.0]])


def test_hyper_parameters_are_the_keyword_arguments_and_survive_save(tmp_path: Path) -> None:
    model = ItemKNN(window=3, alpha=0.6, history_decay=0.9)
    assert model.hyper_parameters() == {
        "window": 3, "distance_power": 1.0, "backward_weight": 0.25, "alpha": 0.6, "history": 20,
        "history_decay": 0.9, "half_life_days": None,
    }  # fmt: skip
    model.fit(log([("u", "x", 1.0, 0), ("u", "y", 1.0, 1)]))
    model.save(tmp_path)
    assert ItemKNN.load(tmp_path).hyper_parameters() == model.hyper_parameters()


def test_load_refuses_another_models_artifact(tmp_path: Path) -> None:
    ItemKNN().fit(log([("u", "x", 1.0, 0), ("u", "y", 1.0, 1)])).save(tmp_path)
    with pytest.raises(ValueError, match="'itemknn' model, not 'ease'"):
        EASE.load(tmp_path)
