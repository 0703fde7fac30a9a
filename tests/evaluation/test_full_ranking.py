"""Full-ranking evaluation: history masked, ties against the model, fast paths equal their references."""

from __future__ import annotations

import numpy as np
import pytest
from evaluation_toys import FixedScores

from shopsense.evaluation.ranking import RankingTask, evaluate_ranking, pessimistic_ranks, top_codes

ITEMS = ["a", "b", "c", "d", "e"]


def _reference_rank(row: np.ndarray, history: set[int], target: int) -> float:
    """Position of ``target`` when the unmasked items are sorted by score, ties placing it last."""
    if target < 0 or target in history or not np.isfinite(row[target]):
        return np.inf
    others = [j for j in range(len(row)) if j != target and j not in history]
    return float(sum(row[j] >= row[target] for j in others))


def test_toy_matrix_by_hand() -> None:
    model = FixedScores(ITEMS, {
        "u1": [5, 3, 3, 1, 0],  # a (history, masked) beats all; b ties with the target c -> rank 1
        "u2": [0, 9, 1, 2, -np.inf],  # target e cannot be scored -> a miss; target a: c and d above (b is masked) -> 2
        "u3": [1, 1, 1, 1, 1],  # everything ties: the target comes last among the 4 unmasked items
    })  # fmt: skip
    task = RankingTask(["u1", "u2", "u3"], [["a"], ["b"], ["e"]], [["c"], ["e", "a", "zz"], ["b"]])
    result = evaluate_ranking(model, task, k=2, batch_size=2)
    assert result.ranks[0].tolist() == [1, np.inf, np.inf]
    assert result.ranks[1].tolist() == [np.inf, 2, np.inf]  # "zz" is not in the catalogue: a miss too
    assert result.ranks[2].tolist() == [3, np.inf, np.inf]
    assert result.n_targets.tolist() == [1, 3, 1]
    assert result.unscorable == 2
    assert result.top.tolist() == [[1, 2], [3, 2], [0, 1]]  # history never recommended; ties by column


def test_ranks_and_top_lists_agree_with_references_on_random_ties() -> None:
    rng = np.random.default_rng(7)
    n_users, n_items = 37, 300
    scores = rng.integers(0, 6, (n_users, n_items)).astype(np.float32)  # many ties
    scores[rng.random(scores.shape) < 0.05] = -np.inf
    ids = [f"i{j}" for j in range(n_items)]
    history = [list(rng.choice(n_items, rng.integers(1, 20), replace=False)) for _ in range(n_users)]
    targets = [[j for j in rng.choice(n_items, 4, replace=False) if j not in h][: rng.integers(1, 4)] for h in history]
    users = [f"u{u}" for u in range(n_users)]
    model = FixedScores(ids, dict(zip(users, scores)))
    task = RankingTask(users, [[ids[j] for j in h] for h in history], [[ids[j] for j in t] for t in targets])
    result = evaluate_ranking(model, task, k=25, batch_size=8)
    masked = scores.copy()
    for u, h in enumerate(history):
        masked[u, h] = -np.inf
        expected = [_reference_rank(scores[u], set(h), t) for t in targets[u]]
        assert result.ranks[u, : len(expected)].tolist() == expected
    order = np.argsort(-masked, axis=1, kind="stable")[:, :25]
    reference_top = np.where(np.isfinite(np.take_along_axis(masked, order, axis=1)), order, -1)
    assert np.array_equal(result.top, reference_top)
    assert np.array_equal(evaluate_ranking(model, task, k=25, batch_size=512).ranks, result.ranks)


def test_top_codes_with_small_catalogues_and_empty_rows() -> None:
    scores = np.array([[0.5, -np.inf, 0.7], [-np.inf, -np.inf, -np.inf]], dtype=np.float32)
    assert top_codes(scores, 5).tolist() == [[2, 0, -1], [-1, -1, -1]]


def test_pessimistic_ranks_handle_several_targets_per_row() -> None:
    scores = np.array([[4, 3, 2, 1], [1, 2, 3, 4]], dtype=np.float32)
    rows, codes = np.array([0, 0, 0, 1]), np.array([0, 3, -1, 0])
    assert pessimistic_ranks(scores, rows, codes).tolist() == [0, 3, np.inf, 3]


def test_sampled_mode_is_seeded_and_ranks_among_negatives_only() -> None:
    rng = np.random.default_rng(2)
    ids = [f"i{j}" for j in range(200)]
    users = [f"u{u}" for u in range(30)]
    model = FixedScores(ids, {u: rng.random(200) for u in users})
    task = RankingTask(users, [[ids[u]] for u in range(30)], [[ids[u + 100]] for u in range(30)])
    first = evaluate_ranking(model, task, negatives=20, seed=5)
    assert np.array_equal(first.ranks, evaluate_ranking(model, task, negatives=20, seed=5).ranks)
    assert not np.array_equal(first.ranks, evaluate_ranking(model, task, negatives=20, seed=6).ranks)
    assert (first.ranks <= 20).all()
    full = evaluate_ranking(model, task)
    assert (first.ranks <= full.ranks).all()
    perfect = FixedScores(ids, {u: np.eye(200)[n + 100] for n, u in enumerate(users)})
    assert (evaluate_ranking(perfect, task, negatives=20).ranks == 0).all()


def test_nan_scores_are_an_error() -> None:
    model = FixedScores(ITEMS, {"u1": [np.nan, 1, 2, 3, 4]})
    with pytest.raises(ValueError, match="NaN"):
        evaluate_ranking(model, RankingTask(["u1"], [["a"]], [["b"]]))
