"""Relevance ranking of one query over one index: parse -> embed -> pool -> rank.

This is the whole relevance path the benchmark measures and the shop search builds on (filters, facets,
personalisation and sorting then work on the ranked pool). Dense retrieval is skipped when the index
has no vectors or no encoder is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from shopsense.search.dense import E5Encoder
from shopsense.search.index import Pool, SearchIndex
from shopsense.search.query import ParsedQuery, QueryParser
from shopsense.search.ranker import FusionRanker, Ranker


@dataclass
class Ranked:
    parsed: ParsedQuery
    pool: Pool
    order: np.ndarray  # positions into the pool, best first
    scores: np.ndarray  # (pool,) ranker scores

    @property
    def rows(self) -> np.ndarray:
        return self.pool.rows[self.order]


@dataclass
class SearchEngine:
    index: SearchIndex
    parser: QueryParser
    encoder: E5Encoder | None = None
    ranker: Ranker = field(default_factory=FusionRanker)
    pool_size: int = 100

    def parse(self, text: str) -> ParsedQuery:
        return self.parser.parse(text)

    def pool(self, parsed: ParsedQuery, *, lexical_only: bool = False, mask: np.ndarray | None = None) -> Pool:
        use_dense = self.encoder is not None and self.index.dense is not None and not lexical_only
        text = parsed.corrected or parsed.normalized
        vector = self.encoder.query(text) if use_dense and text else None
        return self.index.pool(parsed.query_text, parsed.raw_tokens, vector, size=self.pool_size, mask=mask)

    def rank(self, text: str | ParsedQuery, *, lexical_only: bool = False, mask: np.ndarray | None = None) -> Ranked:
        parsed = self.parse(text) if isinstance(text, str) else text
        pool = self.pool(parsed, lexical_only=lexical_only, mask=mask)
        scores = np.asarray(self.ranker.score(pool.features), dtype=np.float64)
        order = np.lexsort((pool.rows, -scores))  # best first, ties by row for determinism
        return Ranked(parsed, pool, order, scores)
