"""Interaction logs as integer-coded arrays: the input every recommender's ``fit`` takes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class IdMap:
    """Bidirectional map between external string ids and dense indices 0..n-1."""

    ids: np.ndarray  # (n,) object array of external ids, index = code

    @classmethod
    def of(cls, values: Iterable[str]) -> IdMap:
        return cls(np.asarray(sorted(set(values)), dtype=object))

    def __len__(self) -> int:
        return len(self.ids)

    def codes(self, values: pd.Series) -> np.ndarray:
        """Codes of ``values`` (-1 for unknown ids)."""
        lookup = pd.Index(self.ids)
        return lookup.get_indexer(values.astype(object))


@dataclass(frozen=True)
class Interactions:
    """One row per weighted (user, item, time) interaction, codes into ``users`` / ``items``."""

    users: IdMap
    items: IdMap
    user: np.ndarray  # (n,) int32
    item: np.ndarray  # (n,) int32
    weight: np.ndarray  # (n,) float32, from the event type's configured weight
    ts_ms: np.ndarray  # (n,) int64

    def __len__(self) -> int:
        return len(self.user)

    @classmethod
    def from_events(cls, events: pd.DataFrame, weights: Mapping[str, float]) -> Interactions:
        """Keep events with an item and a non-zero type weight (e.g. impressions and searches weigh 0)."""
        w = events["type"].map(dict(weights)).fillna(0.0).astype("float32")
        keep = events["item_id"].notna() & (w != 0)
        kept = events[keep]
        users, items = IdMap.of(kept["user_id"]), IdMap.of(kept["item_id"])
        return cls(
            users=users,
            items=items,
            user=users.codes(kept["user_id"]).astype(np.int32),
            item=items.codes(kept["item_id"]).astype(np.int32),
            weight=w[keep].to_numpy(np.float32),
            ts_ms=kept["ts_ms"].to_numpy(np.int64),
        )
