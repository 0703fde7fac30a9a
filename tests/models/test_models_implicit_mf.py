"""ALS and BPR through implicit: confidence matrix, fold-in against a direct least-squares solve, threads."""

from __future__ import annotations

import numpy as np
import pytest
from model_toys import log

from shopsense.models.base import UserContext
from shopsense.models.implicit_mf import ALS, BPR, ImplicitMF


def reference_fold_in(item_factors: np.ndarray, ratings: np.ndarray, alpha: float, regularization: float) -> np.ndarray:
    """u = (Vᵀ C V + λI)⁻¹ Vᵀ C p with c = alpha·r on observed items, 1 elsewhere (module docstring)."""
    v = item_factors.astype(np.float64)
    confidence = np.where(ratings > 0, alpha * ratings, 1.0)
    preference = (ratings > 0).astype(np.float64)
    gram = v.T @ (confidence[:, None] * v) + regularization * np.eye(v.shape[1])
    return np.linalg.solve(gram, v.T @ (confidence * preference))


EVENTS = [
    ("u", "x", 5.0, 0), ("u", "x", 1.0, 1), ("u", "y", 1.0, 2), ("v", "y", 3.0, 3), ("v", "z", 1.0, 4),
    ("w", "z", 5.0, 5), ("w", "x", 1.0, 6), ("w", "q", -5.0, 7), ("w", "q", 1.0, 8),
]  # fmt: skip


def test_ratings_are_summed_weights_over_the_mean_positive_weight_without_negatives() -> None:
    ratings = ALS().ratings(log(EVENTS)).toarray()
    mean = (5 + 1 + 1 + 3 + 1 + 5 + 1 + 1) / 8  # 2.25
    # users u, v, w; items q, x, y, z
    expected = np.array([[0, 6, 1, 0], [0, 0, 3, 1], [0, 1, 0, 5]]) / mean
    np.testing.assert_allclose(ratings, expected, rtol=1e-6)


@pytest.mark.parametrize(
    "model",
    [
        ALS(factors=3, regularization=0.5, alpha=4.0, iterations=5),
        BPR(factors=3, iterations=20, fold_in_alpha=7.0, fold_in_regularization=2.0),
    ],
    ids=["als", "bpr"],
)
def test_fold_in_is_the_least_squares_user_step(model: ImplicitMF) -> None:
    model.fit(log(EVENTS), seed=1)
    history = ("x", "y", "x", "unknown")
    ratings = np.array([{"x": 2.0, "y": 1.0}.get(item, 0.0) for item in model.item_ids])
    user = reference_fold_in(model.item_factors, ratings, model.fold_in_alpha, model.fold_in_regularization)
    expected = model.item_factors.astype(np.float64) @ user
    np.testing.assert_allclose(model.score([UserContext(recent_items=history)])[0], expected, rtol=1e-4, atol=1e-5)


def test_als_folds_in_with_its_own_alpha_and_regularization_and_bpr_with_its_settings() -> None:
    als = ALS(alpha=12.0, regularization=3.0)
    assert (als.fold_in_alpha, als.fold_in_regularization) == (12.0, 3.0)
    bpr = BPR(regularization=0.01, fold_in_alpha=5.0, fold_in_regularization=20.0)
    assert (bpr.fold_in_alpha, bpr.fold_in_regularization) == (5.0, 20.0)
    assert "fold_in_alpha" not in als.hyper_parameters() and bpr.hyper_parameters()["fold_in_alpha"] == 5.0


def test_threads_setting_reaches_implicit() -> None:
    assert ALS(threads=2).estimator(seed=0).num_threads == 2
    assert BPR(threads=1).estimator(seed=0).num_threads == 1


def test_users_without_known_history_cannot_be_scored() -> None:
    model = ALS(factors=2, iterations=3).fit(log(EVENTS))
    rows = model.score([UserContext(), UserContext(recent_items=("nope",)), UserContext(recent_items=("x",))])
    assert np.isneginf(rows[:2]).all() and np.isfinite(rows[2]).all()


def test_refuses_logs_without_positive_events() -> None:
    with pytest.raises(ValueError, match="positive weight"):
        ALS().fit(log([("u", "x", -1.0, 0)]))
