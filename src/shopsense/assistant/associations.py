"""Context → reply word associations learned from past conversations, for picking an agent's reply.

From aligned (context, reply) pairs, positive pointwise mutual information between a context word w and
a reply word v, PPMI(w, v) = max(0, log(N · n(w, v) / (n(w) · n(v)))), counted over pairs (word
presence, n(w, v) ≥ 2) (Church & Hanks 1990). A candidate reply r scores
Σ_{w ∈ c, v ∈ r} PPMI(w, v) / √|r| against context c: replies whose words tend to follow such contexts
score high even when they share no word with them, which BM25 cannot see.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from shopsense.assistant.text import tokenize_many


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def char_bigrams(texts: list[str]) -> list[list[str]]:
    """Overlapping character pairs of each text, spaces and punctuation dropped: segmentation-free units."""
    out = []
    for text in texts:
        chars = [c for c in text.lower() if c.isalnum()]
        out.append([a + b for a, b in zip(chars, chars[1:])] or ["\x00"])
    return out


class WordAssociations:
    """``units`` turns texts into lists of units: :func:`tokenize_many` words (default) or :func:`char_bigrams`."""

    def __init__(self, *, min_count: int = 2, units: Callable[[list[str]], list[list[str]]] = tokenize_many) -> None:
        self.min_count = min_count
        self.units = units

    def fit(self, contexts: Sequence[str], replies: Sequence[str]) -> WordAssociations:
        self._contexts = CountVectorizer(analyzer=_identity, binary=True, min_df=self.min_count)
        self._replies = CountVectorizer(analyzer=_identity, binary=True, min_df=self.min_count)
        x = self._contexts.fit_transform(self.units(list(contexts)))  # (pairs, context vocabulary)
        y = self._replies.fit_transform(self.units(list(replies)))  # (pairs, reply vocabulary)
        together = (x.T @ y).tocoo()
        context_counts, reply_counts = np.asarray(x.sum(0)).ravel(), np.asarray(y.sum(0)).ravel()
        pmi = np.log(together.data * x.shape[0] / (context_counts[together.row] * reply_counts[together.col]))
        keep = (pmi > 0) & (together.data >= self.min_count)
        self._ppmi = sp.csr_matrix((pmi[keep], (together.row[keep], together.col[keep])), shape=together.shape)
        return self

    def scores(self, context: str, replies: Sequence[str]) -> np.ndarray:
        """(len(replies),) association score of each reply with the context."""
        pull = self._contexts.transform(self.units([context])) @ self._ppmi  # (1, reply vocabulary)
        words = self._replies.transform(self.units(list(replies)))  # (m, reply vocabulary)
        lengths = np.maximum(np.asarray(words.sum(1)).ravel(), 1)
        return np.asarray((words @ pull.T).todense()).ravel() / np.sqrt(lengths)
