"""The rating protocol for one model: k-fold cross-validation on the same saved folds for every model.

Fold f: fit on the ratings of the other folds, predict fold f. RMSE/MAE are reported per fold and as
mean ± standard deviation over folds (population std, as Surprise prints it). Every rating is
predicted exactly once, so the per-group figures are computed on the pooled out-of-fold predictions;
a rating's history length is its user's number of ratings in the training folds of its fold.
Hyper-parameters are fixed (tuning inside the folds would need nested cross-validation).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from shopsense.evaluation.groups import attribute_labels, breakdown, history_buckets
from shopsense.evaluation.ranking import Progress
from shopsense.evaluation.rating_metrics import mae, rmse
from shopsense.evaluation.resources import Measure
from shopsense.evaluation.splits import Split
from shopsense.evaluation.topn import hyper_parameters
from shopsense.models.base import RatingModel


def _ids(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy(dtype=object)


def run_rating_model(
    name: str,
    factory: Callable[..., RatingModel],
    log: pd.DataFrame,
    split: Split,
    *,
    params: Mapping[str, object] | None = None,
    seed: int = 0,
    group_by: Sequence[str] = (),
    user_attributes: Mapping[str, Mapping] | None = None,
    progress: Progress | None = None,
) -> dict:
    """Cross-validate ``factory(**params)`` on ``split``'s folds of the rating ``log``: the model's report."""
    folds = [split.parts[f"fold_{f}"] for f in range(split.params["n_folds"])]
    predicted = pd.Series(np.nan, index=log.index)
    history = pd.Series(0, index=log.index)
    per_fold, model = [], None
    for number, rows in enumerate(folds):
        if progress:
            progress(f"{name}: fold {number + 1}/{len(folds)}", number, len(folds))
        test, train = log.loc[rows], log.drop(index=rows)
        model = factory(**(params or {}))
        with Measure() as measured:
            model.fit(_ids(train, "user_id"), _ids(train, "item_id"), train["value"].to_numpy(np.float64), seed=seed)
        guess = np.asarray(model.predict(_ids(test, "user_id"), _ids(test, "item_id")), dtype=np.float64)
        predicted.loc[rows] = guess
        history.loc[rows] = test["user_id"].map(train["user_id"].value_counts()).fillna(0).to_numpy(np.int64)
        per_fold.append({
            "RMSE": rmse(guess, test["value"]), "MAE": mae(guess, test["value"]),
            "fit_seconds": measured.seconds, "peak_rss_mb": measured.peak_mb, "fit_added_rss_mb": measured.added_mb,
        })  # fmt: skip
    if progress:
        progress(f"{name}: folds done", len(folds), len(folds))
    actual, pooled = log["value"].to_numpy(np.float64), predicted.to_numpy()

    def summary(rows: np.ndarray) -> dict:
        return {"ratings": len(rows), "RMSE": rmse(pooled[rows], actual[rows]), "MAE": mae(pooled[rows], actual[rows])}

    groups = {"history_length": breakdown(history_buckets(history.to_numpy()), summary)}
    for attribute in group_by:
        groups[attribute] = breakdown(attribute_labels(log["user_id"].tolist(), user_attributes or {}, attribute), summary)
    errors = {metric: np.array([fold[metric] for fold in per_fold]) for metric in ("RMSE", "MAE")}
    return {
        "hyper_parameters": hyper_parameters(model),
        "metrics": {
            "ratings": len(log),
            **{metric: float(values.mean()) for metric, values in errors.items()},
            **{f"{metric}_std": float(values.std()) for metric, values in errors.items()},
        },
        "folds": per_fold,
        "groups": groups,
        "fit_seconds": float(sum(fold["fit_seconds"] for fold in per_fold)),
        "peak_rss_mb": float(max(fold["peak_rss_mb"] for fold in per_fold)),
    }
