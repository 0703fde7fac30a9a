"""Rating-prediction errors as pure functions (Surprise's definitions, so figures compare with its table)."""

from __future__ import annotations

import numpy as np


def _errors(predicted: np.ndarray, actual: np.ndarray) -> np.ndarray:
    predicted, actual = np.asarray(predicted, dtype=np.float64), np.asarray(actual, dtype=np.float64)
    if predicted.shape != actual.shape or predicted.size == 0:
        raise ValueError(f"need two non-empty arrays of one shape, got {predicted.shape} and {actual.shape}")
    return predicted - actual


def rmse(predicted: np.ndarray, actual: np.ndarray) -> float:
    """RMSE = sqrt((1/n) Σ (r̂ - r)²)."""
    return float(np.sqrt(np.mean(_errors(predicted, actual) ** 2)))


def mae(predicted: np.ndarray, actual: np.ndarray) -> float:
    """MAE = (1/n) Σ |r̂ - r|."""
    return float(np.mean(np.abs(_errors(predicted, actual))))
