"""Blend: several recommenders' scores combined by weights learned on each user's last item.

    score(u, i) = Σ_c w_c · z_c(u, i),   z_c(u, ·) = (s_c(u, ·) − mean) / std over the items c can score,

items c cannot score (−inf) getting the row's lowest z minus 1; w lies on the simplex (a grid of step ``step``).
The weights are learned as in linear blending of a model ensemble on a probe set (Koren, "The BellKor
Solution to the Netflix Grand Prize", 2009): every user's last new item is held out of a first fit
of the components (a leave-one-out validation inside ``fit``, :func:`hold_out_last_items`), each
component scores the held-out users with their remaining items as history, and the w with the best
NDCG@``k`` wins (the first on ties, so a single component wins ties with mixtures). Ranks are taken
within the union of each component's top-``pool`` items for the user (a held-out item outside it is a
miss; a pool of a few hundred leaves top-10 ranks unchanged in practice). With ``refit`` the
components are then fitted again on all interactions; without, the holdout fits are kept (half the
training time; the held-out items still count as history at request time).

Under ``shopsense bench rec --protocol loo`` the blend is fitted on train + validation, so its
holdout is exactly the validation item: the weights never see a test item.
"""

from __future__ import annotations

import inspect
import itertools
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import numpy as np
import pandas as pd

from shopsense.data.interactions import Interactions, hold_out_last_items
from shopsense.domain import Candidate
from shopsense.models.base import Recommender, UserContext, top_k
from shopsense.models.registry import RECOMMENDERS

DEFAULT_COMPONENTS: dict[str, dict[str, Any]] = {"sasrec": {"epochs": 20}, "itemknn": {}, "ease": {}}


