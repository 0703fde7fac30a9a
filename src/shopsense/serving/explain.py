"""Reasons a shopper can read, one per recommended item, from the source that put it there.

* history (a model reading the user's recent items): "Because you viewed <title>", naming the recent
  item most similar to the recommendation under the item-item model (S[h, i], see ``models.itemknn``),
  or else the newest recent item of the same leaf category; "Picked for you from your recent activity"
  when neither exists;
* neighbours: "Often bought with <title>" (also_bought / complete_basket), "Similar to <title>" (similar,
  and text neighbours anywhere);
* popularity: "Popular in <category> this week" (or "Popular right now" without a category);
* category: "Popular in <category>, which you browse"; new: "New in <category>" / "New arrival";
* pinned: "Featured".
"""

from __future__ import annotations

import numpy as np

from shopsense.serving.content import SOURCE as CONTENT
from shopsense.serving.models import NEIGHBOURS
from shopsense.serving.snapshot import Snapshot
from shopsense.serving.sources import Proposal
from shopsense.serving.user import UserState


def _similarity_block(similarity, history: np.ndarray, targets: np.ndarray) -> np.ndarray:  # noqa: ANN001 - CSR
    """(len(history), len(targets)) dense S[h, i], read straight from the CSR arrays (one pass, no copies
    of whole rows); ``targets`` are distinct columns."""
    indptr, indices, data = similarity.indptr, similarity.indices, similarity.data
    slot = np.full(similarity.shape[1], -1, dtype=np.int64)
    slot[targets] = np.arange(len(targets))
    spans = [(indptr[h], indptr[h + 1]) for h in history]
    columns = slot[np.concatenate([indices[a:b] for a, b in spans])]
    values = np.concatenate([data[a:b] for a, b in spans])
    owner = np.repeat(np.arange(len(spans)), [b - a for a, b in spans])
    hit = columns >= 0
    block = np.zeros((len(history), len(targets)))
    block[owner[hit], columns[hit]] = values[hit]
    return block


def _anchors(snapshot: Snapshot, user: UserState, rows: np.ndarray) -> list[int | None]:
    """Per row, the recent row that best explains it: highest S[h, row] under the item-item model, else
    the newest recent row of the same leaf category, else None."""
    recent = user.recent_rows[:20]
    found: list[int | None] = [None] * len(rows)
    if len(recent) == 0:
        return found
    knn = snapshot.models.get(NEIGHBOURS)
    similarity = getattr(knn.model, "similarity", None) if knn is not None else None
    if similarity is not None:
        history, targets = knn.column[recent], knn.column[rows]
        known, wanted = history >= 0, np.flatnonzero(targets >= 0)
        if known.any() and len(wanted):
            block = _similarity_block(similarity, history[known], targets[wanted])  # (n_recent, n_rows)
            best, strength = block.argmax(axis=0), block.max(axis=0)
            for j, k, value in zip(wanted, best, strength):
                if value > 0:
                    found[j] = int(recent[known][k])
    leaf = snapshot.catalog.leaf
    for j, row in enumerate(rows):
        if found[j] is None and leaf[row]:
            found[j] = next((int(h) for h in recent if leaf[h] == leaf[row]), None)
    return found


def reasons(
    snapshot: Snapshot, user: UserState, rows: list[int], proposals: list[Proposal | None], scenario: str
) -> list[str]:
    """One reason per row; ``proposals[j]`` is the source that put rows[j] there (None: pinned)."""
    anchors = _anchors(snapshot, user, np.asarray(rows, dtype=np.int64))
    return [_reason(snapshot, user, r, p, a, scenario) for r, p, a in zip(rows, proposals, anchors)]


def _reason(
    snapshot: Snapshot, user: UserState, row: int, proposal: Proposal | None, anchor: int | None, scenario: str
) -> str:
    catalog = snapshot.catalog
    leaf = str(catalog.leaf[row])
    if proposal is None:
        return "Featured"
    if proposal.kind == "history":
        if anchor is None:
            return "Picked for you from your recent activity"
        return f"Because you {user.acted_on(str(catalog.ids[anchor]))} {catalog.title(anchor)}"
    if proposal.kind == "neighbours":
        title = catalog.title(int(proposal.anchors[0])) if len(proposal.anchors) else "this item"
        similar = scenario == "similar" or proposal.source == CONTENT
        return f"Similar to {title}" if similar else f"Often bought with {title}"
    if proposal.kind == "popularity":
        return f"Popular in {leaf} this week" if leaf else "Popular right now"
    if proposal.kind == "category":
        return f"Popular in {leaf}, which you browse"
    return f"New in {leaf}" if leaf else "New arrival"
