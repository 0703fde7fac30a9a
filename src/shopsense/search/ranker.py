"""Scoring the candidate pool: a fixed fusion by default, a LightGBM LambdaRank model once trained.

- ``FusionRanker``: s = w_lex · bm25_rel + w_dense · dense + w_cov · coverage, a weighted score fusion of
  the max-normalised BM25 and the cosine (Bruch et al., "An Analysis of Fusion Functions for Hybrid
  Retrieval", TOIS 2023), with a term-coverage prior. Works without any training data.
- ``LambdaRanker``: gradient-boosted trees trained with the LambdaRank objective, which optimises NDCG
  directly through pairwise gradients weighted by |ΔNDCG| (Burges, "From RankNet to LambdaRank to
  LambdaMART", MSR-TR-2010-82), on the features of ``features.py``; labels are integer grades, gains
  linear in the grade. Training data: judged queries (benchmarks) or clicks after searches (the shop).

Both are saved as plain files (``params.json``, LightGBM's text ``model.txt``); no pickle.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from shopsense.search.features import FEATURES

_COL = {name: i for i, name in enumerate(FEATURES)}


class Ranker(Protocol):
    def score(self, features: np.ndarray) -> np.ndarray:
        """(pool, len(FEATURES)) -> (pool,) higher is better."""
        ...


@dataclass(frozen=True)
class FusionRanker:
    w_lex: float = 0.3
    w_dense: float = 1.0
    w_cov: float = 0.1

    def score(self, features: np.ndarray) -> np.ndarray:
        f = features
        return self.w_lex * f[:, _COL["bm25_rel"]] + self.w_dense * f[:, _COL["dense"]] + self.w_cov * f[:, _COL["coverage"]]


@dataclass
class LambdaRanker:
    n_estimators: int = 300
    learning_rate: float = 0.05
    num_leaves: int = 31
    min_child_samples: int = 20
    max_grade: int = 6
    seed: int = 0

    def __post_init__(self) -> None:
        self._booster = None

    def fit(self, groups: Sequence[np.ndarray], labels: Sequence[np.ndarray]) -> LambdaRanker:
        """``groups[i]``: (pool_i, len(FEATURES)) features of query i; ``labels[i]``: (pool_i,) ints 0..max_grade."""
        import lightgbm as lgb

        keep = [i for i, y in enumerate(labels) if len(y) > 1 and np.any(y > 0)]
        if not keep:
            raise ValueError("no query has a labelled result to learn from")
        data = lgb.Dataset(
            np.concatenate([groups[i] for i in keep]), np.concatenate([labels[i] for i in keep]),
            group=[len(labels[i]) for i in keep], feature_name=list(FEATURES),
        )  # fmt: skip
        params = {
            "objective": "lambdarank", "metric": "ndcg", "eval_at": [10], "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves, "min_child_samples": self.min_child_samples,
            "label_gain": list(range(self.max_grade + 1)), "lambdarank_truncation_level": 20,
            "seed": self.seed, "deterministic": True, "num_threads": 1, "verbose": -1,
        }  # fmt: skip
        self._booster = lgb.train(params, data, num_boost_round=self.n_estimators)
        return self

    def score(self, features: np.ndarray) -> np.ndarray:
        if self._booster is None:
            raise RuntimeError("LambdaRanker is not trained")
        if len(features) == 0:
            return np.zeros(0)
        return self._booster.predict(features, num_threads=1)

    @classmethod
    def for_queries(cls, n_queries: int, *, max_grade: int, seed: int = 0) -> LambdaRanker:
        """Defaults by training-set size: few queries get smaller, slower-learning trees."""
        small = n_queries < 1000
        return cls(n_estimators=200, learning_rate=0.03 if small else 0.05, num_leaves=7 if small else 31,
                   min_child_samples=5 if small else 20, max_grade=max_grade, seed=seed)  # fmt: skip

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "params.json").write_text(json.dumps({**asdict(self), "features": list(FEATURES)}))
        self._booster.save_model(str(folder / "model.txt"))

    @classmethod
    def load(cls, folder: Path) -> LambdaRanker:
        import lightgbm as lgb

        params = json.loads((folder / "params.json").read_text())
        if params.pop("features") != list(FEATURES):
            raise ValueError(f"{folder} was trained on other features")
        ranker = cls(**params)
        ranker._booster = lgb.Booster(model_file=str(folder / "model.txt"))
        return ranker
