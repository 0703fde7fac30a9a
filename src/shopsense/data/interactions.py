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

    def subset(self, keep: np.ndarray) -> Interactions:
        """The rows where ``keep`` (bool, (n,)) is true; user and item maps unchanged."""
        return Interactions(self.users, self.items, self.user[keep], self.item[keep], self.weight[keep], self.ts_ms[keep])

    def histories(self, users: np.ndarray) -> list[np.ndarray]:
        """Per user code in ``users``, its positive-weight items (codes) in time order (ties: row order)."""
        positive = np.flatnonzero(self.weight > 0)
        order = positive[np.lexsort((positive, self.ts_ms[positive], self.user[positive]))]
        starts = np.searchsorted(self.user[order], np.arange(len(self.users) + 1))
        return [self.item[order[starts[u] : starts[u + 1]]] for u in users]


@dataclass(frozen=True)
class Holdout:
    """Each chosen user's last new item, taken out of a log (a leave-one-out validation inside ``fit``)."""

    fit: Interactions  # the log without the held-out (user, item) rows
    users: np.ndarray  # (m,) user codes
    items: np.ndarray  # (m,) item codes, the item each user turned to last


def hold_out_last_items(interactions: Interactions, max_users: int, seed: int = 0) -> Holdout:
    """Per user, the item of its newest positive event, held out (all its rows) when that item is new: every
    positive event on it comes after all of the user's other positive events, and there is at least one
    other. At most ``max_users`` such users, a seeded sample when there are more."""
    positive = np.flatnonzero(interactions.weight > 0)
    order = positive[np.lexsort((positive, interactions.ts_ms[positive], interactions.user[positive]))]
    user, item = interactions.user[order], interactions.item[order]
    n_users = len(interactions.users)
    last = np.full(n_users, -1)
    last[user] = np.arange(len(order))  # the last write per user wins: its newest event
    has = last >= 0
    target = np.full(n_users, -1)
    target[has] = item[last[has]]
    is_target = item == target[user]
    first_target = np.full(n_users, len(order))
    np.minimum.at(first_target, user[is_target], np.flatnonzero(is_target))
    last_other = np.full(n_users, -1)
    np.maximum.at(last_other, user[~is_target], np.flatnonzero(~is_target))
    eligible = np.flatnonzero(has & (last_other >= 0) & (first_target > last_other))
    if len(eligible) > max_users:
        eligible = np.sort(np.random.default_rng(seed).choice(eligible, max_users, replace=False))
    chosen = np.zeros(n_users, dtype=bool)
    chosen[eligible] = True
    held = chosen[interactions.user] & (interactions.item == target[interactions.user])
    return Holdout(interactions.subset(~held), eligible, target[eligible])
