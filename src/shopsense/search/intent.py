"""Category intent: which categories a query most likely means.

A multinomial naive Bayes over query tokens (McCallum & Nigam, AAAI-98 workshop, 1998), learned from
the catalogue (each item's title, brand and category tokens count once for its category) and from clicks
after searches (each clicked result counts the query's tokens ``click_weight`` times for the clicked
item's category):

    log P(c | q) ∝ log P(c) + Σ_{t ∈ q} log((n_{c,t} + α) / (Σ_t' n_{c,t'} + α·|V|))

normalised over categories with a softmax; tokens unknown to every category are ignored, and a query
with no known token has no intent.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np


class CategoryIntent:
    def __init__(self, *, alpha: float = 0.1, click_weight: float = 3.0) -> None:
        self.alpha = alpha
        self.click_weight = click_weight
        self._counts: dict[str, Counter[str]] = defaultdict(Counter)
        self._docs: Counter[str] = Counter()

    def add(self, category: str, tokens: Sequence[str], weight: float = 1.0) -> None:
        """Count ``tokens`` (an item's text or a query followed by a click) for ``category``."""
        if category:
            for token in set(tokens):
                self._counts[category][token] += weight
            self._docs[category] += weight

    def fit(self, documents: Iterable[tuple[str, Sequence[str]]], clicks: Iterable[tuple[str, Sequence[str]]] = ()) -> CategoryIntent:
        for category, tokens in documents:
            self.add(category, tokens)
        for category, tokens in clicks:
            self.add(category, tokens, self.click_weight)
        self._categories = sorted(self._counts)
        self._vocab = {t for c in self._counts.values() for t in c}
        self._sizes = {c: sum(counts.values()) for c, counts in self._counts.items()}
        return self

    def predict(self, tokens: Sequence[str], k: int = 3) -> list[tuple[str, float]]:
        """Top ``k`` (category, probability), most likely first; empty when no token is known."""
        known = [t for t in tokens if t in self._vocab]
        if not known or not self._categories:
            return []
        total = sum(self._docs.values())
        scores = np.array([
            np.log(self._docs[c] / total)
            + sum(np.log((self._counts[c][t] + self.alpha) / (self._sizes[c] + self.alpha * len(self._vocab))) for t in known)
            for c in self._categories
        ])  # fmt: skip
        probs = np.exp(scores - scores.max())
        probs /= probs.sum()
        order = np.argsort(-probs)[:k]
        return [(self._categories[i], float(probs[i])) for i in order]
