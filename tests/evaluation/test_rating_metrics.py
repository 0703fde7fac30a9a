"""RMSE and MAE against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shopsense.evaluation.rating_metrics import mae, rmse


def test_rmse_and_mae_by_hand() -> None:
    assert rmse(np.array([1, 2, 3]), np.array([1, 2, 5])) == pytest.approx(math.sqrt(4 / 3))
    assert mae(np.array([1, 2, 3]), np.array([2, 2, 5])) == pytest.approx(1)
    assert rmse(np.array([4.0]), np.array([4.0])) == 0


def test_mismatched_or_empty_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        rmse(np.array([1, 2]), np.array([1]))
    with pytest.raises(ValueError):
        mae(np.array([]), np.array([]))
