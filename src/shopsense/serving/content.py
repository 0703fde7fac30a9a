"""Text-embedding recall: items whose text lies near the anchors' (the user's recent items, the page's item).

Each catalogue item's text (title, brand, category path: search's passage) is embedded by the multilingual E5 encoder
(``search.dense``; Wang et al., "Text Embeddings by Weakly-Supervised Contrastive Pre-training", 2022),
the vectors cached on disk by text hash, so a rebuild after ``PUT /v1/items`` encodes only the new or
changed items: a new item is recommendable at once, before any event names it. For anchors A,

    q = Σ_{a ∈ A} v_a / ‖Σ_{a ∈ A} v_a‖,   s(i) = v_i · q   (cosine; items without text score nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopsense.search.dense import EmbeddingCache
from shopsense.search.index import SearchDoc
from shopsense.serving.catalog import CatalogSnapshot
from shopsense.serving.sources import Proposal, best

SOURCE = "content"


def item_text(catalog: CatalogSnapshot, row: int) -> str:
    """What an item is embedded from: the text search embeds (title, brand, category path), so both share
    one vector cache; "" when the item has none of them."""
    path = " / ".join(catalog.paths[row])
    return SearchDoc(str(catalog.ids[row]), str(catalog.titles[row] or ""), str(catalog.brand[row] or ""), path).passage


@dataclass(frozen=True)
class ContentIndex:
    vectors: np.ndarray  # (n_catalogue, d) float32 unit rows; zero rows for items without text
    has_text: np.ndarray  # (n_catalogue,) bool

    @classmethod
    def build(cls, catalog: CatalogSnapshot, cache: EmbeddingCache) -> ContentIndex:
        texts = [item_text(catalog, row) for row in range(len(catalog))]
        has_text = np.array([bool(t) for t in texts], dtype=bool)
        vectors = np.zeros((len(texts), cache.encoder.dim), dtype=np.float32)
        if has_text.any():
            vectors[has_text] = cache.embed([t for t in texts if t])
        return cls(vectors, has_text)

    def proposal(self, anchors: np.ndarray, depth: int, candidates: np.ndarray | None = None) -> Proposal:
        """The ``depth`` rows nearest the anchors (the anchors themselves left out), best first."""
        anchors = anchors[self.has_text[anchors]] if len(anchors) else anchors
        if len(anchors) == 0:
            return Proposal(SOURCE, "neighbours", np.empty(0, dtype=np.int64), anchors)
        query = self.vectors[anchors].sum(axis=0)
        query /= max(float(np.linalg.norm(query)), 1e-12)
        scores = self.vectors @ query  # one pass over the matrix, no copy of its rows
        scores[~self.has_text] = -np.inf
        scores[anchors] = -np.inf
        rows = np.arange(len(scores)) if candidates is None else candidates
        return Proposal(SOURCE, "neighbours", best(rows, scores[rows], depth), anchors)
