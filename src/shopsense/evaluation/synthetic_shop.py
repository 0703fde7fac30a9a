"""A synthetic shop with realistic behaviour, for the analytics benchmark: catalogue, users and events.

Every user arrives on a uniformly drawn day and comes back after exponential gaps (mean 25 days, truncated to the period), as
often as a heavy-tailed (log-normal) activity weight says. A session is about one top-level category
(7 times in 10 the user's favourite, itself drawn by Zipf-like category popularity) that 85% of its
views stay in; items are viewed by power-law popularity within a category, each view leads to an
add-to-cart with probability ``cart_rate`` and each cart to a purchase with ``buy_rate`` (quantity 1-3;
a third at a discounted ``context.unit_price``). Hours follow an evening-peaked daily curve and weekends
are busier. Everything is vectorised with one seeded NumPy generator, so a given seed gives the same shop.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from shopsense.data.dataset import LoadedDataset
from shopsense.domain import Item

TOP_CATEGORIES = (
    "Electronics", "Home", "Fashion", "Beauty", "Sports", "Toys",
    "Books", "Grocery", "Garden", "Automotive", "Pets", "Office",
)  # fmt: skip
SUBCATEGORIES = 6
BRANDS_PER_CATEGORY = 25
_HOURLY = np.array([2, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 6, 7, 7, 6, 6, 6, 7, 8, 10, 11, 11, 8, 4], dtype=float)
_WEEKDAY = np.array([1.0, 0.95, 0.95, 1.0, 1.1, 1.3, 1.25])  # Monday first
_DAY_MS = 86_400_000
RETURN_DAYS = 25.0  # mean gap before a user comes back


def _category_shares(exponent: float) -> np.ndarray:
    """Zipf-like shares of the top-level categories, in ``TOP_CATEGORIES`` order."""
    weights = 1.0 / np.arange(1, len(TOP_CATEGORIES) + 1) ** exponent
    return weights / weights.sum()


def _items(rng: np.random.Generator, n_items: int) -> tuple[list[Item], np.ndarray, np.ndarray]:
    """The catalogue, each item's top-level category index, and its price."""
    top = rng.choice(len(TOP_CATEGORIES), size=n_items, p=_category_shares(0.6))
    sub = rng.integers(0, SUBCATEGORIES, size=n_items)
    brand = rng.integers(0, BRANDS_PER_CATEGORY, size=n_items)
    price = np.round(np.exp(rng.normal(3.0 + 0.15 * (top % 5), 0.8)), 0) - 0.01
    items = [
        Item(
            item_id=f"i{i}",
            title=f"{TOP_CATEGORIES[t]} item {i}",
            category=(TOP_CATEGORIES[t], f"{TOP_CATEGORIES[t]} line {s + 1}"),
            brand=f"{TOP_CATEGORIES[t][:4]}brand {b + 1}",
            price=float(max(p, 0.99)),
            currency="EUR",
        )
        for i, (t, s, b, p) in enumerate(zip(top.tolist(), sub.tolist(), brand.tolist(), price.tolist()))
    ]
    return items, top, np.maximum(price, 0.99)


def _returning_share(arrival_day: np.ndarray, days: int) -> np.ndarray:
    """Per user, the probability mass of an exponential return gap (mean ``RETURN_DAYS``) inside the period."""
    return 1.0 - np.exp(-(days - arrival_day) / RETURN_DAYS)


def _session_starts(rng: np.random.Generator, users: np.ndarray, arrival_day: np.ndarray, days: int) -> np.ndarray:
    """Start time (epoch ms from the period start) of each session of ``users``; the first one per user is the arrival.

    Return gaps are exponential, truncated to the period by inverting the truncated CDF, so late arrivals
    come back within the days that are left rather than piling up at the end.
    """
    n = len(users)
    returning = np.ones(n, dtype=bool)
    returning[np.unique(users, return_index=True)[1]] = False
    arrival = arrival_day[users]
    gap = -RETURN_DAYS * np.log1p(-rng.random(n) * _returning_share(arrival, days))
    day = arrival + returning * np.minimum(gap.astype(np.int64), days - 1 - arrival)
    busy = _WEEKDAY[day % 7] / _WEEKDAY.max()  # the period starts on a Monday
    day = np.where((rng.random(n) < busy) | (day == days - 1), day, day + 1)  # quiet days hand visits on
    hour = rng.choice(24, size=n, p=_HOURLY / _HOURLY.sum())
    return (day * _DAY_MS + hour * 3_600_000 + rng.integers(0, 3_600_000, size=n)).astype(np.int64)


