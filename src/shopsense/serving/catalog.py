"""The catalogue as in-memory arrays, rebuilt in the background when it changes.

Rules and explanations read these arrays instead of the database; the hidden/in-stock flags of the items
finally returned are re-checked against the store on every request (``ServingReads.recommendable``), so
a flag set a moment ago is honoured even before the next rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shopsense.domain import Item


@dataclass(frozen=True)
class CatalogSnapshot:
    ids: np.ndarray  # (n,) object: item ids, row order of every array below
    lookup: pd.Index  # item id -> row, for whole arrays of ids
    index: dict[str, int]  # item id -> row, for the few ids of one request
    titles: np.ndarray  # (n,) object
    leaf: np.ndarray  # (n,) object: last category path entry, "" when none
    paths: tuple[tuple[str, ...], ...]  # (n,) category paths, root first
    brand: np.ndarray  # (n,) object
    shop: np.ndarray  # (n,) object
    price: np.ndarray  # (n,) float64, NaN when unknown
    created_ms: np.ndarray  # (n,) int64
    recommendable: np.ndarray  # (n,) bool: in stock and not hidden
    attributes: tuple[dict, ...]  # (n,)
    by_category: dict[str, np.ndarray]  # every category path entry -> its rows
    version: tuple[int, int]  # ServingReads.catalogue_version() when built

    @classmethod
    def build(cls, catalogue: Iterable[Item], version: tuple[int, int] = (0, 0)) -> CatalogSnapshot:
        rows = list(catalogue)
        ids = np.asarray([i.item_id for i in rows], dtype=object)
        members: dict[str, list[int]] = {}
        for row, item in enumerate(rows):
            for name in set(item.category):
                members.setdefault(name, []).append(row)
        return cls(
            ids=ids,
            lookup=pd.Index(ids),
            index={str(i): n for n, i in enumerate(ids)},
            titles=np.asarray([i.title for i in rows], dtype=object),
            leaf=np.asarray([i.category[-1] if i.category else "" for i in rows], dtype=object),
            paths=tuple(i.category for i in rows),
            brand=np.asarray([i.brand for i in rows], dtype=object),
            shop=np.asarray([i.shop_id for i in rows], dtype=object),
            price=np.asarray([np.nan if i.price is None else i.price for i in rows], dtype=np.float64),
            created_ms=np.asarray([0 if i.created_at is None else int(i.created_at.timestamp() * 1000) for i in rows], dtype=np.int64),
            recommendable=np.asarray([i.recommendable for i in rows], dtype=bool),
            attributes=tuple(i.attributes for i in rows),
            by_category={name: np.asarray(found, dtype=np.int64) for name, found in members.items()},
            version=version,
        )

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self, item_ids: Iterable[str]) -> np.ndarray:
        """Rows of the ids this catalogue knows (unknown ids are dropped), in the given order."""
        index = self.index
        return np.fromiter((index[i] for i in item_ids if i in index), dtype=np.int64)

    def in_category(self, name: str) -> np.ndarray:
        """Rows whose category path contains ``name``."""
        return self.by_category.get(name, np.empty(0, dtype=np.int64))

    def title(self, row: int) -> str:
        return str(self.titles[row]) or str(self.ids[row])
