"""Metrics for scored binary outcomes (who will buy, who will churn), as pure functions.

Ties are handled exactly: ROC-AUC gives tied scores average ranks, lift@k counts the users tied at
the cut-off by their expected share, so a constant scorer gets AUC 0.5 and lift 1 whatever the order.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import rankdata


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """P(score of a random positive > score of a random negative), ties counting ½; NaN without both classes.

    Mann-Whitney form: AUC = (R₊ − n₊(n₊ + 1)/2) / (n₊ n₋), R₊ = sum of the positives' ranks
    (Hanley & McNeil 1982).
    """
    labels = np.asarray(labels).astype(bool)
    positives, negatives = int(labels.sum()), int((~labels).sum())
    if positives == 0 or negatives == 0:
        return math.nan
    ranks = rankdata(np.asarray(scores, dtype="float64"))
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def lift_at(labels: np.ndarray, scores: np.ndarray, fraction: float = 0.1) -> float:
    """Positive rate among the top ``fraction`` of users by score / the overall positive rate.

    The top set holds k = ⌈fraction · n⌉ users; users tied with the k-th score fill the remaining
    places in proportion, i.e. they contribute their mean label. NaN when there is no positive.
    """
    labels = np.asarray(labels, dtype="float64")
    scores = np.asarray(scores, dtype="float64")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], not {fraction}")
    if len(labels) == 0 or labels.sum() == 0:
        return math.nan
    k = math.ceil(fraction * len(labels))
    threshold = np.sort(scores)[::-1][k - 1]
    above, tied = scores > threshold, scores == threshold
    hits = labels[above].sum() + (k - above.sum()) * labels[tied].mean()
    return float((hits / k) / labels.mean())
