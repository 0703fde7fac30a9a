"""Field-weighted lexical retrieval over ``bm25s`` (Lù, "BM25S: Orders of magnitude faster lexical search
via eager sparse scoring", 2024).

One BM25 index per field (title, brand, category, description, attributes), each with Lucene's scoring

    bm25_f(q, d) = Σ_{t ∈ q} idf_f(t) · tf_f(t, d) · (k1 + 1) / (tf_f(t, d) + k1 · (1 − b + b · |d_f| / avgdl_f))

and the document score is the weighted sum Σ_f w_f · bm25_f(q, d) (title > brand > category >
description by default), a simple form of BM25F (Robertson et al., "Simple BM25 extension to multiple
weighted fields", CIKM 2004). Empty fields are skipped when every document leaves them empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

DEFAULT_FIELD_WEIGHTS = {"title": 1.0, "brand": 0.6, "category": 0.4, "attributes": 0.3, "description": 0.2}


def _bm25(k1: float, b: float):
    import bm25s

    return bm25s.BM25(k1=k1, b=b)


class FieldIndex:
    """BM25 over pre-tokenised fields; row i of every field is document i."""

    def __init__(
        self,
        fields: Mapping[str, Sequence[Sequence[str]]],
        *,
        weights: Mapping[str, float] | None = None,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        weights = dict(DEFAULT_FIELD_WEIGHTS if weights is None else weights)
        self.n_docs = len(next(iter(fields.values()))) if fields else 0
        self.weights: dict[str, float] = {}
        self._indexes = {}
        self._vocab: dict[str, set[str]] = {}
        for name, docs in fields.items():
            if len(docs) != self.n_docs:
                raise ValueError(f"field {name!r} has {len(docs)} rows, expected {self.n_docs}")
            if weights.get(name, 0.0) <= 0 or not any(docs):
                continue
            index = _bm25(k1, b)
            index.index([list(d) for d in docs], show_progress=False)
            self._indexes[name] = index
            self._vocab[name] = set(index.vocab_dict)
            self.weights[name] = weights[name]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self._indexes)

    def field_scores(self, tokens: Sequence[str]) -> dict[str, np.ndarray]:
        """Per field, the (n_docs,) BM25 scores of the query tokens (zeros when no token is known)."""
        out = {}
        for name, index in self._indexes.items():
            known = [t for t in tokens if t in self._vocab[name]]
            out[name] = (
                np.asarray(index.get_scores(known), dtype=np.float32) if known
                else np.zeros(self.n_docs, dtype=np.float32)
            )  # fmt: skip
        return out

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """(n_docs,) weighted sum of the field scores."""
        total = np.zeros(self.n_docs, dtype=np.float32)
        for name, values in self.field_scores(tokens).items():
            total += self.weights[name] * values
        return total
