"""Small hand-made interaction logs for the model tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shopsense.data.interactions import IdMap, Interactions

DAY = 86_400_000


def log(rows: list[tuple[str, str, float, int]]) -> Interactions:
    """Interactions from (user, item, weight, ts_ms) rows."""
    users, items, weights, ts = zip(*rows, strict=True)
    user_map, item_map = IdMap.of(users), IdMap.of(items)
    return Interactions(
        users=user_map, items=item_map,
        user=user_map.codes(pd.Series(users)).astype(np.int32), item=item_map.codes(pd.Series(items)).astype(np.int32),
        weight=np.asarray(weights, dtype=np.float32), ts_ms=np.asarray(ts, dtype=np.int64),
    )  # fmt: skip
