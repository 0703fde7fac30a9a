"""Query-document features for the candidate pool, shared by the fused score and the learned ranker.

Every candidate (row of the pool) gets the columns of ``FEATURES``:

- ``bm25`` (field-weighted, after spelling correction), ``bm25_raw`` (the query as typed), one column per
  field (``bm25_title`` …) and ``bm25_rel`` = bm25 / max bm25 in the pool;
- ``dense`` = cosine(query, document) and ``dense_gap`` = dense − max dense in the pool;
- ``coverage`` = |q ∩ d| / |q| over tokens, ``head`` = 1 when the query's last token (the head noun of
  an English product query) is in the document, ``bigrams`` = share of adjacent query-token pairs that
  are adjacent in the document;
- ``char_cover`` = share of the query's characters found in the document, ``lcs`` = longest common
  substring / query length (both on normalised text without spaces; strong signals for Chinese);
- ``doc_len``, ``query_len`` (tokens) and ``corrected`` (1 when spelling correction changed the query).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

FIELDS = ("title", "brand", "category", "attributes", "description")
FEATURES = (
    "bm25", "bm25_raw", *(f"bm25_{f}" for f in FIELDS), "bm25_rel", "dense", "dense_gap", "coverage", "head",
    "bigrams", "char_cover", "lcs", "doc_len", "query_len", "corrected",
)  # fmt: skip


@dataclass(frozen=True)
class QueryText:
    """What the features need to know about the query."""

    tokens: list[str]  # analysed, after correction
    compact: str  # normalised text without spaces
    corrected: bool


def longest_common_substring(query: str, doc: str) -> int:
    """Length of the longest substring of ``query`` found in ``doc``.

    For each start, only longer matches than the best so far are tried; a missing extension ends the
    start (every prefix of a present substring is present), so the cost is O(|query|) substring tests.
    """
    best = 0
    for i in range(len(query)):
        if len(query) - i <= best:
            break
        j = i + best + 1
        while j <= len(query) and query[i:j] in doc:
            best = j - i
            j += 1
    return best


@dataclass(frozen=True)
class DocText:
    """The precomputed text of a document that the features look at."""

    tokens: frozenset[str]
    pairs: frozenset[tuple[str, str]]  # adjacent tokens
    length: int
    compact: str  # normalised text without spaces

    @classmethod
    def of(cls, tokens: Sequence[str], compact: str) -> DocText:
        return cls(frozenset(tokens), frozenset(pairwise(tokens)), len(tokens), compact)


def _text_features(query: QueryText, doc: DocText) -> list[float]:
    q = query.tokens
    coverage = sum(t in doc.tokens for t in q) / len(q) if q else 0.0
    head = float(bool(q) and q[-1] in doc.tokens)
    pairs = list(pairwise(q))
    bigrams = sum(p in doc.pairs for p in pairs) / len(pairs) if pairs else coverage
    chars = query.compact
    char_cover = sum(c in doc.compact for c in chars) / len(chars) if chars else 0.0
    lcs = longest_common_substring(chars, doc.compact) / len(chars) if chars else 0.0
    return [coverage, head, bigrams, char_cover, lcs, float(doc.length)]


def feature_matrix(
    query: QueryText,
    field_scores: dict[str, np.ndarray],  # field -> (pool,) BM25
    bm25: np.ndarray,  # (pool,)
    bm25_raw: np.ndarray,  # (pool,)
    dense: np.ndarray,  # (pool,)
    docs: Sequence[DocText],
) -> np.ndarray:
    """(pool, len(FEATURES)) float32 matrix in ``FEATURES`` order."""
    n = len(bm25)
    out = np.zeros((n, len(FEATURES)), dtype=np.float32)
    if n == 0:
        return out
    out[:, 0] = bm25
    out[:, 1] = bm25_raw
    for j, name in enumerate(FIELDS):
        if name in field_scores:
            out[:, 2 + j] = field_scores[name]
    top = float(bm25.max())
    out[:, 7] = bm25 / top if top > 0 else 0.0
    out[:, 8] = dense
    out[:, 9] = dense - float(dense.max())
    out[:, 10:16] = [_text_features(query, d) for d in docs]
    out[:, 16] = len(query.tokens)
    out[:, 17] = float(query.corrected)
    return out
