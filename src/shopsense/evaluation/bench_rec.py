"""``shopsense bench rec``: load a data set, split it, run each named model under one protocol, report.

Protocols (ARCHITECTURE.md): ``loo`` (leave-one-out, full ranking), ``temporal`` (global time split,
full ranking) and ``ratings-cv`` (5-fold rating cross-validation). The split is saved under
``artifacts/split`` and can be given back (``split_dir``) to rerun on exactly the same rows; training
curves of models whose ``fit`` takes a ``log`` go under ``artifacts/curves/<run>``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from shopsense.data.dataset import LoadedDataset
from shopsense.data.loaders import load_dataset
from shopsense.evaluation import splits
from shopsense.evaluation.ranking import Progress
from shopsense.evaluation.ratings_cv import run_rating_model
from shopsense.evaluation.topn import TopNSettings, candidates, run_recommender
from shopsense.models.registry import RATING_MODELS, RECOMMENDERS

N_FOLDS = 5


@dataclass(frozen=True)
class BenchSpec:
    data: Path
    format: str
    protocol: str
    artifacts: Path
    weights: Mapping[str, float]
    models: Sequence[str] = ()  # empty: every registered model that fits the protocol
    k: int = 10
    seed: int = 0
    batch_size: int = 512
    negatives: int | None = None  # sampled ranking (labelled so); None: full ranking
    quantile: float = 0.8  # temporal: the time quantile where test starts
    grid: Mapping[str, Mapping[str, object]] = field(default_factory=dict)  # model -> {param: value or [values]}
    group_by: Sequence[str] = ()
    split_dir: Path | None = None  # reuse a saved split instead of making one
    item_features: bool = False  # give item tokens (category, brand, attributes) to fits that take them


def registry_for(protocol: str) -> dict[str, Callable]:
    return dict(RATING_MODELS) if protocol == "ratings-cv" else dict(RECOMMENDERS)


def chosen_models(protocol: str, names: Sequence[str]) -> dict[str, Callable]:
    """Factories of ``names`` (all that fit the protocol when empty); a ValueError names misfits and unknowns."""
    fitting = registry_for(protocol)
    if not names:
        if not fitting:
            raise ValueError(f"no registered model fits the {protocol} protocol")
        return fitting
    other = registry_for("loo" if protocol == "ratings-cv" else "ratings-cv")
    for name in names:
        if name in other:
            wanted = "ratings-cv" if protocol != "ratings-cv" else "loo or temporal"
            raise ValueError(f"{name} does not fit the {protocol} protocol (use --protocol {wanted})")
        if name not in fitting:
            raise ValueError(f"unknown model {name!r}; registered: {', '.join([*RECOMMENDERS, *RATING_MODELS])}")
    return {name: fitting[name] for name in names}


def item_tokens(dataset: LoadedDataset) -> dict[str, list[str]]:
    """Per item, its features for intra-list diversity: category path entries, brand, attribute ids."""
    tokens = {}
    for item in dataset.items:
        found = [f"category:{c}" for c in item.category] + ([f"brand:{item.brand}"] if item.brand else [])
        found += [f"attribute:{a}" for a in item.attributes.get("attribute_ids", ())]
        if found:
            tokens[item.item_id] = found
    return tokens


def make_split(log: pd.DataFrame, spec: BenchSpec) -> splits.Split:
    if spec.protocol == "loo":
        return splits.leave_one_out(log)
    if spec.protocol == "temporal":
        return splits.temporal(log, spec.quantile)
    return splits.rating_folds(log, N_FOLDS, seed=spec.seed)


def _log(dataset: LoadedDataset, spec: BenchSpec) -> pd.DataFrame:
    if spec.protocol == "ratings-cv":
        return splits.rating_log(dataset.events)
    if spec.protocol == "temporal" and spec.format == "s3rec":
        raise ValueError("S3-Rec files keep only the order of events, not their times: use --protocol loo")
    log = splits.interaction_log(dataset.events, spec.weights)
    if log.empty:
        raise ValueError(f"{spec.data} has no events with an item and a positive weight")
    return log


def ranking_label(spec: BenchSpec) -> str:
    if spec.protocol == "ratings-cv":
        return "none (rating prediction)"
    if spec.negatives:
        return f"sampled: {spec.negatives} uniform negatives per user, seed {spec.seed}"
    return "full: all items, the user's history masked, ties counted against the model"


def json_safe(value: object) -> object:
    """Plain JSON values: numpy scalars as Python numbers, NaN/inf as null."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def run_bench(spec: BenchSpec, progress: Progress | None = None) -> dict:
    """Run every chosen model under ``spec.protocol``; the report as plain JSON-ready values."""
    if spec.protocol not in splits.PROTOCOLS:
        raise ValueError(f"unknown protocol {spec.protocol!r}; known: {', '.join(splits.PROTOCOLS)}")
    models = chosen_models(spec.protocol, spec.models)
    grids = {name: candidates(spec.grid.get(name, {})) for name in models}
    unused = sorted(set(spec.grid) - set(models))
    if unused:
        raise ValueError(f"the grid names models that are not run: {', '.join(unused)}")
    if spec.protocol == "ratings-cv" and any(len(grid) > 1 for grid in grids.values()):
        raise ValueError("ratings-cv takes one value per hyper-parameter (tuning inside the folds would need nested CV)")
    if progress:
        progress(f"loading {spec.data.name}", 0, 0)
    dataset = load_dataset(spec.format, spec.data)
    log = _log(dataset, spec)
    sha = splits.file_sha256(spec.data)
    split = splits.load_split(spec.split_dir, sha) if spec.split_dir else make_split(log, spec)
    if split.protocol != spec.protocol:
        raise ValueError(f"the split in {spec.split_dir} is for {split.protocol}, not {spec.protocol}")
    splits.save_split(split, spec.artifacts / "split", sha)
    users = {user.user_id: user.attributes for user in dataset.users}
    report = {
        "data": {
            "path": str(spec.data), "format": spec.format, "sha256": sha, "users": int(log["user_id"].nunique()),
            "items": int(log["item_id"].nunique()), "interactions": len(log),
        },
        "protocol": spec.protocol, "ranking": ranking_label(spec), "k": spec.k, "seed": spec.seed,
        "item_features_given": spec.item_features,
        "split": {"dir": str(spec.artifacts / "split"), "params": split.params,
                  "sizes": {name: len(rows) for name, rows in split.parts.items()}},
        "models": {},
    }  # fmt: skip
    tokens = item_tokens(dataset)
    settings = TopNSettings(
        spec.weights, spec.k, spec.seed, spec.batch_size, spec.negatives, tuple(spec.group_by),
        curves_dir=spec.artifacts / "curves", item_features=tokens if spec.item_features else None,
    )  # fmt: skip
    for name, factory in models.items():
        if spec.protocol == "ratings-cv":
            result = run_rating_model(
                name, factory, log, split, params=grids[name][0], seed=spec.seed, group_by=spec.group_by,
                user_attributes=users, progress=progress,
            )  # fmt: skip
        else:
            result = run_recommender(
                name, factory, log, split, settings, grid=grids[name], user_attributes=users, item_tokens=tokens,
                progress=progress,
            )  # fmt: skip
        report["models"][name] = json_safe(result)
    return json_safe(report)
