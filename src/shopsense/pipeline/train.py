"""The training job: read the event log, fit each model, save a new version, register and activate it.

Default slots (``DEFAULT_MODELS``): ``popularity`` (trending and cold start, per category from the
catalogue's category paths and brands), ``itemknn`` (similar items, "because you viewed", a for_you
source) and ``also_bought`` (an ItemKNN fitted on purchases only, symmetric). Any other name of
``models.registry.RECOMMENDERS`` (``sasrec``, ``ease``, ``als``, ``blend`` …) can be added; each
becomes a personal recall source of for_you once active. All versions of one run are registered first
and activated after every fit succeeded; a running server picks them up and swaps them in atomically.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from shopsense.config import Settings
from shopsense.data.interactions import Interactions
from shopsense.models.registry import RECOMMENDERS
from shopsense.storage import Database

DEFAULT_MODELS = ("popularity", "itemknn", "also_bought")
ALSO_BOUGHT = {"backward_weight": 1.0}  # purchase pairs count both ways


@dataclass(frozen=True)
class TrainedVersion:
    name: str
    version: str
    path: Path
    metrics: dict


class NothingToTrainError(RuntimeError):
    """The event log has no interactions with an item yet."""


def load_events(db: Database) -> pd.DataFrame:
    frames = list(db.events.iter_frames())
    if not frames:
        raise NothingToTrainError("the event log is empty: import events first (shopsense import or shopsense demo)")
    return pd.concat(frames, ignore_index=True)


def load_interactions(db: Database, settings: Settings) -> Interactions:
    return Interactions.from_events(load_events(db), settings.event_weights)


def item_features(db: Database) -> dict[str, list[str]]:
    """Item id -> category path entries and brand, as popularity's category tokens."""
    return {
        item.item_id: [f"category:{c}" for c in item.category] + ([f"brand:{item.brand}"] if item.brand else [])
        for item in db.catalog.iter_items()
    }


def _fit(name: str, events: pd.DataFrame, settings: Settings, db: Database, hyper: Mapping[str, Any]) -> tuple[Any, Interactions]:
    if name == "also_bought":
        interactions = Interactions.from_events(events, {"purchase": 1.0})
        model = RECOMMENDERS["itemknn"](**{**ALSO_BOUGHT, **hyper})
    else:
        if name not in RECOMMENDERS:
            raise ValueError(f"unknown model {name!r}; known: also_bought, {', '.join(RECOMMENDERS)}")
        interactions = Interactions.from_events(events, settings.event_weights)
        model = RECOMMENDERS[name](**hyper)
    if len(interactions) == 0:
        raise NothingToTrainError(f"no events for {name} to learn from (also_bought needs purchases)")
    if name == "popularity":
        model.fit(interactions, seed=0, item_features=item_features(db))
    else:
        model.fit(interactions, seed=0)
    return model, interactions


def publish(db: Database, settings: Settings, name: str, version: str, model: Any, metrics: dict) -> TrainedVersion:
    """Save ``model`` as version ``version`` of slot ``name`` and register it, not yet active."""
    path = settings.models_dir / name / version
    model.save(path)
    db.registry.register(name, version, path.resolve(), metrics, activate=False)
    return TrainedVersion(name, version, path, metrics)


def train_models(
    db: Database, settings: Settings, models: Sequence[str] = DEFAULT_MODELS,
    hyper_parameters: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[TrainedVersion]:  # fmt: skip
    """Train each model on the whole log, register the versions, then activate them all.

    A slot that has nothing to learn from (``also_bought`` in a log without purchases) is skipped when
    it was not asked for explicitly, i.e. when ``models`` is the default.
    """
    events = load_events(db)
    if len(Interactions.from_events(events, settings.event_weights)) == 0:
        raise NothingToTrainError("no events with an item and a non-zero weight to learn from")
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    trained = []
    for name in models:
        started = time.perf_counter()
        try:
            model, interactions = _fit(name, events, settings, db, (hyper_parameters or {}).get(name, {}))
        except NothingToTrainError:
            if tuple(models) == DEFAULT_MODELS and name == "also_bought":
                continue
            raise
        metrics = {"interactions": len(interactions), "users": len(interactions.users), "items": len(interactions.items),
                   "fit_seconds": round(time.perf_counter() - started, 3)}  # fmt: skip
        trained.append(publish(db, settings, name, version, model, metrics))
    for t in trained:
        db.registry.activate(t.name, t.version)
    return trained
