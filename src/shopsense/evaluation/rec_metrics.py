"""Top-N metrics as pure functions over ranks and recommendation lists (one value per user).

Accuracy metrics take ``ranks``: (n_users, m) 0-based positions of each user's held-out items in the
full ranking (a 1-D array means one held-out item per user), ``np.inf`` for a held-out item that was
not ranked (the model cannot score it) and for padding; ``n_relevant`` (n_users,) counts each user's
held-out items (default m). Rank r counts from 0, so the top item has r = 0.

Beyond-accuracy metrics take ``top``: (n_users, K) item codes of each user's list, -1 for an empty
slot (a model that could score fewer than K items). Callers average the per-user values.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse


def _ranks(ranks: np.ndarray, n_relevant: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    ranks = np.asarray(ranks, dtype=np.float64)
    ranks = ranks[:, None] if ranks.ndim == 1 else ranks
    count = np.full(len(ranks), ranks.shape[1]) if n_relevant is None else np.asarray(n_relevant)
    if (count < 1).any():
        raise ValueError("every user needs at least one held-out item")
    return ranks, count


def hit_rate(ranks: np.ndarray, k: int, n_relevant: np.ndarray | None = None) -> np.ndarray:
    """HR@K = 1 if any held-out item is ranked in the top K, else 0 (= Recall@K for one held-out item)."""
    ranks, _ = _ranks(ranks, n_relevant)
    return (ranks < k).any(axis=1).astype(np.float64)


def recall(ranks: np.ndarray, k: int, n_relevant: np.ndarray | None = None) -> np.ndarray:
    """Recall@K = |held-out items in the top K| / |held-out items|."""
    ranks, count = _ranks(ranks, n_relevant)
    return (ranks < k).sum(axis=1) / count


def ndcg(ranks: np.ndarray, k: int, n_relevant: np.ndarray | None = None) -> np.ndarray:
    """NDCG@K = DCG / IDCG, DCG = Σ_{held-out i, r_i < K} 1 / log2(r_i + 2), IDCG = Σ_{j < min(n, K)} 1 / log2(j + 2).

    Binary relevance (Järvelin & Kekäläinen 2002); one held-out item: 1 / log2(r + 2) if r < K.
    """
    ranks, count = _ranks(ranks, n_relevant)
    gains = np.where(ranks < k, 1.0 / np.log2(np.where(ranks < k, ranks, 0) + 2), 0.0)
    ideal = np.cumsum(1.0 / np.log2(np.arange(k) + 2))[np.minimum(count, k) - 1]
    return gains.sum(axis=1) / ideal


def reciprocal_rank(ranks: np.ndarray, k: int | None = None, n_relevant: np.ndarray | None = None) -> np.ndarray:
    """RR = 1 / (r_first + 1) for the best-ranked held-out item; with K, 0 when r_first ≥ K (MRR@K). MRR = mean RR."""
    ranks, _ = _ranks(ranks, n_relevant)
    first = ranks.min(axis=1)
    limit = np.inf if k is None else k
    return np.where(first < limit, 1.0 / (first + 1), 0.0)


def average_precision(ranks: np.ndarray, k: int, n_relevant: np.ndarray | None = None) -> np.ndarray:
    """AP@K = (1 / min(n, K)) Σ_{j-th best held-out item, r_(j) < K} j / (r_(j) + 1); MAP@K = mean AP@K.

    j / (r_(j) + 1) is the precision at the j-th hit's position.
    """
    ranks, count = _ranks(ranks, n_relevant)
    ordered = np.sort(ranks, axis=1)
    hit_number = np.arange(1, ranks.shape[1] + 1)
    precision = np.where(ordered < k, hit_number / (np.where(ordered < k, ordered, 0) + 1), 0.0)
    return precision.sum(axis=1) / np.minimum(count, k)


def catalogue_coverage(top: np.ndarray, n_items: int) -> float:
    """|∪_u list_u| / n_items: the share of the catalogue recommended to at least one user."""
    top = np.asarray(top)
    return len(np.unique(top[top >= 0])) / n_items


def _list_mean(top: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per user, the mean of ``values`` over the items of its list (NaN for an empty list)."""
    top = np.asarray(top)
    filled = top >= 0
    total = np.where(filled, values[np.where(filled, top, 0)], 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / filled.sum(axis=1)


def novelty(top: np.ndarray, probability: np.ndarray) -> np.ndarray:
    """Mean self-information of the list: (1/|L|) Σ_{i ∈ L} -log2 p_i (Zhou et al., PNAS 2010).

    ``probability``: (n_items,) share of training users who interacted with each item, in (0, 1].
    """
    return _list_mean(top, -np.log2(np.asarray(probability, dtype=np.float64)))


def average_popularity(top: np.ndarray, popularity: np.ndarray) -> np.ndarray:
    """ARP: (1/|L|) Σ_{i ∈ L} φ_i, φ_i = the item's number of training users (Abdollahpouri et al. 2019)."""
    return _list_mean(top, np.asarray(popularity, dtype=np.float64))


def intra_list_diversity(top: np.ndarray, features: sparse.spmatrix | np.ndarray) -> np.ndarray:
    """ILD = 1 - mean cosine similarity over the list's pairs of items (Ziegler et al. 2005); NaN below 2 items.

    ``features``: (n_items, d) item vectors, e.g. multi-hot categories; an item without features is
    dissimilar to every other. With unit rows f_i, Σ_{i≠j} f_i·f_j = ||Σ_i f_i||² - Σ_i ||f_i||².
    """
    top = np.asarray(top)
    features = sparse.csr_array(features, dtype=np.float64)
    norms = np.sqrt(features.multiply(features).sum(axis=1))
    unit = sparse.diags_array(np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)) @ features
    filled = top >= 0
    rows = np.repeat(np.arange(len(top)), filled.sum(axis=1))
    lists = sparse.csr_array((np.ones(len(rows)), (rows, top[filled])), shape=(len(top), features.shape[0]))
    summed = lists @ unit  # (n_users, d)
    self_similarity = lists @ (norms > 0).astype(np.float64)
    pairs = summed.multiply(summed).sum(axis=1) - self_similarity
    size = filled.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(size >= 2, 1.0 - pairs / (size * (size - 1)), np.nan)
