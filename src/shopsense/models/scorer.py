"""What every item-scoring recommender shares: the interaction and history matrices, ``recommend``, storage.

A subclass sets ``name`` and ``reason``, takes its hyper-parameters as typed keyword arguments (returned by
``hyper_parameters`` and saved with the model), keeps its learned state as named arrays (``state`` /
``restore``) and implements ``fit`` and ``score``. The artifact is a directory with ``params.json`` (the
model name, its hyper-parameters, and the names of its arrays) and one ``.npy`` per array, read back with
``allow_pickle=False``: no pickle anywhere.
"""

from __future__ import annotations

import inspect
import json
from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
import scipy.sparse as sp

from shopsense.data.interactions import Interactions
from shopsense.domain import Candidate
from shopsense.models.base import UserContext, top_k

_DAY_MS = 86_400_000


def decayed_weights(interactions: Interactions, half_life_days: float | None) -> np.ndarray:
    """(n,) float64 weights w_e · 2^(-(t_ref - t_e) / half_life), t_ref the newest event; w_e when None."""
    weight = interactions.weight.astype(np.float64)
    if half_life_days is None or len(interactions) == 0:
        return weight
    age_days = (interactions.ts_ms.max() - interactions.ts_ms) / _DAY_MS
    return weight * np.exp2(-age_days / half_life_days)


def user_item_matrix(interactions: Interactions, weights: np.ndarray) -> sp.csr_matrix:
    """(n_users, n_items) float32: the weights summed per (user, item)."""
    shape = (len(interactions.users), len(interactions.items))
    matrix = sp.csr_matrix((weights, (interactions.user, interactions.item)), shape=shape, dtype=np.float64)
    matrix.sum_duplicates()
    return matrix.astype(np.float32)


def history_matrix(
    users: Sequence[UserContext], lookup: pd.Index, *, last: int | None = None, decay: float = 1.0
) -> sp.csr_matrix:
    """(len(users), n_items) float32 rows of the users' recent items.

    Ids unknown to ``lookup`` are dropped first; of the rest, each user's ``last`` most recent (all when
    None) count, the k-th newest (k = 0 for the newest) weighing decay^k; an item seen twice adds up.
    """
    lengths = np.fromiter((len(user.recent_items) for user in users), dtype=np.int64, count=len(users))
    flat = np.asarray([item for user in users for item in user.recent_items], dtype=object)
    codes = lookup.get_indexer(flat) if len(flat) else np.empty(0, dtype=np.int64)
    row = np.repeat(np.arange(len(users)), lengths)
    row, codes = row[codes >= 0], codes[codes >= 0]
    known = np.bincount(row, minlength=len(users))
    age = np.repeat(np.cumsum(known), known) - 1 - np.arange(len(codes))  # 0 for each user's newest item
    keep = age < last if last else np.ones(len(codes), dtype=bool)
    value = np.power(float(decay), age[keep])
    matrix = sp.csr_matrix((value, (row[keep], codes[keep])), shape=(len(users), len(lookup)), dtype=np.float64)
    matrix.sum_duplicates()
    return matrix.astype(np.float32)


class ItemScorer(ABC):
    """Base of the Recommenders in this package that learn item scores from ``Interactions``.

    Every keyword-only argument of a subclass's ``__init__`` is a hyper-parameter, kept in the attribute
    of the same name, so ``hyper_parameters`` (what ``save`` writes and ``load`` passes back) needs no list.
    """

    name: ClassVar[str]
    reason: ClassVar[str]

    def __init__(self) -> None:
        self.item_ids: np.ndarray = np.empty(0, dtype=object)  # (n_items,) external ids, column order of score
        self.lookup = pd.Index(self.item_ids)

    def set_item_ids(self, item_ids: np.ndarray) -> None:
        self.item_ids = np.asarray(item_ids, dtype=object)
        self.lookup = pd.Index(self.item_ids)

    def hyper_parameters(self) -> dict[str, Any]:
        """The keyword arguments this model was built with (JSON-serialisable)."""
        signature = inspect.signature(type(self).__init__).parameters.values()
        return {p.name: getattr(self, p.name) for p in signature if p.kind is p.KEYWORD_ONLY}

    @abstractmethod
    def state(self) -> dict[str, np.ndarray]:
        """The learned arrays, by name (numeric dtypes only)."""

    @abstractmethod
    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        """Set the learned state from ``state()``'s arrays."""

    @abstractmethod
    def fit(self, interactions: Interactions, *, seed: int = 0) -> Self: ...

    @abstractmethod
    def score(self, users: Sequence[UserContext]) -> np.ndarray:
        """(len(users), n_items) float32, higher is better; -inf marks items the model cannot score."""

    def recommend(
        self, user: UserContext, k: int, *, exclude: Collection[str] = (), candidates: Collection[str] | None = None
    ) -> list[Candidate]:
        return top_k(
            self.score([user])[0], self.item_ids, k, source=self.name, reason=self.reason,
            exclude=exclude, candidates=candidates,
        )  # fmt: skip

    def save(self, directory: Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        arrays = self.state()
        params = {"model": self.name, "hyper_parameters": self.hyper_parameters(), "arrays": sorted(arrays)}
        (directory / "params.json").write_text(json.dumps(params, indent=2))
        np.save(directory / "item_ids.npy", self.item_ids.astype(str), allow_pickle=False)
        for key, array in arrays.items():
            np.save(directory / f"{key}.npy", array, allow_pickle=False)

    @classmethod
    def load(cls, directory: Path) -> Self:
        directory = Path(directory)
        params = json.loads((directory / "params.json").read_text())
        if params["model"] != cls.name:
            raise ValueError(f"{directory} holds a {params['model']!r} model, not {cls.name!r}")
        model = cls(**params["hyper_parameters"])
        model.set_item_ids(np.load(directory / "item_ids.npy", allow_pickle=False).astype(object))
        model.restore({key: np.load(directory / f"{key}.npy", allow_pickle=False) for key in params["arrays"]})
        return model


def sparse_state(prefix: str, matrix: sp.csr_matrix) -> dict[str, np.ndarray]:
    """A CSR matrix as plain arrays for ``ItemScorer.state``."""
    return {
        f"{prefix}_data": matrix.data, f"{prefix}_indices": matrix.indices, f"{prefix}_indptr": matrix.indptr,
        f"{prefix}_shape": np.asarray(matrix.shape, dtype=np.int64),
    }  # fmt: skip


def sparse_restore(prefix: str, arrays: dict[str, np.ndarray]) -> sp.csr_matrix:
    """The CSR matrix ``sparse_state(prefix, ...)`` stored."""
    parts = (arrays[f"{prefix}_data"], arrays[f"{prefix}_indices"], arrays[f"{prefix}_indptr"])
    return sp.csr_matrix(parts, shape=tuple(int(n) for n in arrays[f"{prefix}_shape"]))
