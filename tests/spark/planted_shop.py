"""A bounded synthetic shop with planted structure, for comparing the Spark engine with the single-machine path.

``CLUSTERS`` groups of ``ITEMS_PER_CLUSTER`` items (one catalogue category each). User u shops in cluster
u % CLUSTERS: each step is an item of that cluster 85% of the time (Zipf-like popularity inside the
cluster, exponent 0.8), otherwise any item; a view, then sometimes an add-to-cart (30%) and a purchase
(15%), and now and then a refund (2%) or a search (no item, weight 0). Every fifth step shares the
previous step's timestamp, so the event-id tie-break of the log order matters. Each user's last step is
a new item of its cluster: it is held out (``held_out``), everything before is the stored log.
All drawn from one seeded generator: a given seed gives the same shop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from shopsense.domain import Item

CLUSTERS = 6
ITEMS_PER_CLUSTER = 25
START = datetime(2025, 3, 1, tzinfo=UTC)


def item_id(cluster: int, k: int) -> str:
    return f"c{cluster}-i{k:02d}"


def catalogue() -> list[Item]:
    return [
        Item(item_id(c, k), f"Item {k} of group {c}", category=("Shop", f"Group {c}"), brand=f"b{k % 4}", price=5.0 + k)
        for c in range(CLUSTERS) for k in range(ITEMS_PER_CLUSTER)
    ]  # fmt: skip


@dataclass(frozen=True)
class PlantedShop:
    events: pd.DataFrame  # the stored log, import columns (event_id, user_id, type, item_id, timestamp)
    held_out: dict[str, str]  # user id -> its held-out next item
    history: dict[str, list[str]]  # user id -> its positive-weight items, oldest first


def planted_shop(users: int = 900, seed: int = 7) -> PlantedShop:
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, ITEMS_PER_CLUSTER + 1) ** 0.8
    popularity /= popularity.sum()
    rows, held_out, history = [], {}, {}
    for u in range(users):
        user, cluster = f"u{u:04d}", u % CLUSTERS
        when = START + timedelta(hours=int(rng.integers(0, 24 * 60)))
        seen: list[str] = []
        for step in range(int(rng.integers(6, 15))):
            if rng.random() < 0.85:
                item = item_id(cluster, int(rng.choice(ITEMS_PER_CLUSTER, p=popularity)))
            else:
                item = item_id(int(rng.integers(CLUSTERS)), int(rng.integers(ITEMS_PER_CLUSTER)))
            if step % 5 != 4:  # every fifth step shares the previous step's timestamp
                when += timedelta(minutes=int(rng.integers(1, 90)))
            kinds = ["view"] + ["add_to_cart"] * (rng.random() < 0.3) + ["purchase"] * (rng.random() < 0.15)
            kinds += ["refund"] * ("purchase" in kinds and rng.random() < 0.15) + ["search"] * (rng.random() < 0.05)
            for n, kind in enumerate(kinds):
                rows.append({
                    "event_id": f"e{u:04d}-{step:02d}-{n}", "user_id": user, "type": kind,
                    "item_id": None if kind == "search" else item, "query": "gift" if kind == "search" else None,
                    "timestamp": (when + timedelta(seconds=n)).isoformat(),
                })  # fmt: skip
            seen.append(item)
        fresh = [k for k in range(ITEMS_PER_CLUSTER) if item_id(cluster, k) not in seen]
        if fresh:
            held_out[user] = item_id(cluster, int(rng.choice(fresh, p=popularity[fresh] / popularity[fresh].sum())))
        history[user] = seen
    return PlantedShop(pd.DataFrame(rows), held_out, history)
