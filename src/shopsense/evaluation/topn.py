"""The top-N protocol for one model on a train/valid/test split (leave-one-out or temporal).

1. Tuning (only when the grid has more than one candidate): each candidate is fitted on ``train``
   and ranks the ``valid`` items, with the user's train items as history; the candidate with the
   best validation NDCG@K wins (first one on ties). The test items are never looked at.
2. Test: the chosen candidate is refitted on ``train`` + ``valid`` and ranks the ``test`` items, with
   the user's train + valid items as history (passed to ``score`` and masked).

A user is evaluated when it has history and at least one held-out item not already in its history
(leave-one-out: the single next new item). Held-out items unknown to the fit are kept as misses.
Beyond-accuracy metrics use the fit's catalogue: φ_i = number of fit users of item i, p_i =
max(φ_i, 1) / number of fit users, coverage over the items seen in the fit.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from shopsense.data.interactions import Interactions
from shopsense.evaluation import rec_metrics as m
from shopsense.evaluation.curves import TrainingLog
from shopsense.evaluation.groups import attribute_labels, breakdown, history_buckets
from shopsense.evaluation.ranking import Progress, RankingResult, RankingTask, evaluate_ranking
from shopsense.evaluation.resources import Measure
from shopsense.evaluation.splits import Split
from shopsense.models.base import Recommender


@dataclass(frozen=True)
class TopNSettings:
    weights: Mapping[str, float]  # event type -> weight, for Interactions.from_events
    k: int = 10
    seed: int = 0
    batch_size: int = 512
    negatives: int | None = None  # sampled mode; None = full ranking
    group_by: Sequence[str] = ()  # user attributes to break metrics down by, besides history length
    curves_dir: Path | None = None  # TrainingLog directory root for models whose fit takes ``log``
    item_features: Mapping[str, Sequence[str]] | None = None  # given to fits that take ``item_features``


@dataclass(frozen=True)
class CatalogueStats:
    """Per model item: fit popularity and unit-free features, for the beyond-accuracy metrics."""

    n_items: int  # items in the fit
    counts: np.ndarray  # (n_model_items,) φ_i
    probability: np.ndarray  # (n_model_items,) p_i
    features: sparse.csr_array | None  # (n_model_items, n_tokens), None when no item has features

    @classmethod
    def of(cls, fit: pd.DataFrame, item_ids: np.ndarray, item_tokens: Mapping[str, Sequence[str]]) -> CatalogueStats:
        users_per_item = fit.drop_duplicates(["user_id", "item_id"])["item_id"].value_counts()
        counts = users_per_item.reindex(pd.Index(item_ids), fill_value=0).to_numpy(np.float64)
        probability = np.maximum(counts, 1) / fit["user_id"].nunique()
        tokens = [item_tokens.get(str(i), ()) for i in item_ids]
        vocabulary = {t: n for n, t in enumerate(sorted({t for ts in tokens for t in ts}))}
        features = None
        if vocabulary:
            rows = np.repeat(np.arange(len(tokens)), [len(ts) for ts in tokens])
            cols = np.fromiter((vocabulary[t] for ts in tokens for t in ts), dtype=np.int64, count=len(rows))
            features = sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(len(tokens), len(vocabulary)))
        return cls(users_per_item.size, counts, probability, features)


def ranking_task(fit: pd.DataFrame, holdout: pd.DataFrame) -> RankingTask:
    """Users with fit history and new held-out items; history in time order (``fit`` is time-sorted)."""
    history = _items_by_user(fit)
    held = holdout[["user_id", "item_id"]].drop_duplicates()
    seen = pd.MultiIndex.from_frame(fit[["user_id", "item_id"]])
    held = held[~pd.MultiIndex.from_frame(held).isin(seen) & held["user_id"].isin(history.index)]
    targets = _items_by_user(held)
    return RankingTask(targets.index.tolist(), history.loc[targets.index].tolist(), targets.tolist())


def _items_by_user(frame: pd.DataFrame) -> pd.Series:
    """user -> array of its items in frame order, users sorted (vectorised; groupby-agg(list) is slow)."""
    codes, users = pd.factorize(frame["user_id"], sort=True)
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=len(users)))[:-1]
    lists = np.empty(len(users), dtype=object)
    for number, items in enumerate(np.split(frame["item_id"].to_numpy(dtype=object)[order], bounds)):
        lists[number] = items
    return pd.Series(lists, index=users)


def summarize(result: RankingResult, rows: np.ndarray, k: int, stats: CatalogueStats | None = None) -> dict:
    """Mean metrics over the users ``rows`` of ``result``; beyond-accuracy ones when ``stats`` is given."""
    ranks, count, top = result.ranks[rows], result.n_targets[rows], result.top[rows]
    summary = {
        "users": len(rows),
        f"HR@{k}": m.hit_rate(ranks, k, count).mean(),
        f"Recall@{k}": m.recall(ranks, k, count).mean(),
        f"NDCG@{k}": m.ndcg(ranks, k, count).mean(),
        "MRR": m.reciprocal_rank(ranks, None, count).mean(),
        f"MRR@{k}": m.reciprocal_rank(ranks, k, count).mean(),
        f"MAP@{k}": m.average_precision(ranks, k, count).mean(),
    }
    if stats is not None:
        summary[f"coverage@{k}"] = m.catalogue_coverage(top, stats.n_items)
        summary[f"novelty@{k}"] = np.nanmean(m.novelty(top, stats.probability))
        summary[f"ARP@{k}"] = np.nanmean(m.average_popularity(top, stats.counts))
        if stats.features is not None:
            summary[f"ILD@{k}"] = np.nanmean(m.intra_list_diversity(top, stats.features))
    return {name: float(value) if name != "users" else value for name, value in summary.items()}


def candidates(grid: Mapping[str, object]) -> list[dict]:
    """Every combination of a grid ``{param: value or [values]}``, in the grid's order; ``[{}]`` for none."""
    lists = [value if isinstance(value, list) else [value] for value in grid.values()]
    return [dict(zip(grid, combo)) for combo in itertools.product(*lists)]


