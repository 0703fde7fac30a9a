"""What profiles need to know about items: category key, brand, shop, price and price band.

Price bands place an item within its own category's price distribution: with q1 ≤ q2 ≤ q3 the
quartiles (linear interpolation) of the catalogue prices of the category's priced items,

    band = low if p ≤ q1, mid if p ≤ q2, high if p ≤ q3, else premium.

Categories with fewer than ``MIN_PRICED`` priced items (and items without a category) use the
quartiles of the whole catalogue (key ``"*"``). The quartiles are computed at each batch rebuild and
stored with the profile model; incremental updates band items with the latest stored quartiles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from shopsense.domain import Item

BANDS = ("low", "mid", "high", "premium")
ALL_ITEMS = "*"
MIN_PRICED = 8
ITEM_COLUMNS = ("category", "brand", "shop", "price")


def category_key(path: Sequence[str]) -> str | None:
    """The full category path as one key, root first: ``"Home > Kitchen > Mugs"``; None without one."""
    return " > ".join(path) if path else None


def item_frame(items: Iterable[Item]) -> pd.DataFrame:
    """Items indexed by ``item_id`` with columns ``ITEM_COLUMNS`` (missing brand/category as None)."""
    rows = [(i.item_id, category_key(i.category), i.brand or None, i.shop_id, i.price) for i in items]
    frame = pd.DataFrame(rows, columns=["item_id", *ITEM_COLUMNS]).set_index("item_id")
    frame["price"] = frame["price"].astype("float64")
    return frame


def price_quartiles(items: pd.DataFrame) -> dict[str, list[float]]:
    """``{category key: [q1, q2, q3]}`` for categories with enough priced items, plus ``"*"`` for all."""
    priced = items[items["price"] > 0]
    if priced.empty:
        return {}
    result = {ALL_ITEMS: [float(q) for q in priced["price"].quantile([0.25, 0.5, 0.75])]}
    categorised = priced.dropna(subset=["category"])
    sizes = categorised.groupby("category").size()
    enough = categorised[categorised["category"].isin(sizes.index[sizes >= MIN_PRICED])]
    if not enough.empty:
        table = enough.groupby("category")["price"].quantile([0.25, 0.5, 0.75]).unstack()
        result.update({str(c): [float(v) for v in row] for c, row in zip(table.index, table.to_numpy())})
    return result


def with_bands(items: pd.DataFrame, quartiles: Mapping[str, Sequence[float]]) -> pd.DataFrame:
    """``items`` plus a ``band`` column (None where the price or the quartiles are unknown)."""
    band = pd.Series(None, index=items.index, dtype="object")
    if quartiles and len(items):
        group = items["category"].where(items["category"].isin(list(quartiles)), ALL_ITEMS)
        bounds = np.array([quartiles.get(g, [np.nan] * 3) for g in group], dtype="float64").reshape(-1, 3)
        price = items["price"].to_numpy(dtype="float64")
        level = (price[:, None] > bounds).sum(axis=1)
        known = (price > 0) & ~np.isnan(bounds[:, 0])
        band[known] = np.array(BANDS, dtype=object)[level[known]]
    return items.assign(band=band)
