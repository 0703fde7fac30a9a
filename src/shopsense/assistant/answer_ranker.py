"""A learned matcher for a question and candidate answers about the same product.

Logistic regression over [q ⊙ a, cos(q, a), BM25 / max BM25 of the list], where q and a are the e5
query and passage vectors (384 each): the element-wise product lets the model weight each embedding
dimension for this task — a diagonal bilinear similarity q^T W a, W = diag(w) (cf. Bai et al.,
"Supervised Semantic Indexing", CIKM 2009) — next to the plain cosine and the lexical match. Trained on
(question, own answer) positives against the other answers to the same product.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression


def pair_features(question: np.ndarray, answers: np.ndarray, bm25: np.ndarray) -> np.ndarray:
    """(m, 386) features of one question (384,) against m answers (m, 384) with their BM25 scores (m,)."""
    top = float(bm25.max()) if bm25.size else 0.0
    lexical = bm25 / top if top > 0 else np.zeros(len(answers))
    return np.column_stack([answers * question, answers @ question, lexical])


class AnswerRanker:
    def __init__(self, *, c: float = 1.0, seed: int = 0) -> None:
        self.c = c
        self.seed = seed

    def fit(self, features: np.ndarray, labels: np.ndarray) -> AnswerRanker:
        self._model = LogisticRegression(C=self.c, max_iter=1000, random_state=self.seed).fit(features, labels)
        return self

    def score(self, features: np.ndarray) -> np.ndarray:
        return features @ self._model.coef_[0]
