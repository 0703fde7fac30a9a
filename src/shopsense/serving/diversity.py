"""Diversification of a ranked list: maximal marginal relevance and a per-category cap.

MMR (Carbonell & Goldstein, "The use of MMR, diversity-based reranking for reordering documents and
producing summaries", SIGIR 1998) picks, one at a time from the candidates C not yet selected S,

    argmax_{i ∈ C \\ S}  λ · rel(i) - (1 - λ) · max_{j ∈ S} sim(i, j)

with rel(i) = s(i) / max_C s ∈ [0, 1], λ = 1 - strength (strength 0 keeps the relevance order), and
sim(i, j) = 1 for the same leaf category, 0.5 for the same brand, 0 otherwise (catalogue metadata, so new
items take part too). ``max_per_category`` additionally skips an item once its leaf category already
has that many picks.
"""

from __future__ import annotations

import numpy as np

from shopsense.serving.catalog import CatalogSnapshot


def similarity(catalog: CatalogSnapshot, rows: np.ndarray) -> np.ndarray:
    """(len(rows), len(rows)) float: 1 same leaf category, 0.5 same brand, else 0 (empty values never match)."""
    leaf, brand = catalog.leaf[rows], catalog.brand[rows]
    same_leaf = (leaf[:, None] == leaf[None, :]) & (leaf != "")[:, None]
    same_brand = (brand[:, None] == brand[None, :]) & (brand != "")[:, None]
    return np.where(same_leaf, 1.0, np.where(same_brand, 0.5, 0.0))


def diversify(
    catalog: CatalogSnapshot, rows: np.ndarray, scores: np.ndarray, n: int, *, strength: float,
    max_per_category: int | None,
) -> np.ndarray:  # fmt: skip
    """The n rows chosen by MMR (in pick order) from ``rows`` sorted by descending ``scores``."""
    if strength <= 0 and max_per_category is None:
        return rows[:n]
    relevance = scores / max(float(np.max(scores)), 1e-300) if len(scores) else scores
    sim = similarity(catalog, rows)
    lam = 1.0 - strength
    penalty = np.zeros(len(rows))  # max_{j ∈ S} sim(i, j)
    available = np.ones(len(rows), dtype=bool)
    per_category: dict[str, int] = {}
    chosen: list[int] = []
    while len(chosen) < n and available.any():
        value = np.where(available, lam * relevance - (1 - lam) * penalty, -np.inf)
        pick = int(np.argmax(value))
        available[pick] = False
        leaf = catalog.leaf[rows[pick]]
        if max_per_category is not None and leaf and per_category.get(leaf, 0) >= max_per_category:
            continue
        per_category[leaf] = per_category.get(leaf, 0) + 1
        chosen.append(pick)
        penalty = np.maximum(penalty, sim[pick])
    return rows[np.asarray(chosen, dtype=np.int64)]
