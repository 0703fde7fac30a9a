"""Honest evaluation of the propensity and churn models by a global temporal split.

With the log ending at E and a horizon of N days, T2 = E − N and T1 = T2 − N:

* train: features from events before T1, labels from [T1, T2);
* test:  features from events before T2, labels from [T2, E)  (the last N days are never trained on).

Every model sees the same users and labels; the table reports ROC-AUC and lift@10% (purchase or churn
rate in the top-scored 10% / the overall rate) for LightGBM, logistic regression and the
recency/frequency heuristic. The category for "auto" is the one with most purchases before T1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from shopsense.data.loaders import load_dataset
from shopsense.evaluation.classification import lift_at, roc_auc
from shopsense.ingest.validate import validate_events
from shopsense.segments.features import DAY_MS, prepare_log
from shopsense.segments.propensity import Target, examples, scorers


@dataclass(frozen=True)
class TemporalSplit:
    train_cutoff_ms: int  # T1
    test_cutoff_ms: int  # T2 = T1 + N
    end_ms: int  # E = T2 + N: one past the newest event
    horizon_days: float


@dataclass(frozen=True)
class PropensityResult:
    target: str
    model: str
    train_users: int
    train_positives: int
    test_users: int
    test_positives: int
    roc_auc: float
    lift: float  # at ``top_fraction``


@dataclass(frozen=True)
class BenchmarkLog:
    log: pd.DataFrame  # prepare_log output
    item_categories: dict[str, tuple[str, ...]]
    anonymous_users: frozenset[str]  # session-only ids (e.g. Online Retail guests): no one to target


def temporal_split(log: pd.DataFrame, horizon_days: float) -> TemporalSplit:
    end = int(log["ts_ms"].max()) + 1
    horizon_ms = int(horizon_days * DAY_MS)
    split = TemporalSplit(end - 2 * horizon_ms, end - horizon_ms, end, horizon_days)
    if split.train_cutoff_ms <= int(log["ts_ms"].min()):
        raise ValueError(f"the log is shorter than two horizons of {horizon_days:g} days: nothing to train on")
    return split


def top_category(log: pd.DataFrame, item_categories: Mapping[str, Sequence[str]], before_ms: int) -> str | None:
    """The most purchased leaf category before ``before_ms`` (ties: the name that sorts first)."""
    bought = log.loc[(log["ts_ms"] < before_ms) & (log["type"] == "purchase"), "item_id"]
    counts = Counter(item_categories[i][-1] for i in bought if item_categories.get(i))
    return min(counts, key=lambda c: (-counts[c], c)) if counts else None


def evaluate_propensity(
    log: pd.DataFrame,
    targets: Sequence[Target],
    horizon_days: float,
    *,
    item_categories: Mapping[str, Sequence[str]] | None = None,
    exclude_users: Collection[str] = (),
    top_fraction: float = 0.1,
    seed: int = 0,
) -> tuple[TemporalSplit, list[PropensityResult]]:
    """Train on the first window, score the second, for every target and every scorer."""
    split = temporal_split(log, horizon_days)
    rows = []
    for target in targets:
        common = dict(item_categories=item_categories, exclude_users=exclude_users)
        train = examples(log, target, split.train_cutoff_ms, horizon_days, **common)
        test = examples(log, target, split.test_cutoff_ms, horizon_days, **common)
        for scorer in scorers(target):
            scores = scorer.fit(train.features, train.labels, seed=seed).score(test.features)
            rows.append(
                PropensityResult(
                    target.name, scorer.name, len(train.labels), int(train.labels.sum()), len(test.labels),
                    int(test.labels.sum()), roc_auc(test.labels, scores), lift_at(test.labels, scores, top_fraction),
                )  # fmt: skip
            )
    return split, rows


def load_benchmark_log(fmt: str, path: str | Path) -> BenchmarkLog:
    """A real data set (``load_dataset`` format name) validated as the importer would store it."""
    dataset = load_dataset(fmt, path)
    valid = validate_events(dataset.events).valid
    return BenchmarkLog(
        log=prepare_log(valid),
        item_categories={i.item_id: i.category for i in dataset.items if i.category},
        anonymous_users=frozenset(u.user_id for u in dataset.users if u.attributes.get("anonymous")),
    )