def standardise(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise z-scores over the finite entries, non-finite ones set below them all (the row's minimum z
    minus 1; 0 for a row with none); and (n_rows,) whether the row had any finite entry."""
    finite = np.isfinite(scores)
    count = finite.sum(axis=1, keepdims=True)
    values = np.where(finite, scores, 0.0).astype(np.float64)
    mean = values.sum(axis=1, keepdims=True) / np.maximum(count, 1)
    spread = np.sqrt((np.where(finite, values - mean, 0.0) ** 2).sum(axis=1, keepdims=True) / np.maximum(count, 1))
    z = np.where(finite, (values - mean) / np.where(spread > 0, spread, 1.0), np.inf)
    floor = z.min(axis=1, keepdims=True)
    z = np.where(finite, z, np.where(np.isfinite(floor), floor - 1, 0.0))
    return z.astype(np.float32), count[:, 0] > 0


def simplex(n: int, step: float) -> np.ndarray:
    """(m, n) every weight vector with entries in multiples of ``step`` summing to 1, unit vectors first."""
    units = round(1 / step)
    grid = [np.array(c) / units for c in itertools.product(range(units + 1), repeat=n) if sum(c) == units]
    grid.sort(key=lambda w: (np.count_nonzero(w), tuple(-w)))
    return np.array(grid)


@dataclass
class PoolRanks:
    """The held-out users' candidate pools, flattened: one row per (user, pooled item)."""

    row: list[np.ndarray] = field(default_factory=list)  # user number
    z: list[np.ndarray] = field(default_factory=list)  # (·, n_components) standardised scores
    target: list[np.ndarray] = field(default_factory=list)  # whether the item is the user's held-out one

    def ndcg(self, weights: np.ndarray, n_users: int, k: int) -> np.ndarray:
        """(len(weights),) mean NDCG@k over the ``n_users`` users (an item missing from its pool scores 0)."""
        row, z, target = (np.concatenate(part) for part in (self.row, self.z, self.target))
        found = np.flatnonzero(target)
        result = []
        for w in weights:
            blended = z @ w.astype(np.float32)
            best = np.full(n_users, np.inf, dtype=np.float32)
            best[row[found]] = blended[found]
            above = np.bincount(row, weights=blended >= best[row], minlength=n_users) - 1  # ties count against
            hit = np.isfinite(best) & (above < k)
            result.append(np.where(hit, 1 / np.log2(np.maximum(above, 0) + 2), 0.0).sum() / n_users)
        return np.array(result)


class Blend:
    """A weighted sum of standardised component scores; see the module docstring for how w is learned."""

    name = "blend"

    def __init__(
        self,
        *,
        components: Mapping[str, Mapping[str, Any]] | None = None,
        weights: Mapping[str, float] | None = None,
        step: float = 0.05,
        pool: int = 200,
        k: int = 10,
        holdout_users: int = 20_000,
        refit: bool = True,
        batch_size: int = 512,
    ) -> None:
        """components: registered model name -> its hyper-parameters (default: SASRec, ItemKNN, EASE);
        weights: fixed weights per component (None: learn them); step: grid step of the learned
        weights; pool: items per component a held-out item is ranked among; k: the NDCG cut-off
        maximised; holdout_users: the most users held out (a seeded sample); refit: fit the components
        again on everything after learning w; batch_size: users scored at once while learning."""
        components = dict(DEFAULT_COMPONENTS if components is None else components)
        unknown = sorted(name for name in components if name not in RECOMMENDERS or name == self.name)
        if not components or unknown:
            raise ValueError(f"components must name registered models other than blend; bad: {unknown or 'none given'}")
        if weights is not None and (
            set(weights) != set(components) or min(weights.values()) < 0 or sum(weights.values()) <= 0
        ):
            raise ValueError("fixed weights need one non-negative value per component, not all zero")
        if not 0 < step <= 1 or abs(round(1 / step) * step - 1) > 1e-9:
            raise ValueError("step must divide 1 (e.g. 0.1, 0.05)")
        if min(pool, k, holdout_users, batch_size) < 1:
            raise ValueError("pool, k, holdout_users and batch_size must be positive")
        self.components = {name: dict(params) for name, params in components.items()}
        self.weights = None if weights is None else {name: float(w) for name, w in weights.items()}
        self.step, self.pool, self.k, self.holdout_users = step, pool, k, holdout_users
        self.refit, self.batch_size = refit, batch_size
        self.models: dict[str, Recommender] = {}
        self.item_ids = np.empty(0, dtype=object)
        self.fit_report: dict[str, Any] = {}

    def hyper_parameters(self) -> dict[str, Any]:
        """The keyword arguments this blend was built with; ``weights`` are the learned ones after ``fit``."""
        names = inspect.signature(type(self).__init__).parameters
        return {name: getattr(self, name) for name in names if name != "self"}

    def fit(
        self,
        interactions: Interactions,
        *,
        seed: int = 0,
        item_features: Mapping[str, Sequence[str]] | None = None,
        log: Any = None,
    ) -> Self:
        """Learn the weights (unless fixed), then fit the components on everything (see ``refit``);
        item_features and log go to the components whose ``fit`` takes them (log: the final fit only)."""
        self.item_ids = np.asarray(interactions.items.ids, dtype=object)
        if self.weights is None:
            holdout = hold_out_last_items(interactions, self.holdout_users, seed)
            if len(holdout.users) == 0:
                raise ValueError("no user has a last new item to hold out: fix the weights or add history")
            self.models = self._fit_components(holdout.fit, seed, item_features, None)
            self._learn_weights(holdout.fit, holdout.users, holdout.items)
            if not self.refit:
                return self
        self.models = self._fit_components(interactions, seed, item_features, log)
        return self

    def _fit_components(
        self, interactions: Interactions, seed: int, item_features: Mapping | None, log: Any
    ) -> dict[str, Recommender]:
        models = {}
        for name, params in self.components.items():
            if self.weights is not None and self.weights[name] == 0:
                continue
            model = RECOMMENDERS[name](**params)
            accepts = inspect.signature(model.fit).parameters
            extra = {"item_features": item_features} if item_features and "item_features" in accepts else {}
            extra |= {"log": log} if log is not None and "log" in accepts else {}
            models[name] = model.fit(interactions, seed=seed, **extra)
        return models

    def _learn_weights(self, interactions: Interactions, users: np.ndarray, targets: np.ndarray) -> None:
        histories = interactions.histories(users)
        item_ids = interactions.items.ids
        pools = PoolRanks()
        for start in range(0, len(users), self.batch_size):
            batch = range(start, min(start + self.batch_size, len(users)))
            contexts = [UserContext(recent_items=item_ids[histories[n]].tolist()) for n in batch]
            rows = np.repeat(np.arange(len(batch)), [len(histories[n]) for n in batch])
            seen = np.concatenate([histories[n] for n in batch])
            z = np.stack([self._component_z(model, contexts)[0] for model in self.models.values()])  # (C, B, n)
            z[:, rows, seen] = -np.inf  # the evaluation masks history
            pooled = np.zeros(z.shape[1:], dtype=bool)
            top = np.argpartition(-z, min(self.pool, z.shape[2]) - 1, axis=2)[:, :, : self.pool]
            pooled[np.arange(len(batch))[None, :, None], top] = True
            pooled[rows, seen] = False
            row, col = np.nonzero(pooled)
            pools.row.append(row + start)
            pools.z.append(z[:, row, col].T)
            pools.target.append(col == targets[np.asarray(batch)][row])
        names = list(self.models)
        grid = simplex(len(names), self.step)
        ndcg = pools.ndcg(grid, len(users), self.k)
        best = int(np.argmax(ndcg))  # first maximum: unit vectors and sparse mixtures come first
        self.weights = {name: round(float(w), 6) for name, w in zip(names, grid[best], strict=True)}
        alone = {name: float(ndcg[i]) for i, name in enumerate(names)}  # the unit vectors lead the grid
        self.fit_report = {
            "held_out_users": len(users), f"valid NDCG@{self.k}": float(ndcg[best]),
            f"valid NDCG@{self.k} per component": alone, "weights tried": len(grid),
        }  # fmt: skip

    def _component_z(self, model: Recommender, users: Sequence[UserContext]) -> tuple[np.ndarray, np.ndarray]:
        """(len(users), n_items) standardised scores of ``model`` in this blend's item order, and scorable rows."""
        scores = model.score(users)
        if not np.array_equal(model.item_ids, self.item_ids):
            columns = pd.Index(model.item_ids).get_indexer(self.item_ids)
            scores = np.where(columns >= 0, scores[:, columns], -np.inf)
        return standardise(scores)

    def _contributions(self, users: Sequence[UserContext]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Per component with a positive weight, w_c · z_c (len(users), n_items); and which rows any can score."""
        if self.weights is None or not self.models:
            raise RuntimeError("fit or load the blend first")
        parts, scorable = {}, np.zeros(len(users), dtype=bool)
        for name, model in self.models.items():
            if self.weights[name] > 0:
                z, rows = self._component_z(model, users)
                parts[name] = np.float32(self.weights[name]) * z
                scorable |= rows
        return parts, scorable

    def score(self, users: Sequence[UserContext]) -> np.ndarray:
        parts, scorable = self._contributions(users)
        total = np.sum(list(parts.values()), axis=0, dtype=np.float32)
        total[~scorable] = -np.inf
        return total

    def recommend(
        self, user: UserContext, k: int, *, exclude: Collection[str] = (), candidates: Collection[str] | None = None
    ) -> list[Candidate]:
        """Top k of ``score``; each item's reason is that of the component contributing most to its score."""
        parts, scorable = self._contributions([user])
        total = np.sum(list(parts.values()), axis=0, dtype=np.float32)[0]
        if not scorable[0]:
            total[:] = -np.inf
        found = top_k(total, self.item_ids, k, source=self.name, reason="", exclude=exclude, candidates=candidates)
        columns = pd.Index(self.item_ids).get_indexer([c.item_id for c in found])
        names = list(parts)
        leaders = np.stack([parts[name][0, columns] for name in names]).argmax(axis=0)
        return [
            Candidate(c.item_id, c.score, c.source, getattr(self.models[names[leader]], "reason", "Picked for you"))
            for c, leader in zip(found, leaders, strict=True)
        ]

    def save(self, directory: Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        meta = {"model": self.name, "hyper_parameters": self.hyper_parameters(), "fit_report": self.fit_report}
        (directory / "params.json").write_text(json.dumps(meta, indent=2))
        np.save(directory / "item_ids.npy", self.item_ids.astype(str), allow_pickle=False)
        for name, model in self.models.items():
            model.save(directory / "components" / name)

    @classmethod
    def load(cls, directory: Path) -> Self:
        directory = Path(directory)
        meta = json.loads((directory / "params.json").read_text())
        if meta.get("model") != cls.name:
            raise ValueError(f"{directory} holds a {meta.get('model')!r} model, not a blend")
        blend = cls(**meta["hyper_parameters"])
        blend.item_ids = np.load(directory / "item_ids.npy", allow_pickle=False).astype(object)
        blend.fit_report = meta["fit_report"]
        for name in blend.components:
            if (directory / "components" / name).is_dir():
                blend.models[name] = RECOMMENDERS[name].model_class().load(directory / "components" / name)
        return blend

