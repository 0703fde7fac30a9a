"""EASE against the closed form computed directly and against its definition as constrained ridge regressions."""

from __future__ import annotations

import numpy as np
import pytest
from model_toys import log

from shopsense.models.base import UserContext
from shopsense.models.ease import EASE, CatalogueTooLargeError

# users (rows) x items a, b, c, d; a 2.0 weight still counts as 1, the refunded (u3, d) not at all
MATRIX = np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 1], [1, 0, 0, 0], [0, 0, 1, 1]], dtype=float)
EVENTS = [
    ("u0", "a", 1.0, 0), ("u0", "b", 2.0, 1), ("u1", "a", 1.0, 2), ("u1", "b", 1.0, 3), ("u1", "c", 1.0, 4),
    ("u2", "b", 1.0, 5), ("u2", "c", 1.0, 6), ("u2", "d", 1.0, 7), ("u3", "a", 1.0, 8),
    ("u3", "d", 1.0, 9), ("u3", "d", -1.0, 10), ("u4", "c", 1.0, 11), ("u4", "d", 1.0, 12),
]  # fmt: skip


def test_weights_match_the_closed_form_on_a_4x4_gram_matrix() -> None:
    model = EASE(l2=0.5).fit(log(EVENTS))
    assert list(model.item_ids) == ["a", "b", "c", "d"]
    p = np.linalg.inv(MATRIX.T @ MATRIX + 0.5 * np.eye(4))
    b = np.eye(4) - p @ np.diag(1.0 / np.diag(p))
    np.testing.assert_allclose(model.weights, b, rtol=1e-5, atol=1e-6)
    assert np.all(np.diag(model.weights) == 0)


def test_each_column_is_the_ridge_regression_of_that_item_on_the_others() -> None:
    """diag(B) = 0 means column j regresses item j on the other items only: an independent reference."""
    l2 = 2.0
    model = EASE(l2=l2).fit(log(EVENTS))
    for j in range(4):
        others = [i for i in range(4) if i != j]
        x = MATRIX[:, others]
        column = np.linalg.solve(x.T @ x + l2 * np.eye(3), x.T @ MATRIX[:, j])
        np.testing.assert_allclose(model.weights[others, j], column, rtol=1e-5, atol=1e-6)


def test_score_is_the_binary_history_times_b() -> None:
    model = EASE(l2=1.0).fit(log(EVENTS))
    row = model.score([UserContext(recent_items=("a", "c", "a")), UserContext()])
    np.testing.assert_allclose(row[0], model.weights[0] + model.weights[2], rtol=1e-6)
    assert np.isneginf(row[1]).all()


def test_refuses_catalogues_beyond_max_items() -> None:
    with pytest.raises(CatalogueTooLargeError, match="4 x 4 .* max_items is 3"):
        EASE(max_items=3).fit(log(EVENTS))
