"""Item-to-item co-occurrence (ItemKNN): "similar items", "also bought", and next items from recent history.

Item-based collaborative filtering (Sarwar et al., WWW 2001; Linden, Smith & York, "Amazon.com
recommendations: item-to-item collaborative filtering", IEEE Internet Computing 2003), counted over a
window of each user's event sequence rather than the whole history, which on shop data (and on
Amazon Beauty) predicts the next item much better.

Co-occurrence. Each user's events with a positive weight, in time order, e_1 .. e_L (event weight w
from its type, time-decayed as in ``scorer.decayed_weights``); every pair p < q at most ``window``
events apart, on two different items a = item(e_p), b = item(e_q), adds

    C[a, b] += w_p · w_q / (q - p)^distance_power          (a was followed by b)
    C[b, a] += backward_weight · w_p · w_q / (q - p)^distance_power

so ``backward_weight`` = 1 gives a symmetric count and < 1 favours what people take *after* an item.

Similarity, the asymmetric cosine (Aiolli, "Efficient top-N recommendation for very large scale binary
rated datasets", RecSys 2013), n_i the total weight of item i's events:

    S[a, b] = C[a, b] / (n_a^alpha · n_b^(1 - alpha))

alpha = 0.5 is the cosine; alpha = 1 is the conditional "of the weight on a, how much was followed by b".

Scoring. The user's last ``history`` items h_0 (newest), h_1, ... vote for their neighbours:

    score(u, b) = Σ_k history_decay^k · S[h_k, b]

Items no history item reaches get -inf (no evidence). ``similar_items(a, k)`` is row a of S: "similar"
with the configured event weights, "also bought" with a model fitted on purchases only (every other
event type weighing 0) and, usually, ``backward_weight`` = 1. Defaults were chosen on the validation
item of Amazon Beauty (leave-one-out, ``shopsense bench rec``), where the alternatives tried were within noise.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Self

import numpy as np
import scipy.sparse as sp

from shopsense.data.interactions import Interactions
from shopsense.domain import Candidate
from shopsense.models.base import UserContext, top_k
from shopsense.models.scorer import ItemScorer, decayed_weights, history_matrix, sparse_restore, sparse_state


def windowed_cooccurrence(
    interactions: Interactions, weights: np.ndarray, *, window: int, distance_power: float, backward_weight: float
) -> sp.csr_matrix:
    """(n_items, n_items) float64 C of the module docstring; ``weights`` (n,) are the events' weights.

    Vectorised over all users at once: events sorted by (user, time, log order), then for each distance
    d = 1..window the pairs (position p, position p + d) of the same user.
    """
    n_items = len(interactions.items)
    order = np.lexsort((np.arange(len(interactions)), interactions.ts_ms, interactions.user))
    order = order[weights[order] > 0]
    user, item, weight = interactions.user[order], interactions.item[order], weights[order]
    counts = sp.csr_matrix((n_items, n_items), dtype=np.float64)
    for distance in range(1, window + 1):
        same_user = user[:-distance] == user[distance:]
        if not same_user.any():  # no user has more than ``distance`` events: no longer distances either
            break
        pair = np.flatnonzero(same_user & (item[:-distance] != item[distance:]))
        earlier, later = item[pair], item[pair + distance]
        value = weight[pair] * weight[pair + distance] / distance**distance_power
        rows = np.concatenate([earlier, later])
        cols = np.concatenate([later, earlier])
        values = np.concatenate([value, backward_weight * value])
        counts = counts + sp.csr_matrix((values, (rows, cols)), shape=(n_items, n_items))
    return counts.tocsr()


class ItemKNN(ItemScorer):
    name = "itemknn"
    reason = "Often taken together with your recent items"

    def __init__(
        self,
        *,
        window: int = 10,
        distance_power: float = 1.0,
        backward_weight: float = 0.25,
        alpha: float = 1.0,
        history: int = 20,
        history_decay: float = 0.3,
        half_life_days: float | None = None,
    ) -> None:
        if window < 1 or history < 1:
            raise ValueError("window and history must be at least 1")
        if not 0.0 <= alpha <= 1.0 or not 0.0 <= backward_weight <= 1.0 or not 0.0 < history_decay <= 1.0:
            raise ValueError("alpha and backward_weight must be in [0, 1], history_decay in (0, 1]")
        if half_life_days is not None and half_life_days <= 0:
            raise ValueError("half_life_days must be positive (or None for no time decay)")
        super().__init__()
        self.window = window
        self.distance_power = distance_power
        self.backward_weight = backward_weight
        self.alpha = alpha
        self.history = history
        self.history_decay = history_decay
        self.half_life_days = half_life_days
        self.similarity = sp.csr_matrix((0, 0), dtype=np.float32)  # (n_items, n_items) S

    def fit(self, interactions: Interactions, *, seed: int = 0) -> Self:
        if len(interactions) == 0:
            raise ValueError("no interactions to learn co-occurrence from")
        weights = decayed_weights(interactions, self.half_life_days)
        counts = windowed_cooccurrence(
            interactions, weights, window=self.window, distance_power=self.distance_power,
            backward_weight=self.backward_weight,
        )  # fmt: skip
        mass = np.bincount(interactions.item, weights=np.clip(weights, 0, None), minlength=len(interactions.items))
        safe = np.where(mass > 0, mass, 1.0)  # items without positive events have no pairs either
        left = sp.diags(safe**-self.alpha)
        right = sp.diags(safe ** -(1.0 - self.alpha))
        self.similarity = (left @ counts @ right).tocsr().astype(np.float32)
        self.set_item_ids(interactions.items.ids)
        return self

    def score(self, users: Sequence[UserContext]) -> np.ndarray:
        recent = history_matrix(users, self.lookup, last=self.history, decay=self.history_decay)
        scores = (recent @ self.similarity).toarray()  # (n_users, n_items)
        return np.where(scores > 0, scores, -np.inf).astype(np.float32)

    def similar_items(
        self, item_id: str, k: int, *, exclude: Collection[str] = (), candidates: Collection[str] | None = None
    ) -> list[Candidate]:
        """The k items most often taken after (and, by ``backward_weight``, before) ``item_id``; [] if unknown."""
        code = self.lookup.get_indexer([item_id])[0]
        if code < 0:
            return []
        row = self.similarity[code].toarray()[0]
        row = np.where(row > 0, row, -np.inf)
        row[code] = -np.inf
        return top_k(
            row, self.item_ids, k, source=self.name, reason="Often taken together with this item",
            exclude=exclude, candidates=candidates,
        )  # fmt: skip

    def state(self) -> dict[str, np.ndarray]:
        return sparse_state("similarity", self.similarity)

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        self.similarity = sparse_restore("similarity", arrays)