def synthetic_shop(
    n_events: int = 1_000_000,
    *,
    n_users: int = 50_000,
    n_items: int = 20_000,
    days: int = 182,
    cart_rate: float = 0.09,
    buy_rate: float = 0.4,
    favorite_rate: float = 0.02,
    seed: int = 7,
) -> LoadedDataset:
    """Exactly ``n_events`` events over ``days`` days starting Monday 2024-01-01 (UTC)."""
    rng = np.random.default_rng(seed)
    items, item_top, item_price = _items(rng, n_items)
    by_category = [np.flatnonzero(item_top == c) for c in range(len(TOP_CATEGORIES))]
    n_views = int(n_events / (1 + cart_rate * (1 + buy_rate) + favorite_rate) * 1.02) + 10
    # sessions: user by activity weight, length 1 + geometric (mean ~7 views)
    activity = np.exp(rng.normal(0.0, 1.2, size=n_users))
    lengths = 1 + rng.geometric(1 / 6.5, size=n_views // 7 + 1)
    lengths = lengths[: np.searchsorted(np.cumsum(lengths), n_views) + 1]
    n_sessions = len(lengths)
    if n_sessions < n_users:
        raise ValueError(f"{n_events:,} events make {n_sessions:,} sessions, fewer than the {n_users:,} users")
    arrival = rng.integers(0, days, size=n_users)
    weight = activity * _returning_share(arrival, days)  # late arrivals have less time left to come back
    returning = rng.choice(n_users, size=n_sessions - n_users, p=weight / weight.sum())
    session_user = np.concatenate([np.arange(n_users), returning])  # every user visits at least once
    favourite = rng.choice(len(TOP_CATEGORIES), size=n_users, p=_category_shares(1.0))
    session_category = np.where(rng.random(n_sessions) < 0.7, favourite[session_user],
                                rng.integers(0, len(TOP_CATEGORIES), size=n_sessions))  # fmt: skip
    start = _session_starts(rng, session_user, arrival, days)
    # views: items by power-law popularity inside the session's category, 10 s - 3 min apart
    session = np.repeat(np.arange(n_sessions), lengths)
    step = np.arange(len(session)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    ts = start[session] + step * rng.integers(10_000, 180_000, size=len(session))
    category = np.where(rng.random(len(session)) < 0.85, session_category[session],
                        rng.integers(0, len(TOP_CATEGORIES), size=len(session)))  # fmt: skip
    pool_sizes = np.array([len(p) for p in by_category])[category]
    rank = np.floor(pool_sizes * rng.random(len(session)) ** 3).astype(int)
    offsets = np.concatenate([[0], np.cumsum([len(p) for p in by_category])[:-1]])
    item = np.concatenate(by_category)[offsets[category] + rank]
    views = pd.DataFrame({"session": session, "item": item, "ts": ts, "type": "view"})
    carts = views[rng.random(len(views)) < cart_rate].assign(type="add_to_cart", ts=lambda f: f["ts"] + 20_000)
    favorites = views[rng.random(len(views)) < favorite_rate].assign(type="favorite", ts=lambda f: f["ts"] + 15_000)
    buys = carts[rng.random(len(carts)) < buy_rate].assign(type="purchase", ts=lambda f: f["ts"] + 60_000)
    surplus = len(views) + len(carts) + len(favorites) + len(buys) - n_events
    if surplus < 0:
        raise ValueError(f"generated {surplus} too few events; raise the view estimate")
    views = views.drop(rng.choice(views.index.to_numpy(), size=surplus, replace=False))
    frame = pd.concat([views, carts, favorites, buys], ignore_index=True).sort_values("ts", kind="stable")
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return _dataset(rng, frame, session_user, items, item_price)


def _dataset(
    rng: np.random.Generator, frame: pd.DataFrame, session_user: np.ndarray, items: list[Item], price: np.ndarray
) -> LoadedDataset:
    bought = (frame["type"] == "purchase").to_numpy()
    quantity = np.where(bought, rng.choice([1.0, 1.0, 1.0, 2.0, 3.0], size=len(frame)), np.nan)
    discounted = bought & (rng.random(len(frame)) < 1 / 3)
    unit_price = np.round(price[frame["item"].to_numpy()] * 0.8, 2)
    context = pd.Series(None, index=frame.index, dtype="object")
    context[discounted] = ['{"unit_price":' + str(p) + "}" for p in unit_price[discounted]]
    origin = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1000)
    events = pd.DataFrame(
        {
            "event_id": "syn-" + frame.index.astype(str),
            "user_id": "u" + pd.Series(session_user[frame["session"].to_numpy()], index=frame.index).astype(str),
            "session_id": "s" + frame["session"].astype(str),
            "type": frame["type"],
            "item_id": "i" + frame["item"].astype(str),
            "value": quantity,
            "timestamp": frame["ts"] + origin,
            "context": context,
        },
        index=frame.index,
    )
    return LoadedDataset(name="synthetic-shop", events=events, items=items)
