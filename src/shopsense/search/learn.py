"""Learning the ranker from clicks after searches (``shopsense search train-ranker``).

Each logged query with clicks becomes one LambdaRank group: its current candidate pool, labelled with
min(clicks on the result, 3) — unclicked results 0 — so results shoppers chose for a query rise for it
and, through the features, for queries like it (Joachims, "Optimizing Search Engines using Clickthrough
Data", KDD 2002, reads clicks as relative preferences in the same spirit).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from shopsense.search.engine import SearchEngine
from shopsense.search.ranker import LambdaRanker
from shopsense.search.store import SearchStore

MAX_GRADE = 3


class NoClicksError(ValueError):
    """There are no clicks on search results to learn from yet."""


def train_from_clicks(engine: SearchEngine, store: SearchStore, folder: Path, *, seed: int = 0) -> dict[str, int]:
    """Fit a LambdaRank model on the click groups and save it to ``folder``; returns what it learned from."""
    row_of = engine.index.row
    groups, labels = [], []
    for query, clicks in store.query_clicks().items():
        pool = engine.pool(engine.parse(query))
        clicked = {row_of[i]: n for i, n in clicks.items() if i in row_of}
        y = np.array([min(clicked.get(int(r), 0), MAX_GRADE) for r in pool.rows], dtype=np.int32)
        if len(y) > 1 and y.any():
            groups.append(pool.features)
            labels.append(y)
    if not groups:
        raise NoClicksError("no clicks on search results yet: nothing to learn the ranker from")
    LambdaRanker.for_queries(len(groups), max_grade=MAX_GRADE, seed=seed).fit(groups, labels).save(folder)
    return {"queries": len(groups), "clicked_results": int(sum((y > 0).sum() for y in labels))}
