"""The searchable form of a catalogue: per-field BM25, dense vectors, vocabulary, and candidate pools.

``SearchIndex.pool`` is the recall stage of every search: the union of the top ``pool_size`` documents by
field-weighted BM25 (corrected query) and by dense cosine, with the feature matrix of ``features.py``
for each. Ranking, filters and personalisation work on this pool only, so a query costs two top-k
searches plus a few hundred feature rows, whatever the catalogue size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from shopsense.domain import Item
from shopsense.search.dense import DenseIndex
from shopsense.search.features import FIELDS, DocText, QueryText, feature_matrix
from shopsense.search.lexical import FieldIndex
from shopsense.search.spelling import SpellingCorrector
from shopsense.search.text import Analyzer, normalize


@dataclass(frozen=True)
class SearchDoc:
    """The text fields of one document; ``category`` is the path joined with " / "."""

    doc_id: str
    title: str
    brand: str = ""
    category: str = ""
    description: str = ""
    attributes: str = ""

    @classmethod
    def from_item(cls, item: Item) -> SearchDoc:
        attributes = " ".join(f"{k} {v}" for k, v in item.attributes.items() if isinstance(v, (str, int, float)))
        return cls(item.item_id, item.title, item.brand, " / ".join(item.category), item.description, attributes)

    def field(self, name: str) -> str:
        return getattr(self, name)

    @property
    def passage(self) -> str:
        """The text embedded for dense retrieval: title, brand and category."""
        return " ".join(x for x in (self.title, self.brand, self.category) if x)


@dataclass
class Pool:
    rows: np.ndarray  # (pool,) document rows
    features: np.ndarray  # (pool, len(FEATURES))


@dataclass
class SearchIndex:
    docs: list[SearchDoc]
    analyzer: Analyzer
    vectors: np.ndarray | None = None  # (n, d) unit passage vectors, or None for lexical only
    field_weights: Mapping[str, float] | None = None
    extra_vocabulary: Sequence[str] = ()  # past queries: words the speller may correct to
    k1: float = 1.2
    b: float = 0.75
    field_tokens: Mapping[str, Sequence[list[str]]] | None = None  # precomputed ``analyzer.tokens`` per field
    lexical: FieldIndex = field(init=False)
    dense: DenseIndex | None = field(init=False)
    speller: SpellingCorrector = field(init=False)

    def __post_init__(self) -> None:
        self.row = {d.doc_id: i for i, d in enumerate(self.docs)}
        fields = self.field_tokens or {name: [self.analyzer.tokens(d.field(name)) for d in self.docs] for name in FIELDS}
        self.lexical = FieldIndex(fields, weights=self.field_weights, k1=self.k1, b=self.b)
        self.doc_text = [
            DocText.of(t + b + c, normalize(f"{d.title} {d.brand}").replace(" ", ""))
            for d, t, b, c in zip(self.docs, fields["title"], fields["brand"], fields["category"])
        ]
        texts = [self.analyzer.pieces(f"{d.title} {d.brand} {d.category}") for d in self.docs]
        texts += [self.analyzer.pieces(q) for q in self.extra_vocabulary]
        self.speller = SpellingCorrector.from_texts(texts)
        self.dense = DenseIndex(self.vectors) if self.vectors is not None and len(self.docs) else None

    def __len__(self) -> int:
        return len(self.docs)

    def pool(
        self, query: QueryText, raw_tokens: list[str], query_vector: np.ndarray | None, *, size: int = 100,
        mask: np.ndarray | None = None,
    ) -> Pool:
        """Top ``size`` by BM25 ∪ top ``size`` by dense cosine among the rows allowed by ``mask``, with features."""
        field_scores = self.lexical.field_scores(query.tokens)
        bm25 = sum((self.lexical.weights[f] * s for f, s in field_scores.items()), np.zeros(len(self), np.float32))
        allowed = np.arange(len(self)) if mask is None else np.flatnonzero(mask)
        rows = allowed[_top(bm25[allowed], size, positive=True)]
        use_dense = self.dense is not None and query_vector is not None
        if use_dense:
            if mask is None:
                nearest = self.dense.search(query_vector, size)[0]
            else:  # exact cosine over the allowed rows only
                nearest = allowed[_top(self.dense.similarity(query_vector, allowed), size)]
            rows = np.union1d(rows, nearest)
        rows = np.sort(rows).astype(np.int64)
        dense = self.dense.similarity(query_vector, rows) if use_dense else np.zeros(len(rows), np.float32)
        raw = self.lexical.scores(raw_tokens)[rows] if raw_tokens != query.tokens else bm25[rows]
        features = feature_matrix(
            query, {f: s[rows] for f, s in field_scores.items()}, bm25[rows], raw, dense,
            [self.doc_text[i] for i in rows],
        )  # fmt: skip
        return Pool(rows, features)


def _top(scores: np.ndarray, k: int, *, positive: bool = False) -> np.ndarray:
    """Rows of the ``k`` highest scores (only scores > 0 when ``positive``), unordered."""
    rows = np.flatnonzero(scores > 0) if positive else np.arange(len(scores))
    if len(rows) > k:
        rows = rows[np.argpartition(-scores[rows], k - 1)[:k]]
    return rows