def hyper_parameters(model: object) -> dict:
    """The model's keyword constructor arguments, read back from its attributes of the same name."""
    keyword = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    names = [p.name for p in inspect.signature(type(model)).parameters.values() if p.kind in keyword]
    values = {name: getattr(model, name) for name in names if hasattr(model, name)}
    plain = (bool, int, float, str, type(None), dict, list)
    return {n: v if isinstance(v, plain) else str(v) for n, v in values.items()}


def fit_report(model: object) -> dict | None:
    """What the model's ``fit`` reported about itself (early stopping, learned blend weights), if anything."""
    report = getattr(model, "fit_report", None)
    if report is None or isinstance(report, dict):
        return report
    return dataclasses.asdict(report)


def _fit(
    model: Recommender, interactions: Interactions, settings: TopNSettings, run: str, progress: Progress | None
) -> None:
    """``model.fit``, with a TrainingLog under ``curves_dir/run`` and the item features when its fit takes them."""
    accepts = inspect.signature(model.fit).parameters
    extra = {"item_features": settings.item_features} if settings.item_features and "item_features" in accepts else {}
    if settings.curves_dir is None or "log" not in accepts:
        model.fit(interactions, seed=settings.seed, **extra)
        return

    def on_epoch(epoch: int, values: dict[str, float]) -> None:
        if progress:
            shown = " ".join(f"{name} {value:.4g}" for name, value in values.items())
            progress(f"{run}: epoch {epoch} {shown}", epoch, 0)

    with TrainingLog(settings.curves_dir / run, run=run, on_epoch=on_epoch) as log:
        model.fit(interactions, seed=settings.seed, log=log, **extra)


def _rank(
    model: Recommender, task: RankingTask, settings: TopNSettings, run: str, progress: Progress | None
) -> RankingResult:
    def step(what: str, done: int, total: int) -> None:
        if progress:
            progress(f"{run}: {what}", done, total)

    return evaluate_ranking(
        model, task, k=settings.k, batch_size=settings.batch_size, negatives=settings.negatives, seed=settings.seed,
        progress=step,
    )  # fmt: skip


def _tune(
    name: str,
    factory: Callable[..., Recommender],
    grid: list[dict],
    parts: Mapping[str, pd.DataFrame],
    settings: TopNSettings,
    progress: Progress | None,
) -> dict:
    """Fit each candidate on train, rank the valid items; the best by validation NDCG@K (first on ties)."""
    task = ranking_task(parts["train"], parts["valid"])
    interactions = Interactions.from_events(parts["train"], settings.weights)
    tried = []
    for number, params in enumerate(grid):
        model = factory(**params)
        _fit(model, interactions, settings, f"{name}-valid-{number}", progress)
        result = _rank(model, task, settings, f"{name} valid {number + 1}/{len(grid)}", progress)
        tried.append({"params": params, "valid": summarize(result, np.arange(len(task.users)), settings.k)})
    metric = f"NDCG@{settings.k}"
    best = max(range(len(tried)), key=lambda i: (tried[i]["valid"][metric], -i))
    return {"metric": metric, "chosen": grid[best], "tried": tried}


def run_recommender(
    name: str,
    factory: Callable[..., Recommender],
    log: pd.DataFrame,
    split: Split,
    settings: TopNSettings,
    *,
    grid: list[dict] | None = None,
    user_attributes: Mapping[str, Mapping] | None = None,
    item_tokens: Mapping[str, Sequence[str]] | None = None,
    progress: Progress | None = None,
) -> dict:
    """Tune (if the grid has several candidates), refit on train + valid, evaluate on test: the model's report."""
    grid = grid or [{}]
    parts = split.frames(log)
    selection = _tune(name, factory, grid, parts, settings, progress) if len(grid) > 1 else None
    fit = log[log.index.isin(np.concatenate([split.parts["train"], split.parts["valid"]]))]  # time order kept
    task = ranking_task(fit, parts["test"])
    model = factory(**(selection["chosen"] if selection else grid[0]))
    if progress:
        progress(f"{name}: fitting on {len(fit):,} interactions", 0, 0)
    interactions = Interactions.from_events(fit, settings.weights)
    with Measure() as measured:
        _fit(model, interactions, settings, f"{name}-test", progress)
    started = time.perf_counter()
    result = _rank(model, task, settings, name, progress)
    rank_seconds = time.perf_counter() - started
    stats = CatalogueStats.of(fit, result.item_ids, item_tokens or {})
    everyone = np.arange(len(task.users))

    def summary(rows: np.ndarray) -> dict:
        return summarize(result, rows, settings.k, stats)

    lengths = np.fromiter((len(h) for h in task.history), dtype=np.int64, count=len(task.users))
    groups = {"history_length": breakdown(history_buckets(lengths), summary)}
    for attribute in settings.group_by:
        groups[attribute] = breakdown(attribute_labels(task.users, user_attributes or {}, attribute), summary)
    return {
        "hyper_parameters": hyper_parameters(model),
        "selection": selection,
        "fit_report": fit_report(model),
        "metrics": summary(everyone),
        "groups": groups,
        "held_out": int(result.n_targets.sum()),
        "held_out_unscorable": result.unscorable,
        "fit_seconds": measured.seconds,
        "fit_cpu_seconds": measured.cpu_seconds,
        "peak_rss_mb": measured.peak_mb,
        "fit_added_rss_mb": measured.added_mb,
        "rank_seconds": rank_seconds,
    }
