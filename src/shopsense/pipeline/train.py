"""The training job: read the event log, fit each model, save a new version, register and activate it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from shopsense.config import Settings
from shopsense.data.interactions import Interactions
from shopsense.models.popularity import Popularity
from shopsense.storage import Database


@dataclass(frozen=True)
class TrainedVersion:
    name: str
    version: str
    path: Path
    metrics: dict


class NothingToTrainError(RuntimeError):
    """The event log has no interactions with an item yet."""


def load_interactions(db: Database, settings: Settings) -> Interactions:
    frames = list(db.events.iter_frames())
    if not frames:
        raise NothingToTrainError("the event log is empty: import events first (shopsense import or shopsense demo)")
    return Interactions.from_events(pd.concat(frames, ignore_index=True), settings.event_weights)


def train_models(db: Database, settings: Settings) -> list[TrainedVersion]:
    """Train every available model on the whole log and activate the new versions atomically."""
    interactions = load_interactions(db, settings)
    if len(interactions) == 0:
        raise NothingToTrainError("no events with an item and a non-zero weight to learn from")
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    trained = []
    for model in (Popularity(),):
        path = settings.models_dir / model.name / version
        model.fit(interactions, seed=0)
        model.save(path)
        metrics = {"interactions": len(interactions), "users": len(interactions.users), "items": len(interactions.items)}
        db.registry.register(model.name, version, path.resolve(), metrics, activate=True)
        trained.append(TrainedVersion(model.name, version, path, metrics))
    return trained
