"""Search metrics over graded judgements; unjudged documents count as not relevant.

With gains g (already shifted, e.g. Home Depot relevance − 1) and a ranked list r_1..r_n:

- NDCG@k  = DCG@k / IDCG@k, DCG@k = Σ_{i≤k} g(r_i) / log2(i + 1) (linear gains, Järvelin & Kekäläinen
  2002), IDCG@k from all judged gains in ideal order; a query with no positive gain scores 0 and is
  normally left out by the caller;
- MRR@k   = 1 / (position of the first document with g > 0), 0 when none is in the top k;
- Recall@k = |{relevant in top k}| / |{relevant}|, relevant meaning g > 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def ndcg_at(ranked: Sequence[str], gains: Mapping[str, float], k: int = 10) -> float:
    ideal = sorted((g for g in gains.values() if g > 0), reverse=True)[:k]
    if not ideal:
        return 0.0
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = sum(gains.get(doc, 0.0) * discounts[i] for i, doc in enumerate(ranked[:k]))
    return float(dcg / np.dot(ideal, discounts[: len(ideal)]))


def mrr_at(ranked: Sequence[str], gains: Mapping[str, float], k: int = 10) -> float:
    for i, doc in enumerate(ranked[:k]):
        if gains.get(doc, 0.0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def recall_at(ranked: Sequence[str], gains: Mapping[str, float], k: int = 100) -> float:
    relevant = {doc for doc, g in gains.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def summarize(runs: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """Mean NDCG@10, MRR@10 and Recall@100 over the queries of ``runs`` (qid -> ranked doc ids)."""
    rows = [(ndcg_at(r, qrels[q]), mrr_at(r, qrels[q]), recall_at(r, qrels[q])) for q, r in runs.items()]
    mean = np.mean(rows, axis=0) if rows else np.zeros(3)
    return {"ndcg@10": float(mean[0]), "mrr@10": float(mean[1]), "recall@100": float(mean[2])}
