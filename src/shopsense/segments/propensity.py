"""Model-based audiences: who will buy (in a category) within N days, who will churn.

A :class:`Target` names what is predicted; :func:`examples` builds (features before T, labels in
[T, T + N days)) for it; a scorer learns P(label = 1 | features):

* :class:`GradientBoosting` — LightGBM (Ke et al., NeurIPS 2017), the model used for the scores;
* :class:`Logistic` — L2 logistic regression on log1p-scaled, standardised features (the baseline);
* :class:`RecencyFrequency` — the untrained heuristic log1p(active days) − log1p(days since the last
  event) (Fader, Hardie & Lee 2005: recency and frequency carry most of the signal), negated for churn.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
import pandas as pd

from shopsense.segments.features import DAY_MS, churn_labels, items_in_category, purchase_labels, user_features


@dataclass(frozen=True)
class Target:
    """``purchase`` (in ``category``, or anywhere when None) or ``churn`` (no event at all) within N days."""

    kind: Literal["purchase", "churn"]
    category: str | None = None

    @property
    def name(self) -> str:
        return "churn" if self.kind == "churn" else f"purchase:{self.category or 'any'}"


@dataclass(frozen=True)
class Examples:
    features: pd.DataFrame  # (users, features), index = user ids
    labels: np.ndarray  # (users,) int8


def examples(
    log: pd.DataFrame,
    target: Target,
    cutoff_ms: int,
    horizon_days: float,
    *,
    item_categories: Mapping[str, Sequence[str]] | None = None,
    exclude_users: Collection[str] = (),
) -> Examples:
    """Users seen before ``cutoff_ms`` (minus ``exclude_users``), their features and labels for ``target``."""
    items = None
    if target.category is not None:
        items = items_in_category(item_categories or {}, target.category)
    features = user_features(log, cutoff_ms, category_items=items)
    if exclude_users:
        features = features[~features.index.isin(list(exclude_users))]
    end_ms = cutoff_ms + int(horizon_days * DAY_MS)
    if target.kind == "churn":
        labels = churn_labels(log, features.index, cutoff_ms, end_ms)
    else:
        labels = purchase_labels(log, features.index, cutoff_ms, end_ms, category_items=items)
    return Examples(features, labels)


class Scorer(Protocol):
    name: str

    def fit(self, features: pd.DataFrame, labels: np.ndarray, *, seed: int = 0) -> Scorer: ...

    def score(self, features: pd.DataFrame) -> np.ndarray: ...


def _constant(labels: np.ndarray) -> float | None:
    """The label when every example has the same one (nothing to learn), else None."""
    return float(labels[0]) if len(labels) and (labels == labels[0]).all() else None


class GradientBoosting:
    name = "lightgbm"

    def __init__(
        self,
        *,
        n_estimators: int = 300,
        learning_rate: float = 0.03,
        num_leaves: int = 15,
        min_child_samples: int = 20,
        subsample: float = 0.8,
        colsample_bytree: float = 0.8,
        reg_lambda: float = 1.0,
        n_jobs: int = 1,  # small tables: threads cost more than they save
    ) -> None:
        self.params = dict(
            n_estimators=n_estimators, learning_rate=learning_rate, num_leaves=num_leaves,
            min_child_samples=min_child_samples, subsample=subsample, subsample_freq=1,
            colsample_bytree=colsample_bytree, reg_lambda=reg_lambda, n_jobs=n_jobs,
        )  # fmt: skip
        self._model = None
        self._constant: float | None = None

    def fit(self, features: pd.DataFrame, labels: np.ndarray, *, seed: int = 0) -> GradientBoosting:
        from lightgbm import LGBMClassifier

        self._constant = _constant(labels)
        if self._constant is None:
            self._model = LGBMClassifier(**self.params, random_state=seed, deterministic=True, verbose=-1)
            self._model.fit(features, labels)
        return self

    def score(self, features: pd.DataFrame) -> np.ndarray:
        if self._constant is not None:
            return np.full(len(features), self._constant)
        return self._model.predict_proba(features)[:, 1]


class Logistic:
    name = "logistic regression"

    def __init__(self, *, c: float = 1.0, max_iter: int = 2_000) -> None:
        self.c, self.max_iter = c, max_iter
        self._model = None
        self._constant: float | None = None

    @staticmethod
    def _inputs(features: pd.DataFrame) -> np.ndarray:
        return np.log1p(features.to_numpy(dtype="float64").clip(min=0))  # every feature is ≥ 0

    def fit(self, features: pd.DataFrame, labels: np.ndarray, *, seed: int = 0) -> Logistic:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        self._constant = _constant(labels)
        if self._constant is None:
            classifier = LogisticRegression(C=self.c, max_iter=self.max_iter, random_state=seed)
            self._model = make_pipeline(StandardScaler(), classifier).fit(self._inputs(features), labels)
        return self

    def score(self, features: pd.DataFrame) -> np.ndarray:
        if self._constant is not None:
            return np.full(len(features), self._constant)
        return self._model.predict_proba(self._inputs(features))[:, 1]


class RecencyFrequency:
    name = "recency/frequency heuristic"

    def __init__(self, *, churn: bool = False) -> None:
        self.sign = -1.0 if churn else 1.0

    def fit(self, features: pd.DataFrame, labels: np.ndarray, *, seed: int = 0) -> RecencyFrequency:
        return self

    def score(self, features: pd.DataFrame) -> np.ndarray:
        value = np.log1p(features["active_days"].to_numpy()) - np.log1p(features["recency_days"].to_numpy())
        return self.sign * value


def scorers(target: Target) -> list[Scorer]:
    """The model and its baselines for ``target``, unfitted."""
    return [GradientBoosting(), Logistic(), RecencyFrequency(churn=target.kind == "churn")]
