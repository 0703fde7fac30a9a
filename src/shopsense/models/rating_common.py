"""What every rating model shares: id encoding, the rating scale, the bias baseline and artifact files.

The baseline predictor (Koren, "Factor in the neighbors: scalable and accurate collaborative
filtering", ACM TKDD 2010, Sec. 2.1) is

    b_ui = μ + b_u + b_i

with μ the mean training rating. The biases minimise the regularised least-squares objective

    Σ_{(u,i)} (r_ui − μ − b_u − b_i)² + λ_u Σ_u b_u² + λ_i Σ_i b_i²

by alternating exact minimisation (ALS) as in Surprise's ``baseline_options``: with b_u fixed,
b_i = Σ_{u∈R(i)} (r_ui − μ − b_u) / (λ_i + |R(i)|), then b_u likewise with λ_u. Each step is exact,
so the objective never increases and the iterates converge to the unique minimiser. It is the
``baseline`` model and the b_ui of the neighbourhood model.

An unknown user (item) has b_u = 0 (b_i = 0): every model falls back to these biases.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from shopsense.data.interactions import IdMap


def external_ids(values: np.ndarray) -> pd.Series:
    """External ids as strings (callers may pass ints, e.g. MovieLens ids read as numbers)."""
    return pd.Series(np.asarray(values)).astype(str)


@dataclass(frozen=True)
class RatingTable:
    """Training ratings as dense codes: user[n] rated item[n] with rating[n].

    A (user, item) pair given more than once keeps its last rating: a re-rating replaces the earlier one.
    """

    users: IdMap
    items: IdMap
    user: np.ndarray  # (n,) int64 codes into users
    item: np.ndarray  # (n,) int64 codes into items
    rating: np.ndarray  # (n,) float64

    @classmethod
    def of(cls, users: np.ndarray, items: np.ndarray, ratings: np.ndarray) -> RatingTable:
        user_ids, item_ids = external_ids(users), external_ids(items)
        rating = np.asarray(ratings, dtype=np.float64)
        if not len(user_ids) == len(item_ids) == len(rating):
            raise ValueError(f"users, items, ratings differ in length: {len(user_ids)}, {len(item_ids)}, {len(rating)}")
        if len(rating) == 0 or not np.isfinite(rating).all():
            raise ValueError("need at least one rating, all finite")
        last = ~pd.DataFrame({"u": user_ids, "i": item_ids}).duplicated(keep="last").to_numpy()
        user_ids, item_ids, rating = (
            user_ids[last].reset_index(drop=True),
            item_ids[last].reset_index(drop=True),
            rating[last],
        )
        user_map, item_map = IdMap.of(user_ids), IdMap.of(item_ids)
        return cls(user_map, item_map, user_map.codes(user_ids), item_map.codes(item_ids), rating)

    @property
    def n_users(self) -> int:
        return len(self.users)

    @property
    def n_items(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Biases:
    """μ, b_u, b_i and the rating scale [low, high] seen in training."""

    users: IdMap
    items: IdMap
    mu: float
    user_bias: np.ndarray  # (n_users,)
    item_bias: np.ndarray  # (n_items,)
    low: float
    high: float

    def codes(self, users: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(user codes, item codes) of external ids, -1 where unknown."""
        return self.users.codes(external_ids(users)), self.items.codes(external_ids(items))

    def baseline(self, user: np.ndarray, item: np.ndarray) -> np.ndarray:
        """(n,) b_ui = μ + b_u + b_i for codes, with b = 0 for code -1 (unknown)."""
        return self.mu + np.where(user >= 0, self.user_bias[user], 0.0) + np.where(item >= 0, self.item_bias[item], 0.0)

    def clip(self, predicted: np.ndarray) -> np.ndarray:
        return np.clip(np.asarray(predicted, dtype=np.float64), self.low, self.high)

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "user_ids": self.users.ids.astype(str),
            "item_ids": self.items.ids.astype(str),
            "user_bias": self.user_bias,
            "item_bias": self.item_bias,
        }

    def scalars(self) -> dict[str, float]:
        return {"mu": self.mu, "low": self.low, "high": self.high}

    @classmethod
    def restore(cls, scalars: dict, arrays: dict[str, np.ndarray]) -> Biases:
        return cls(
            IdMap(arrays["user_ids"].astype(object)),
            IdMap(arrays["item_ids"].astype(object)),
            scalars["mu"],
            arrays["user_bias"],
            arrays["item_bias"],
            scalars["low"],
            scalars["high"],
        )


def fit_biases(table: RatingTable, *, reg_user: float, reg_item: float, n_epochs: int) -> Biases:
    """Alternating least squares for μ, b_u, b_i (module docstring); ``n_epochs`` item-then-user sweeps."""
    mu = float(table.rating.mean())
    user_count = np.bincount(table.user, minlength=table.n_users)
    item_count = np.bincount(table.item, minlength=table.n_items)
    user_bias, item_bias = np.zeros(table.n_users), np.zeros(table.n_items)
    for _ in range(n_epochs):
        residual = table.rating - mu - user_bias[table.user]
        item_bias = np.bincount(table.item, residual, table.n_items) / (reg_item + item_count)
        residual = table.rating - mu - item_bias[table.item]
        user_bias = np.bincount(table.user, residual, table.n_users) / (reg_user + user_count)
    low, high = float(table.rating.min()), float(table.rating.max())
    return Biases(table.users, table.items, mu, user_bias, item_bias, low, high)


def describe(model: object) -> str:
    """``Name(param=value, ...)`` from the model's ``hyper_parameters()``: the ``__repr__`` of every rating model."""
    params = ", ".join(f"{name}={value!r}" for name, value in model.hyper_parameters().items())  # type: ignore[attr-defined]
    return f"{type(model).__name__}({params})"


def write_artifact(directory: Path, params: dict, arrays: dict[str, np.ndarray]) -> None:
    """``params.json`` plus one ``<name>.npy`` per array (no pickle)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "params.json").write_text(json.dumps(params, indent=1))
    for name, array in arrays.items():
        np.save(directory / f"{name}.npy", array, allow_pickle=False)


def read_artifact(directory: Path, model: str) -> tuple[dict, dict[str, np.ndarray]]:
    """(params, arrays) written by :func:`write_artifact`; a ValueError if it holds another model."""
    params = json.loads((directory / "params.json").read_text())
    if params.get("model") != model:
        raise ValueError(f"{directory} holds a {params.get('model')!r} model, not {model!r}")
    arrays = {path.stem: np.load(path, allow_pickle=False) for path in directory.glob("*.npy")}
    return params, arrays
