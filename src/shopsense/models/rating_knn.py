"""KNNBaseline: the baseline predictor plus similarity-weighted residuals of the nearest neighbours.

Koren, "Factor in the neighbors: scalable and accurate collaborative filtering", ACM TKDD 2010,
Sec. 2.2 (item-oriented; the user-oriented model swaps the roles of users and items):

    r̂_ui = b_ui + Σ_{j∈N^k(i;u)} s_ij (r_uj − b_uj) / Σ_{j∈N^k(i;u)} s_ij

with b_ui = μ + b_u + b_i (ALS biases, :mod:`shopsense.models.rating_common`) and N^k(i;u) the k
items rated by u most similar to i. As in Surprise's ``KNNBaseline`` only neighbours with s_ij > 0
enter the sum, and with fewer than ``min_k`` of them the prediction is b_ui alone.

Similarity is the shrunk Pearson-baseline correlation (Koren 2010, Sec. 2.2; Surprise's
``pearson_baseline``), computed on baseline residuals over the n_ij users who rated both items:

    ρ_ij = Σ_u (r_ui − b_ui)(r_uj − b_uj) / sqrt(Σ_u (r_ui − b_ui)² · Σ_u (r_uj − b_uj)²)
    s_ij = (n_ij − 1) / (n_ij − 1 + shrinkage) · ρ_ij          (0 when n_ij < 2, s_ii = 0)

Defaults (k = 40, shrinkage = 400, bias λ_u = λ_i = 5) were chosen on inner validation splits of
ml-100k training folds; Surprise's are k = 40, shrinkage = 100, λ_u = 15, λ_i = 10.

All sums are sparse products of the residual matrix, so fitting is a few matrix multiplications;
the similarity matrix is dense, O(n²) memory in the neighbour side (items, or users when
``user_based``). Prediction gathers, for a chunk of pairs, each pair's similarity row masked to the
user's rated items and takes the top k with ``argpartition``; ``tests/models/test_rating_models.py``
checks it against a per-pair loop of the formula above.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

import numpy as np
import scipy.sparse as sp

from shopsense.models.rating_common import Biases, RatingTable, describe, fit_biases, read_artifact, write_artifact

_CHUNK_CELLS = 4_000_000  # pairs per prediction chunk x neighbour-side size: bounds the dense scratch


def shrunk_pearson_baseline(residual: sp.csr_matrix, shrinkage: float) -> np.ndarray:
    """(n, n) float32 s_ij between the columns of ``residual`` (rows: raters, stored zeros = unrated)."""
    rated = residual.copy()
    rated.data = np.ones_like(rated.data)
    common = (rated.T @ rated).toarray()  # n_ij
    product = (residual.T @ residual).toarray()  # Σ_u e_ui e_uj
    squared = residual.multiply(residual).tocsr()
    energy = (squared.T @ rated).toarray()  # [i, j] = Σ_{u rated both} e_ui²
    norm = np.sqrt(energy * energy.T)
    rho = np.divide(product, norm, out=np.zeros_like(product), where=norm > 0)
    similarity = np.where(common >= 2, (common - 1) / (common - 1 + shrinkage) * rho, 0.0)
    np.fill_diagonal(similarity, 0.0)
    return similarity.astype(np.float32)


class KNNBaseline:
    name = "knn-baseline"
    __repr__ = describe

    def __init__(
        self,
        *,
        k: int = 40,
        min_k: int = 1,
        shrinkage: float = 400.0,
        user_based: bool = False,
        reg_user: float = 5.0,
        reg_item: float = 5.0,
        bias_epochs: int = 10,
    ) -> None:
        if k < 1 or not 1 <= min_k <= k or shrinkage < 0 or bias_epochs < 1:
            raise ValueError("need k >= 1, 1 <= min_k <= k, shrinkage >= 0, bias_epochs >= 1")
        self.k, self.min_k, self.shrinkage, self.user_based = k, min_k, shrinkage, user_based
        self.reg_user, self.reg_item, self.bias_epochs = reg_user, reg_item, bias_epochs
        self.biases: Biases | None = None
        self.similarity = np.empty((0, 0), dtype=np.float32)  # (n, n) over the neighbour side
        self.residual = sp.csr_matrix((0, 0))  # (n_raters, n) r − b, raters x neighbour side

    def hyper_parameters(self) -> dict:
        return {
            "k": self.k,
            "min_k": self.min_k,
            "shrinkage": self.shrinkage,
            "user_based": self.user_based,
            "reg_user": self.reg_user,
            "reg_item": self.reg_item,
            "bias_epochs": self.bias_epochs,
        }

    def _sides(self, user: np.ndarray, item: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rater, target): item-based, u rates and i is the target; user-based, the other way round."""
        return (item, user) if self.user_based else (user, item)

    def fit(self, users: np.ndarray, items: np.ndarray, ratings: np.ndarray, *, seed: int = 0) -> Self:  # noqa: ARG002
        table = RatingTable.of(users, items, ratings)
        self.biases = fit_biases(table, reg_user=self.reg_user, reg_item=self.reg_item, n_epochs=self.bias_epochs)
        rater, target = self._sides(table.user, table.item)
        shape = (table.n_items, table.n_users) if self.user_based else (table.n_users, table.n_items)
        residual = table.rating - self.biases.baseline(table.user, table.item)
        self.residual = sp.csr_matrix((residual, (rater, target)), shape=shape)
        self.similarity = shrunk_pearson_baseline(self.residual, self.shrinkage)
        return self

    def neighbour_term(self, user: np.ndarray, item: np.ndarray) -> np.ndarray:
        """(n,) Σ s (r − b) / Σ s over the top-k positive neighbours, for known codes (>= 0)."""
        rater, target = self._sides(user, item)
        out = np.zeros(len(user))
        step = max(1, _CHUNK_CELLS // max(1, self.similarity.shape[0]))
        for start in range(0, len(user), step):
            block = self.residual[rater[start : start + step]]  # (c, n) the raters' residual rows
            rated = np.zeros(block.shape, dtype=bool)
            rated[np.repeat(np.arange(block.shape[0]), np.diff(block.indptr)), block.indices] = True
            similar = np.where(rated, self.similarity[target[start : start + step]], -np.inf)  # (c, n)
            k = min(self.k, similar.shape[1])
            top = np.argpartition(-similar, k - 1, axis=1)[:, :k]  # (c, k)
            weight = np.take_along_axis(similar, top, axis=1)
            weight = np.where(weight > 0, weight, 0.0)
            values = np.take_along_axis(block.toarray(), top, axis=1)
            total = weight.sum(axis=1)
            enough = (weight > 0).sum(axis=1) >= self.min_k
            out[start : start + step] = np.where(
                enough, (weight * values).sum(axis=1) / np.where(enough, total, 1), 0.0
            )
        return out

    def predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        if self.biases is None:
            raise RuntimeError("fit or load the model first")
        user, item = self.biases.codes(users, items)
        known = (user >= 0) & (item >= 0)
        predicted = self.biases.baseline(user, item)
        predicted[known] += self.neighbour_term(user[known], item[known])
        return self.biases.clip(predicted)

    def save(self, directory: Path) -> None:
        if self.biases is None:
            raise RuntimeError("fit the model before saving it")
        params = {"model": self.name, **self.hyper_parameters(), **self.biases.scalars(), "shape": self.residual.shape}
        arrays = {
            **self.biases.arrays(),
            "similarity": self.similarity,
            "residual_indptr": self.residual.indptr,
            "residual_indices": self.residual.indices,
            "residual_data": self.residual.data,
        }
        write_artifact(directory, params, arrays)

    @classmethod
    def load(cls, directory: Path) -> Self:
        params, arrays = read_artifact(directory, cls.name)
        model = cls(**{name: params[name] for name in cls().hyper_parameters()})
        model.biases = Biases.restore(params, arrays)
        model.similarity = arrays["similarity"]
        model.residual = sp.csr_matrix(
            (arrays["residual_data"], arrays["residual_indices"], arrays["residual_indptr"]),
            shape=tuple(params["shape"]),
        )
        return model
