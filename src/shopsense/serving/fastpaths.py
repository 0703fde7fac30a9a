"""Request-time fast paths for models whose ``score`` carries batch overhead, each checked against it.

``ItemKNN.score`` builds a sparse history matrix through pandas for a batch of users; for one user the
same sum, score(u, b) = Σ_k history_decay^k · S[h_k, b] over the newest ``history`` known recent items
h_0 (newest), h_1, …, is a handful of CSR row slices added into one dense vector. ``tests/serving``
checks that both give the same scores. Models without a fast path are scored through ``score``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from shopsense.models.base import UserContext

Scorer = Callable[[UserContext], np.ndarray]


def itemknn_scorer(model) -> Scorer:  # noqa: ANN001 - a models.itemknn.ItemKNN
    similarity = model.similarity.tocsr()
    indptr, indices, data = similarity.indptr, similarity.indices, similarity.data
    code = {str(item): n for n, item in enumerate(model.item_ids)}
    last, decay = model.history, float(model.history_decay)

    def score(user: UserContext) -> np.ndarray:
        codes = [code[i] for i in user.recent_items if i in code][::-1][:last]  # newest first
        spans = [(indptr[c], indptr[c + 1]) for c in codes]
        columns = np.concatenate([indices[a:b] for a, b in spans]) if spans else np.empty(0, dtype=np.int64)
        values = np.concatenate([np.float32(decay**age) * data[a:b] for age, (a, b) in enumerate(spans)]) if spans else np.empty(0)
        scores = np.bincount(columns, weights=values, minlength=similarity.shape[1])  # Σ_k decay^k S[h_k, ·]
        return np.where(scores > 0, scores, -np.inf).astype(np.float32)

    return score


def scorer_of(model) -> Scorer:  # noqa: ANN001 - a models.base.Recommender
    """The fastest exact way to score one user with ``model``."""
    if getattr(model, "name", None) == "itemknn":
        return itemknn_scorer(model)
    return lambda user: model.score([user])[0]
