"""Where product suggestions and product facts come from: small seams with catalogue-backed defaults.

``ProductFinder`` answers "what matches this text?" and ``Related`` answers "what goes with this item?".
The defaults here work on any store: :class:`CatalogFinder` ranks the visible catalogue with
:class:`HybridIndex` over title, category path and brand, and applies price limits; :class:`CoPurchases`
counts the orders (sessions with a purchase) that hold both items, the classic "bought together"
association (Agrawal et al. 1993, support count). A search engine or recommender can replace either.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from sqlalchemy import Engine, and_, func, select

from shopsense.assistant.embeddings import Encoder
from shopsense.assistant.prices import PriceLimits
from shopsense.assistant.retrieval import HybridIndex
from shopsense.domain import Candidate, Item
from shopsense.storage.schema import events, items

_PUNCT = re.compile(r"[^\w\s]")


class ProductFinder(Protocol):
    def find(self, text: str, limits: PriceLimits, k: int, *, query_vector: np.ndarray | None = None) -> list[Candidate]: ...


class Related(Protocol):
    def related(self, item_id: str, k: int) -> list[Candidate]: ...


def normalise_title(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


def catalog_version(engine: Engine) -> tuple[int, int]:
    """(item count, newest update): any upsert or flag change changes it."""
    with engine.connect() as connection:
        count, newest = connection.execute(select(func.count(), func.max(items.c.updated_ms))).one()
    return int(count), int(newest or 0)


class CatalogFinder:
    """Ranks the catalogue's visible items for a text; also finds the items a message names."""

    def __init__(self, catalogue: Sequence[Item], encoder: Encoder, *, min_cosine: float = 0.80) -> None:
        self.items = [item for item in catalogue if not item.hidden]
        self.min_cosine = min_cosine
        self._index = HybridIndex([f"{i.title} {' / '.join(i.category)} {i.brand}".strip() for i in self.items], encoder)
        self._by_title: dict[str, list[int]] = {}
        for row, item in enumerate(self.items):
            self._by_title.setdefault(normalise_title(item.title), []).append(row)
        self._by_id = {item.item_id.lower(): row for row, item in enumerate(self.items)}

    def find(self, text: str, limits: PriceLimits, k: int, *, query_vector: np.ndarray | None = None) -> list[Candidate]:
        hits = self._index.search(text, len(self.items), query_vector=query_vector) if text.strip() else []
        lexical = self._index.bm25(text) if hits else None
        # words that match some title decide; only when none does, the dense similarity alone may
        worded = lexical is not None and bool((lexical > 0).any())
        found = []
        for row, fused, cosine in hits:
            item = self.items[row]
            relevant = lexical[row] > 0 if worded else cosine >= self.min_cosine
            if relevant and limits.admits(item.price):
                found.append(Candidate(item.item_id, round(fused, 4), "catalog", "matches your words"))
                if len(found) == k:
                    break
        return found

    def named(self, text: str) -> list[Item]:
        """Items the message names: by the longest catalogue title it contains (every item sharing that
        title, so duplicates are shown rather than guessed between), else by an item id with a digit."""
        padded = f" {normalise_title(text)} "
        best = max((t for t in self._by_title if t and f" {t} " in padded), key=len, default=None)
        if best:
            return [self.items[row] for row in self._by_title[best]]
        ids = [t for t in re.findall(r"[\w-]+", text.lower()) if t in self._by_id and any(ch.isdigit() for ch in t)]
        return [self.items[self._by_id[ids[0]]]] if ids else []


class CoPurchases:
    """Items bought in the same orders (purchase events sharing a session id) as the given item."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def related(self, item_id: str, k: int) -> list[Candidate]:
        baskets = select(events.c.session_id).where(
            and_(events.c.item_id == item_id, events.c.type == "purchase", events.c.session_id.is_not(None))
        )
        together = func.count(events.c.session_id.distinct()).label("orders")
        query = (
            select(events.c.item_id, together)
            .where(events.c.type == "purchase", events.c.session_id.in_(baskets), events.c.item_id != item_id)
            .group_by(events.c.item_id)
            .order_by(together.desc(), events.c.item_id)
            .limit(k)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            Candidate(row.item_id, float(row.orders), "co_purchase", f"bought together in {row.orders} orders")
            for row in rows
        ]
