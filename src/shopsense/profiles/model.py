"""The profile model: what a batch rebuild learns over all users, used to present every profile.

It holds the hyper-parameters, the reference time (the newest event in the store at the rebuild), the
price quartiles per category, the RFM quintile boundaries, the category transition model and the
shop's activity shares per UTC hour and weekday (the baseline of the habit tags). A
version is one directory with ``params.json`` (no pickle) and a registry row named ``profiles``;
incremental updates and reads always use the active version, and before the first rebuild an empty
model (default parameters, no quartiles, no boundaries, no transitions).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from shopsense.profiles.params import ProfileParams
from shopsense.profiles.transitions import TransitionModel
from shopsense.storage import Database

MODEL_NAME = "profiles"
log = logging.getLogger("shopsense.profiles")


@dataclass(frozen=True)
class ProfileModel:
    params: ProfileParams = field(default_factory=ProfileParams)
    version: str = ""
    reference_ms: int | None = None  # newest event time in the store when built
    price_quartiles: dict[str, list[float]] = field(default_factory=dict)  # category key or "*" -> [q1, q2, q3]
    rfm_bounds: dict[str, list[float]] = field(default_factory=dict)  # recency/frequency/monetary -> 4 quintile cuts
    transitions: TransitionModel = field(default_factory=TransitionModel)
    hour_shares: tuple[float, ...] = ()  # share of all events per UTC hour (24)
    weekday_shares: tuple[float, ...] = ()  # share of all events per weekday, Monday first (7)

    def to_dict(self) -> dict[str, Any]:
        return {
            "params": self.params.to_dict(),
            "version": self.version,
            "reference_ms": self.reference_ms,
            "price_quartiles": self.price_quartiles,
            "rfm_bounds": self.rfm_bounds,
            "transitions": self.transitions.to_dict(),
            "hour_shares": list(self.hour_shares),
            "weekday_shares": list(self.weekday_shares),
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ProfileModel:
        """The model saved by :meth:`to_dict`; fields added since a version was saved take their defaults."""
        return cls(
            params=ProfileParams.from_dict(values["params"]),
            version=values["version"],
            reference_ms=values["reference_ms"],
            price_quartiles=values["price_quartiles"],
            rfm_bounds=values["rfm_bounds"],
            transitions=TransitionModel.from_dict(values["transitions"]),
            hour_shares=tuple(values.get("hour_shares", ())),
            weekday_shares=tuple(values.get("weekday_shares", ())),
        )

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "params.json").write_text(json.dumps(self.to_dict(), ensure_ascii=False), encoding="utf-8")
        return directory.resolve()

    @classmethod
    def load(cls, directory: Path) -> ProfileModel:
        return cls.from_dict(json.loads((directory / "params.json").read_text(encoding="utf-8")))


@lru_cache(maxsize=4)
def _load(path: str) -> ProfileModel:
    return ProfileModel.load(Path(path))  # versions never change once written, so the path is the cache key


def active_model(db: Database) -> ProfileModel:
    """The active profile model of ``db``; an empty one when none was built or its files are gone."""
    version = db.registry.active(MODEL_NAME)
    if version is None:
        return ProfileModel()
    try:
        return _load(str(version.path))
    except FileNotFoundError:
        log.warning("profile model %s has no files at %s: run `shopsense profiles rebuild`", version.version, version.path)
        return ProfileModel()


def register_model(db: Database, model: ProfileModel, models_dir: Path, metrics: dict[str, Any]) -> Path:
    """Save ``model`` under ``models_dir/<version>`` and make it the active version."""
    path = model.save(models_dir / model.version)
    db.registry.register(MODEL_NAME, model.version, path, metrics)
    return path
