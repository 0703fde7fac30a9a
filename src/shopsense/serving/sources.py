"""Recall sources: each proposes catalogue rows in its own order, best first.

Every source returns a ``Proposal`` of at most ``depth`` rows; fusion (``rank.fuse``) only uses ranks,
so sources need no common score scale. A source restricted to ``candidates`` (a category, the new
arrivals) ranks within them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from shopsense.models.base import UserContext
from shopsense.serving.models import ServedModel
from shopsense.serving.snapshot import Snapshot
from shopsense.serving.user import UserState


@dataclass(frozen=True)
class Proposal:
    source: str  # model slot, or "popularity", "category", "new"
    kind: str  # how to explain it: history | neighbours | popularity | category | new
    rows: np.ndarray  # (m,) catalogue rows, best first
    anchors: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))  # for kind "neighbours": the rows it started from


def best(rows: np.ndarray, scores: np.ndarray, depth: int) -> np.ndarray:
    """The ``depth`` rows of highest finite score, best first."""
    finite = np.isfinite(scores)
    rows, scores = rows[finite], scores[finite]
    if len(rows) > depth:
        top = np.argpartition(-scores, depth - 1)[:depth]
        rows, scores = rows[top], scores[top]
    return rows[np.argsort(-scores, kind="stable")]


def scored(served: ServedModel, context: UserContext, depth: int, candidates: np.ndarray | None) -> np.ndarray:
    """Rows ranked by one model's score row for ``context`` (restricted to ``candidates`` when given)."""
    row = served.score(context)  # (n_model_items,)
    if candidates is None:
        known = served.row >= 0
        return best(served.row[known], row[known], depth)
    columns = served.column[candidates]
    known = columns >= 0
    return best(candidates[known], row[columns[known]], depth)


def from_model(served: ServedModel, user: UserState, depth: int, candidates: np.ndarray | None = None) -> Proposal:
    return Proposal(served.slot, "history", scored(served, user.context, depth, candidates))


def neighbours(served: ServedModel, anchors: np.ndarray, snapshot: Snapshot, depth: int) -> Proposal:
    """Items taken together with the anchor rows (product page item, cart), by an item-item model."""
    context = UserContext(recent_items=tuple(snapshot.catalog.ids[anchors[::-1]]))  # newest (first anchor) last
    return Proposal(served.slot, "neighbours", scored(served, context, depth, None), anchors)


def popular(snapshot: Snapshot, depth: int, candidates: np.ndarray | None = None) -> Proposal:
    if candidates is None:
        return Proposal("popularity", "popularity", snapshot.by_popularity[:depth])
    return Proposal("popularity", "popularity", best(candidates, snapshot.popularity[candidates], depth))


def in_user_categories(snapshot: Snapshot, user: UserState, depth: int) -> Proposal:
    """The most popular (then newest) items of the user's recent leaf categories, interleaved by share."""
    shares = user.category_shares(snapshot.catalog)
    if not shares:
        return Proposal("category", "category", np.empty(0, dtype=np.int64))
    parts = [(snapshot.category_top[name][: max(1, round(depth * share))], share) for name, share in shares.items()]
    rows = np.concatenate([p for p, _ in parts])
    scores = np.concatenate([share / (1.0 + np.arange(len(p))) for p, share in parts])
    return Proposal("category", "category", best(rows, scores, depth))


def newest(snapshot: Snapshot, user: UserState, candidates: np.ndarray, depth: int) -> Proposal:
    """New items, those in the user's categories first (by share), then by creation time."""
    shares = user.category_shares(snapshot.catalog)
    catalog = snapshot.catalog
    affinity = np.fromiter((shares.get(catalog.leaf[r], 0.0) for r in candidates), dtype=np.float64, count=len(candidates))
    created = catalog.created_ms[candidates].astype(np.float64)
    if len(created):
        created = (created - created.min()) / max(float(np.ptp(created)), 1.0)  # newest 1, oldest 0
    return Proposal("new", "new", best(candidates, affinity + 0.5 * created, depth))
