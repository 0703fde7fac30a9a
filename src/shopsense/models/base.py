"""The interfaces every model implements (ARCHITECTURE.md, house style 1).

Top-N recommenders score every catalogue item for a user at once (``score``); ``recommend`` is derived
from it by :func:`top_k`, which applies exclusions and candidate restrictions the same way for all.
The evaluation harness calls ``score`` on batches of users (full ranking over all items).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Self

import numpy as np

from shopsense.data.interactions import Interactions
from shopsense.domain import Candidate


@dataclass(frozen=True)
class UserContext:
    """What the caller knows about the user at request time; recent history counts at once."""

    user_id: str | None = None
    recent_items: Sequence[str] = ()  # external item ids, oldest first
    attributes: dict = field(default_factory=dict)


class Recommender(Protocol):
    name: str
    item_ids: np.ndarray  # (n_items,) external ids; column j of ``score`` is item_ids[j]

    def fit(self, interactions: Interactions, *, seed: int = 0) -> Self: ...

    def score(self, users: Sequence[UserContext]) -> np.ndarray:
        """(len(users), n_items) float32 scores, higher is better; -inf marks items it cannot score."""
        ...

    def recommend(
        self, user: UserContext, k: int, *, exclude: Collection[str] = (), candidates: Collection[str] | None = None
    ) -> list[Candidate]: ...

    def save(self, directory: Path) -> None: ...

    @classmethod
    def load(cls, directory: Path) -> Self: ...


class RatingModel(Protocol):
    """Explicit-feedback models (star ratings): predict the rating a user would give an item."""

    name: str

    def fit(self, users: np.ndarray, items: np.ndarray, ratings: np.ndarray, *, seed: int = 0) -> Self:
        """users, items: (n,) external ids (object arrays); ratings: (n,) float."""
        ...

    def predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """(n,) predicted ratings, clipped to the rating scale; unknown users/items fall back to biases."""
        ...

    def save(self, directory: Path) -> None: ...

    @classmethod
    def load(cls, directory: Path) -> Self: ...


def top_k(
    scores: np.ndarray,
    item_ids: np.ndarray,
    k: int,
    *,
    source: str,
    reason: str,
    exclude: Collection[str] = (),
    candidates: Collection[str] | None = None,
) -> list[Candidate]:
    """The k best items of one user's score row (n_items,) as Candidates, after exclusions/restrictions."""
    allowed = np.isfinite(scores)
    if candidates is not None:
        allowed &= np.isin(item_ids, np.asarray(list(candidates), dtype=object))
    if exclude:
        allowed &= ~np.isin(item_ids, np.asarray(list(exclude), dtype=object))
    index = np.flatnonzero(allowed)
    if len(index) > k:
        index = index[np.argpartition(-scores[index], k - 1)[:k]]
    index = index[np.argsort(-scores[index], kind="stable")]
    return [Candidate(str(item_ids[i]), float(scores[i]), source, reason) for i in index]
