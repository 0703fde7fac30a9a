"""Tiny models with known answers and small synthetic data files for the evaluation tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Self

import numpy as np

from shopsense.data.interactions import Interactions
from shopsense.evaluation.curves import TrainingLog
from shopsense.models.base import UserContext


class FixedScores:
    """Scores given per user id (rows of ``table``); unknown users get ``default``."""

    name = "fixed"

    def __init__(self, item_ids: Sequence[str], table: dict[str, Sequence[float]], default: float = 0.0) -> None:
        self.item_ids = np.asarray(item_ids, dtype=object)
        self.table = {user: np.asarray(row, dtype=np.float32) for user, row in table.items()}
        self.default = default

    def score(self, users: Sequence[UserContext]) -> np.ndarray:
        fallback = np.full(len(self.item_ids), self.default, dtype=np.float32)
        return np.stack([self.table.get(user.user_id, fallback) for user in users])


class CountingEpochs:
    """A Recommender that 'trains' for ``epochs`` epochs and reports them to the TrainingLog it is given."""

    name = "counting"

    def __init__(self, *, epochs: int = 3) -> None:
        self.epochs = epochs
        self.item_ids = np.empty(0, dtype=object)

    def fit(
        self, interactions: Interactions, *, seed: int = 0, log: TrainingLog | None = None, item_features: dict | None = None
    ) -> Self:
        self.item_ids = interactions.items.ids
        self.counts = np.bincount(interactions.item, minlength=len(self.item_ids)).astype(np.float32)
        for epoch in range(1, self.epochs + 1):
            if log:
                log.epoch(epoch, loss=1.0 / epoch, featured_items=len(item_features or {}))
        return self

    def score(self, users: Sequence[UserContext]) -> np.ndarray:
        return np.tile(self.counts, (len(users), 1))


class MeanRating:
    """A RatingModel predicting the global mean (plus ``shift``): RMSE is the ratings' spread."""

    name = "mean"

    def __init__(self, *, shift: float = 0.0) -> None:
        self.shift = shift
        self.mean = 0.0

    def fit(self, users: np.ndarray, items: np.ndarray, ratings: np.ndarray, *, seed: int = 0) -> Self:
        self.mean = float(np.mean(ratings)) + self.shift
        return self

    def predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        return np.full(len(users), self.mean)


def write_s3rec(path: Path, n_users: int = 40, n_items: int = 25, seed: int = 0) -> Path:
    """An S3-Rec file (user u has 3-9 distinct items, popular ones more often) and its attribute file."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_items + 1)
    lines = []
    for user in range(1, n_users + 1):
        items = rng.choice(np.arange(1, n_items + 1), size=rng.integers(3, 10), replace=False, p=weights / weights.sum())
        lines.append(" ".join(map(str, [user, *items])))
    path.write_text("\n".join(lines) + "\n")
    attributes = {str(item): [item % 3 + 1] for item in range(1, n_items + 1)}
    path.with_name(path.stem + "_item2attributes.json").write_text(json.dumps(attributes))
    return path


def write_movielens(path: Path, n_users: int = 30, n_items: int = 15, seed: int = 0) -> Path:
    """A RecBole ``.inter`` file of 1-5 ratings and a ``.user`` file with a gender attribute."""
    rng = np.random.default_rng(seed)
    rows = ["user_id:token\titem_id:token\trating:float\ttimestamp:float"]
    for user in range(1, n_users + 1):
        for item in rng.choice(n_items, size=8, replace=False):
            rows.append(f"{user}\t{item + 1}\t{rng.integers(1, 6)}\t{880000000 + rng.integers(0, 10**6)}")
    path.write_text("\n".join(rows) + "\n")
    users = ["user_id:token\tage:token\tgender:token\toccupation:token\tzip_code:token"]
    users += [f"{u}\t30\t{'MF'[u % 2]}\tother\t00000" for u in range(1, n_users + 1)]
    path.with_suffix(".user").write_text("\n".join(users) + "\n")
    return path


def write_taobao(path: Path, n_users: int = 25, n_items: int = 30, seed: int = 0) -> Path:
    """A UserBehavior CSV: 12 events per user over ten days, mostly views."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(1, n_users + 1):
        for _ in range(12):
            item = rng.integers(1, n_items + 1)
            kind = rng.choice(["pv", "pv", "pv", "cart", "buy"])
            rows.append(f"{user},{item},{item % 4},{kind},{1511500000 + rng.integers(0, 864000)}")
    path.write_text("\n".join(rows) + "\n")
    return path
