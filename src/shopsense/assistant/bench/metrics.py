"""Ranking and classification metrics as pure functions; ties are broken against the system."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, f1_score


def rank_of_first(scores: np.ndarray) -> int:
    """0-based rank of candidate 0 (the true one) among ``scores``, counting every tie as ranked above it."""
    scores = np.asarray(scores, dtype=np.float64)
    return int((scores > scores[0]).sum() + (scores[1:] == scores[0]).sum())


def mrr_and_recall_at_1(ranks: list[int]) -> dict[str, float]:
    """MRR = mean 1/(rank+1); Recall@1 = share ranked first (= R10@1 when each list holds 10 candidates)."""
    ranks_array = np.asarray(ranks, dtype=np.float64)
    return {"mrr": float(np.mean(1.0 / (ranks_array + 1))), "recall_at_1": float(np.mean(ranks_array == 0)), "queries": len(ranks)}


def intent_scores(truth: list[str], predicted: list[str], labels: list[str]) -> dict[str, float]:
    """Accuracy and macro-F1 over ``labels`` (a prediction outside them counts as wrong for its true label)."""
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)),
        "test_size": len(truth),
    }
