"""Everything a request reads besides the user's own events, as one immutable value.

A new Snapshot is built in full (models loaded, arrays aligned) before it replaces the old one by a single
reference assignment, so a request, which takes the reference once, sees either the old or the new
models, never a mixture and never a half-loaded one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from shopsense.serving.catalog import CatalogSnapshot
from shopsense.serving.experiments import Experiment
from shopsense.serving.models import POPULARITY, SUPPORT_SLOTS, ServedModel
from shopsense.serving.rules import ScenarioRules

if TYPE_CHECKING:  # content builds proposals, which read snapshots
    from shopsense.serving.content import ContentIndex


@dataclass(frozen=True)
class Snapshot:
    catalog: CatalogSnapshot
    models: dict[str, ServedModel]  # slot -> active version
    rules: dict[str, ScenarioRules] = field(default_factory=dict)  # every scenario's rules (defaults + stored)
    experiments: tuple[Experiment, ...] = ()  # running ones
    pinned: dict[tuple[str, str], ServedModel] = field(default_factory=dict)  # (slot, version) named by a variant
    content: ContentIndex | None = None  # text embeddings of the catalogue, when the runtime serves them
    popularity: np.ndarray = field(init=False)  # (n_catalogue,) p(i) = pop(i) / max pop ∈ [0, 1]
    by_popularity: np.ndarray = field(init=False)  # rows with p(i) > 0, most popular first
    category_top: dict[str, np.ndarray] = field(init=False)  # category -> its rows, most popular (then newest) first

    def __post_init__(self) -> None:
        catalog, served = self.catalog, self.models.get(POPULARITY)
        pop = np.zeros(len(catalog))
        if served is not None:
            known = served.row >= 0
            pop[served.row[known]] = np.asarray(served.model.scores, dtype=np.float64)[known]
        pop /= max(float(pop.max(initial=0.0)), 1e-300)
        order = np.lexsort((-catalog.created_ms, -pop))  # most popular first, then newest
        rank = np.empty(len(catalog), dtype=np.int64)
        rank[order] = np.arange(len(catalog))
        object.__setattr__(self, "popularity", pop)
        object.__setattr__(self, "by_popularity", order[pop[order] > 0])
        object.__setattr__(
            self, "category_top", {name: rows[np.argsort(rank[rows])] for name, rows in catalog.by_category.items()}
        )

    def personal_models(self) -> list[ServedModel]:
        """The active models that score a user from their history (every slot but the support ones)."""
        return [m for slot, m in sorted(self.models.items()) if slot not in SUPPORT_SLOTS]

    def model(self, slot: str, version: str | None = None) -> ServedModel | None:
        """The active version of ``slot``, or the named version when an experiment variant pins one."""
        if version is None:
            return self.models.get(slot)
        return self.pinned.get((slot, version)) or (
            self.models[slot] if slot in self.models and self.models[slot].version == version else None
        )

    def experiment_for(self, scenario: str) -> Experiment | None:
        """The running experiment on ``scenario`` (the oldest, if several)."""
        return next((e for e in self.experiments if e.scenario == scenario), None)
