"""Loading registered model versions for serving, aligned with the in-memory catalogue.

A registry *slot* is the name a version is registered under (``popularity``, ``itemknn``, ``also_bought``,
``sasrec`` …); the class is read from the artifact's ``params.json`` (its ``model`` field names an entry
of ``models.registry.RECOMMENDERS``), so one class can fill several slots (``also_bought`` is an ItemKNN
fitted on purchases only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from shopsense.models.registry import RECOMMENDERS
from shopsense.serving.catalog import CatalogSnapshot
from shopsense.serving.fastpaths import Scorer, scorer_of

POPULARITY, NEIGHBOURS, ALSO_BOUGHT = "popularity", "itemknn", "also_bought"
SUPPORT_SLOTS = frozenset({POPULARITY, ALSO_BOUGHT})  # not recall sources of for_you by themselves


class ModelLoadError(RuntimeError):
    """A registered artifact cannot be loaded (missing directory, unknown model class)."""


def load_artifact(path: Path) -> Any:
    """The model saved in ``path``, of the class its ``params.json`` names."""
    params_file = Path(path) / "params.json"
    if not params_file.is_file():
        raise ModelLoadError(f"no model artifact at {path} (params.json missing)")
    name = json.loads(params_file.read_text()).get("model")
    if name not in RECOMMENDERS:
        raise ModelLoadError(f"{path}: unknown model class {name!r}; known: {', '.join(RECOMMENDERS)}")
    return RECOMMENDERS[name].model_class().load(Path(path))


@dataclass(frozen=True)
class ServedModel:
    """One loaded version and the map from catalogue rows to its score columns."""

    slot: str
    version: str
    model: Any  # a models.base.Recommender
    column: np.ndarray  # (n_catalogue,) int64: the model's column for each catalogue row, -1 when unknown
    row: np.ndarray  # (n_model_items,) int64: the catalogue row of each model column, -1 when unknown
    score: Scorer  # one user's (n_model_items,) scores, see fastpaths

    @classmethod
    def of(cls, slot: str, version: str, model: Any, catalog: CatalogSnapshot) -> ServedModel:
        row = catalog.lookup.get_indexer(model.item_ids.astype(object)).astype(np.int64)
        column = np.full(len(catalog), -1, dtype=np.int64)
        known = row >= 0
        column[row[known]] = np.flatnonzero(known)
        return cls(slot, version, model, column, row, scorer_of(model))

    def realigned(self, catalog: CatalogSnapshot) -> ServedModel:
        return ServedModel.of(self.slot, self.version, self.model, catalog)
