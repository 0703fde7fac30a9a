"""Time-decayed popularity, global and per category: the cold-start baseline.

Global popularity of item i, with t_ref the newest event in the training log (a purchase a half-life ago
counts half as much as one today; refunds and cart removals weigh negative; clipped at 0):

    pop(i) = max(0, Σ_{events e on i} w(type_e) · 2^(-(t_ref - t_e) / half_life))

Per category, when ``fit`` is given the items' features (item -> categories: category path levels,
brand, any labels; the evaluation harness passes ``category:…``/``brand:…``/``attribute:…`` tokens): the
user's recent items say which categories they shop in, and the score mixes global popularity with
popularity inside those categories,

    score(u, i) = (1 - β) · P(i) + β · Σ_{c ∋ i} P(c | u) · P(i | c)
    P(i) = pop(i) / Σ_j pop(j),     P(i | c) = pop(i) / Σ_{j ∈ c} pop(j)

with P(c | u) the share of category memberships among the user's last ``history`` items that are c,
and β = ``category_weight``. Both terms sum to 1 over the items, so the score is a distribution. A user
without categorised recent items gets the global order, and inside one category the order is always
global popularity, so "top in category c" is ``recommend(UserContext(), k, candidates=c's items)``.
Items with pop(i) = 0 get -inf. β = 0.9 was best on the validation item of Amazon Beauty and LastFM
(with their attribute ids as categories; tried 0, 0.5, 0.9), where it triples NDCG@10 over global
popularity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Self

import numpy as np
import scipy.sparse as sp

from shopsense.data.interactions import Interactions
from shopsense.models.base import UserContext
from shopsense.models.scorer import ItemScorer, decayed_weights, history_matrix, sparse_restore, sparse_state


class Popularity(ItemScorer):
    name = "popularity"
    reason = "Popular right now"

    def __init__(self, *, half_life_days: float = 30.0, category_weight: float = 0.9, history: int = 20) -> None:
        if half_life_days <= 0:
            raise ValueError("half_life_days must be positive")
        if not 0.0 <= category_weight <= 1.0:
            raise ValueError("category_weight must be in [0, 1]")
        if history < 1:
            raise ValueError("history must be at least 1")
        super().__init__()
        self.half_life_days = half_life_days
        self.category_weight = category_weight
        self.history = history
        self.scores: np.ndarray = np.empty(0, dtype=np.float64)  # (n_items,) pop(i)
        self.categories: np.ndarray = np.empty(0, dtype=str)  # (n_categories,) names
        self.membership = sp.csr_matrix((0, 0), dtype=np.float64)  # (n_items, n_categories) 1 where i ∈ c

    def fit(
        self, interactions: Interactions, *, seed: int = 0, item_features: Mapping[str, Sequence[str]] | None = None
    ) -> Self:
        """Learn pop(i) and, from ``item_features`` (item id -> its categories), the category memberships."""
        if len(interactions) == 0:
            raise ValueError("no interactions to learn popularity from")
        totals = np.bincount(
            interactions.item, weights=decayed_weights(interactions, self.half_life_days),
            minlength=len(interactions.items),
        )  # fmt: skip
        return self.set_popularity(interactions.items.ids, totals, item_features)

    def set_popularity(
        self, item_ids: np.ndarray, totals: np.ndarray, item_features: Mapping[str, Sequence[str]] | None = None
    ) -> Self:
        """``fit`` from the per-item Σ decayed weights ``totals`` ((n_items,) for ``item_ids``), computed here or
        by another engine (``shopsense.spark``): pop(i) = max(0, totals), and the category memberships."""
        self.set_item_ids(item_ids)
        self.scores = np.clip(np.asarray(totals, dtype=np.float64), 0.0, None)
        features = item_features or {}
        labels = [sorted(set(features.get(str(i), ()))) for i in self.item_ids]
        self.categories = np.asarray(sorted({c for found in labels for c in found}), dtype=str)
        column = {c: n for n, c in enumerate(self.categories)}
        rows = np.repeat(np.arange(len(labels)), [len(found) for found in labels])
        cols = np.asarray([column[c] for found in labels for c in found], dtype=np.int64)
        shape = (len(self.item_ids), len(self.categories))
        self.membership = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
        return self

    def score(self, users: Sequence[UserContext]) -> np.ndarray:
        rows = np.tile(self.scores / max(self.scores.sum(), 1e-300), (len(users), 1))  # (n_users, n_items) P(i)
        if self.categories.size and self.category_weight > 0:
            recent = history_matrix(users, self.lookup, last=self.history)
            counts = (recent @ self.membership).toarray()  # (n_users, n_categories)
            totals = counts.sum(axis=1, keepdims=True)
            share = counts / np.where(totals > 0, totals, 1.0)  # P(c | u)
            in_category = self.membership.T @ self.scores  # (n_categories,) Σ_{j ∈ c} pop(j)
            within = self.membership @ sp.diags(1.0 / np.where(in_category > 0, in_category, 1.0))
            within = sp.diags(self.scores) @ within  # (n_items, n_categories) P(i | c)
            personal = (within @ share.T).T  # (n_users, n_items) Σ_c P(c | u) P(i | c)
            mixed = (1 - self.category_weight) * rows + self.category_weight * personal
            rows = np.where(totals > 0, mixed, rows)
        return np.where(self.scores > 0, rows, -np.inf).astype(np.float32)

    def state(self) -> dict[str, np.ndarray]:
        return {"scores": self.scores, "categories": self.categories, **sparse_state("membership", self.membership)}

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        self.scores = arrays["scores"]
        self.categories = arrays["categories"]
        self.membership = sparse_restore("membership", arrays)
