"""Hybrid lexical + dense retrieval over a small in-memory corpus (knowledge sections, product titles).

Lexical: Okapi BM25 (Robertson & Zaragoza 2009; bm25s, Lù 2024) over :func:`tokenize` tokens. Dense: the
cosine between the e5 query vector and the e5 passage vectors. The two are fused per query as

    fused_d = w · bm25_d / max_d' bm25_d' + (1 − w) · cos_d

(BM25 scaled to [0, 1] over the scored set, so the weight means the same for every query; a query
without any matching term gets the dense score alone, which carries Chinese questions over English text.)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from shopsense.assistant.embeddings import Encoder
from shopsense.assistant.text import tokenize, tokenize_many


def fuse(bm25: np.ndarray, cosine: np.ndarray, lexical_weight: float) -> np.ndarray:
    """The fused score of the module docstring over one query's scored set."""
    top = float(bm25.max()) if bm25.size else 0.0
    lexical = bm25 / top if top > 0 else np.zeros_like(cosine)
    return lexical_weight * lexical + (1 - lexical_weight) * cosine


class HybridIndex:
    """``search(text)`` -> [(row, fused, cosine)], best first, over the documents given at construction."""

    def __init__(self, documents: Sequence[str], encoder: Encoder, *, lexical_weight: float = 0.3) -> None:
        import bm25s

        self.size = len(documents)
        self.encoder = encoder
        self.lexical_weight = lexical_weight
        self._bm25 = bm25s.BM25()
        if documents:
            self._bm25.index(tokenize_many(list(documents)), show_progress=False)
        self.vectors = encoder.passages(list(documents))  # (n, 384)

    def bm25(self, text: str) -> np.ndarray:
        """(n,) BM25 score of every document for the query ``text``."""
        tokens = tokenize(text)
        if not self.size or not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return self._bm25.get_scores(tokens)

    def search(self, text: str, k: int = 5, *, query_vector: np.ndarray | None = None) -> list[tuple[int, float, float]]:
        if not self.size:
            return []
        vector = self.encoder.query(text) if query_vector is None else query_vector
        cosine = self.vectors @ vector
        fused = fuse(self.bm25(text), cosine, self.lexical_weight)
        best = np.argsort(-fused, kind="stable")[:k]
        return [(int(i), float(fused[i]), float(cosine[i])) for i in best]
