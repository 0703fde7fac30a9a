"""A blend of rating models, weighted per prediction by how much data stands behind it.

Feature-weighted linear stacking (Sill, Takács, Mackey & Lin, "Feature-Weighted Linear Stacking",
arXiv:0911.0460, 2009; the blending of the Netflix Prize winners, Töscher, Jahrer & Bell 2009):

    r̂_ui = w_0 + Σ_f v_f g_f(u,i) + Σ_m Σ_f w_mf g_f(u,i) · r̂^m_ui

with r̂^m the component models' predictions and meta-features g = (1, log(1+n_u), log(1+n_i)),
n_u (n_i) the user's (item's) training ratings, so a model can count more for heavy users (the
latent factors) and another for light ones (the biases, the neighbours). The weights solve ridge
regression on a held-out part of the *training* ratings only:

    1. hold out a seeded ``holdout`` fraction of the training ratings;
    2. fit every component on the rest and predict the held-out ratings;
    3. w = argmin ‖r − A w‖² + ``ridge`` ‖w‖² (intercept unpenalised), A the features above;
    4. with ``refit``, fit the components again on all training ratings (the weights stay, and n_u,
       n_i become the full counts: about 1/(1 − holdout) times larger, a small shift after the log).

Default components: the baseline, item- and user-oriented KNNBaseline and SVD++, each with its own
defaults. Predictions are clipped to the training rating scale; unknown users and items have
n = 0 and the components fall back to their biases.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import numpy as np

from shopsense.data.interactions import IdMap
from shopsense.models.rating_baseline import BaselinePredictor
from shopsense.models.rating_common import RatingTable, describe, external_ids, read_artifact, write_artifact
from shopsense.models.rating_knn import KNNBaseline
from shopsense.models.rating_svdpp import SVDpp

Component = BaselinePredictor | KNNBaseline | SVDpp
COMPONENT_TYPES: dict[str, type[Component]] = {model.name: model for model in (BaselinePredictor, KNNBaseline, SVDpp)}


def default_components() -> list[Component]:
    return [BaselinePredictor(), KNNBaseline(), KNNBaseline(user_based=True), SVDpp()]


@dataclass(frozen=True)
class Support:
    """Training ratings per user and per item (the meta-features' source) and the rating scale."""

    users: IdMap
    items: IdMap
    user_count: np.ndarray  # (n_users,)
    item_count: np.ndarray  # (n_items,)
    low: float
    high: float

    @classmethod
    def of(cls, table: RatingTable) -> Support:
        return cls(
            table.users,
            table.items,
            np.bincount(table.user, minlength=table.n_users),
            np.bincount(table.item, minlength=table.n_items),
            float(table.rating.min()),
            float(table.rating.max()),
        )

    def features(self, users: np.ndarray, items: np.ndarray, predictions: np.ndarray) -> np.ndarray:
        """(n, 3 + 3m) design matrix for (n, m) component ``predictions``: [g, g ⊗ r̂] with g = (1, u, i)."""
        user, item = self.users.codes(external_ids(users)), self.items.codes(external_ids(items))
        g = np.column_stack(
            [
                np.ones(len(user)),
                np.log1p(np.where(user >= 0, self.user_count[user], 0)),
                np.log1p(np.where(item >= 0, self.item_count[item], 0)),
            ]
        )
        return np.column_stack([g, (predictions[:, :, None] * g[:, None, :]).reshape(len(user), -1)])

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "user_ids": self.users.ids.astype(str),
            "item_ids": self.items.ids.astype(str),
            "user_count": self.user_count,
            "item_count": self.item_count,
        }

    @classmethod
    def restore(cls, params: dict, arrays: dict[str, np.ndarray]) -> Support:
        return cls(
            IdMap(arrays["user_ids"].astype(object)),
            IdMap(arrays["item_ids"].astype(object)),
            arrays["user_count"],
            arrays["item_count"],
            params["low"],
            params["high"],
        )


class RatingBlend:
    name = "rating-blend"

    def __init__(
        self,
        *,
        holdout: float = 0.1,
        ridge: float = 1.0,
        refit: bool = True,
        components: Sequence[Component] | None = None,
    ) -> None:
        if not 0 < holdout < 1 or ridge < 0:
            raise ValueError("need 0 < holdout < 1 and ridge >= 0")
        self.holdout, self.ridge, self.refit = holdout, ridge, refit
        self.components = list(components) if components is not None else default_components()
        if not self.components:
            raise ValueError("a blend needs at least one component")
        self.weights = np.empty(0)  # (3 + 3m,)
        self.support: Support | None = None

    def _predictions(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        return np.column_stack([model.predict(users, items) for model in self.components])  # (n, m)

    def _fit_components(self, users: np.ndarray, items: np.ndarray, ratings: np.ndarray, seed: int) -> None:
        self.components = [
            type(m)(**m.hyper_parameters()).fit(users, items, ratings, seed=seed) for m in self.components
        ]

    def fit(self, users: np.ndarray, items: np.ndarray, ratings: np.ndarray, *, seed: int = 0) -> Self:
        users, items = external_ids(users).to_numpy(object), external_ids(items).to_numpy(object)
        ratings = np.asarray(ratings, dtype=np.float64)
        held = np.zeros(len(ratings), dtype=bool)
        held[np.random.default_rng(seed).permutation(len(ratings))[: max(1, round(self.holdout * len(ratings)))]] = True
        if held.all():
            raise ValueError("too few ratings to hold some out for the blend weights")
        self._fit_components(users[~held], items[~held], ratings[~held], seed)
        self.support = Support.of(RatingTable.of(users[~held], items[~held], ratings[~held]))
        design = self.support.features(users[held], items[held], self._predictions(users[held], items[held]))
        penalty = np.full(design.shape[1], self.ridge)
        penalty[0] = 0.0  # the intercept
        self.weights = np.linalg.solve(design.T @ design + np.diag(penalty), design.T @ ratings[held])
        if self.refit:
            self._fit_components(users, items, ratings, seed)
            self.support = Support.of(RatingTable.of(users, items, ratings))
        return self

    def predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        if self.support is None:
            raise RuntimeError("fit or load the model first")
        predicted = self.support.features(users, items, self._predictions(users, items)) @ self.weights
        return np.clip(predicted, self.support.low, self.support.high)

    def hyper_parameters(self) -> dict:
        return {"holdout": self.holdout, "ridge": self.ridge, "refit": self.refit}

    def __repr__(self) -> str:
        return f"{describe(self)[:-1]}, components={self.components!r})"

    def save(self, directory: Path) -> None:
        if self.support is None:
            raise RuntimeError("fit the model before saving it")
        names = [f"component_{n}_{m.name}" for n, m in enumerate(self.components)]
        params = {
            "model": self.name,
            **self.hyper_parameters(),
            "low": self.support.low,
            "high": self.support.high,
            "components": names,
        }
        write_artifact(directory, params, {**self.support.arrays(), "weights": self.weights})
        for name, model in zip(names, self.components):
            model.save(directory / name)

    @classmethod
    def load(cls, directory: Path) -> Self:
        params, arrays = read_artifact(directory, cls.name)
        kinds = [json.loads((directory / name / "params.json").read_text())["model"] for name in params["components"]]
        components = [COMPONENT_TYPES[kind].load(directory / name) for kind, name in zip(kinds, params["components"])]
        model = cls(holdout=params["holdout"], ridge=params["ridge"], refit=params["refit"], components=components)
        model.weights = arrays["weights"]
        model.support = Support.restore(params, arrays)
        return model
