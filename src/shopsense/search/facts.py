"""Per-item facts that filters, facets, sorting and personalisation need, aligned with index rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from shopsense.domain import Item
from shopsense.profiles.items import category_key, item_frame, with_bands
from shopsense.search.constraints import find_colors
from shopsense.search.text import fold


def item_colors(item: Item) -> frozenset[str]:
    """Canonical colours an item declares (``attributes["color"]``/``"colour"``/``"颜色"``) or names in its title."""
    declared = " ".join(str(item.attributes.get(k, "")) for k in ("color", "colour", "颜色"))
    return frozenset(find_colors(fold(f"{declared} {item.title}")))


@dataclass(frozen=True)
class ItemFacts:
    item_ids: list[str]
    price: np.ndarray  # (n,) float64, nan when unknown
    brand: np.ndarray  # (n,) object
    category: np.ndarray  # (n,) object: "A > B > C" or ""
    shop: np.ndarray  # (n,) object
    in_stock: np.ndarray  # (n,) bool
    hidden: np.ndarray  # (n,) bool
    created_ms: np.ndarray  # (n,) int64
    band: np.ndarray  # (n,) object: low | mid | high | premium | None
    colors: list[frozenset[str]]

    @classmethod
    def from_items(cls, items: Sequence[Item], quartiles: Mapping[str, Sequence[float]] | None = None) -> ItemFacts:
        bands = with_bands(item_frame(items), quartiles or {})["band"].to_numpy(dtype=object) if items else np.array([], object)
        return cls(
            item_ids=[i.item_id for i in items],
            price=np.array([np.nan if i.price is None else i.price for i in items], dtype=np.float64),
            brand=np.array([i.brand for i in items], dtype=object),
            category=np.array([category_key(i.category) or "" for i in items], dtype=object),
            shop=np.array([i.shop_id for i in items], dtype=object),
            in_stock=np.array([i.in_stock for i in items], dtype=bool),
            hidden=np.array([i.hidden for i in items], dtype=bool),
            created_ms=np.array([int(i.created_at.timestamp() * 1000) if i.created_at else 0 for i in items], dtype=np.int64),
            band=bands,
            colors=[item_colors(i) for i in items],
        )
