"""Time-decayed popularity, global and per category: the cold-start baseline.

score(i) = Σ_{events e on i} w(type_e) · 2^(-(t_ref - t_e) / half_life)

with t_ref the newest event in the training log, so a purchase a half-life ago counts half as much as
one today. Negative weights (refunds, cart removals) lower an item's score; scores are clipped at 0.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Self

import numpy as np

from shopsense.data.interactions import Interactions
from shopsense.domain import Candidate
from shopsense.models.base import UserContext, top_k

_DAY_MS = 86_400_000


class Popularity:
    name = "popularity"

    def __init__(self, *, half_life_days: float = 30.0) -> None:
        if half_life_days <= 0:
            raise ValueError("half_life_days must be positive")
        self.half_life_days = half_life_days
        self.item_ids: np.ndarray = np.empty(0, dtype=object)
        self.scores: np.ndarray = np.empty(0, dtype=np.float64)  # (n_items,)

    def fit(self, interactions: Interactions, *, seed: int = 0) -> Self:  # noqa: ARG002 - deterministic
        if len(interactions) == 0:
            raise ValueError("no interactions to learn popularity from")
        age_days = (interactions.ts_ms.max() - interactions.ts_ms) / _DAY_MS
        decayed = interactions.weight * np.exp2(-age_days / self.half_life_days)
        totals = np.bincount(interactions.item, weights=decayed, minlength=len(interactions.items))
        self.item_ids = interactions.items.ids
        self.scores = np.clip(totals, 0.0, None)
        return self

    def score(self, users: Sequence[UserContext]) -> np.ndarray:
        row = np.where(self.scores > 0, self.scores, -np.inf).astype(np.float32)
        return np.broadcast_to(row, (len(users), len(row)))

    def recommend(
        self, user: UserContext, k: int, *, exclude: Collection[str] = (), candidates: Collection[str] | None = None
    ) -> list[Candidate]:
        return top_k(
            self.score([user])[0], self.item_ids, k, source=self.name, reason="Popular right now",
            exclude=exclude, candidates=candidates,
        )  # fmt: skip

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "params.json").write_text(json.dumps({"model": self.name, "half_life_days": self.half_life_days}))
        np.save(directory / "item_ids.npy", self.item_ids.astype(str), allow_pickle=False)
        np.save(directory / "scores.npy", self.scores, allow_pickle=False)

    @classmethod
    def load(cls, directory: Path) -> Self:
        params = json.loads((directory / "params.json").read_text())
        model = cls(half_life_days=params["half_life_days"])
        model.item_ids = np.load(directory / "item_ids.npy", allow_pickle=False).astype(object)
        model.scores = np.load(directory / "scores.npy", allow_pickle=False)
        return model
