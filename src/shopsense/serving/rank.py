"""Fusion of the sources' proposals: weighted reciprocal-rank fusion (the documented blend).

Cormack, Clarke & Büttcher, "Reciprocal rank fusion outperforms Condorcet and individual rank learning
methods", SIGIR 2009. With r_s(i) the 1-based rank of item i in source s's proposal and w_s the source's
weight (``ScenarioRules.source_weights``, default 1),

    s(i) = Σ_{s : i ∈ proposal_s} w_s / (K + r_s(i)),   K = 60

It needs no common score scale across models, and an item proposed by several sources rises. Each item
keeps as its ``source`` the one that contributed most to s(i), which also chooses its explanation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from shopsense.serving.sources import Proposal

K = 60.0


@dataclass(frozen=True)
class Fused:
    rows: np.ndarray  # (m,) unique catalogue rows
    scores: np.ndarray  # (m,) s(i)
    origin: np.ndarray  # (m,) index into the proposals of each row's main source


def fuse(proposals: Sequence[Proposal], weights: Mapping[str, float]) -> Fused:
    rows = [p.rows for p in proposals]
    if not rows or sum(len(r) for r in rows) == 0:
        empty = np.empty(0, dtype=np.int64)
        return Fused(empty, np.empty(0), empty)
    every = np.concatenate(rows)
    share = np.concatenate(
        [weights.get(p.source, 1.0) / (K + 1.0 + np.arange(len(p.rows))) for p in proposals]
    )  # (Σ m_s,) contribution of each (source, item) pair
    which = np.repeat(np.arange(len(proposals)), [len(r) for r in rows])
    unique, inverse = np.unique(every, return_inverse=True)
    scores = np.bincount(inverse, weights=share, minlength=len(unique))
    order = np.lexsort((-share, inverse))  # per item, its largest contribution first
    first = order[np.r_[True, inverse[order][1:] != inverse[order][:-1]]]
    return Fused(unique, scores, which[first])
