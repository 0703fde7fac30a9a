"""Sufficient statistics of a user's events: computed in batch, merged incrementally, order-free.

A state holds counts, sums, sets and decayed sums from which every profile field is derived at read
time (:mod:`shopsense.profiles.render`). :func:`summarise` computes the states of all users in an
enriched event frame with vectorised group-bys; :func:`merge` combines two states of one user. Every
statistic is a commutative, associative fold (sum, min, max, set union, top-k by time), so states
merged in any order and any grouping equal the state of all the events at once, up to float rounding.

Decayed sums are kept referenced to the user's newest event time t_ref = ``last_ms``:

    s(t_ref) = Σ_e w_e · 2^(-(t_ref − t_e)/h),     and on merging   s = s_a·2^(-(t − t_a)/h) + s_b·2^(-(t − t_b)/h)

with t = max(t_a, t_b): the sum over the union of events, whatever order they arrived in.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import add
from typing import Any

import numpy as np
import pandas as pd

from shopsense.profiles.enrich import PURCHASE, REFUND
from shopsense.profiles.params import ProfileParams

State = dict[str, Any]
AFFINITY_COLUMNS = {"category": "category", "brand": "brand", "shop": "shop", "price_band": "band"}


def empty_state() -> State:
    return {
        "first_ms": None, "last_ms": None, "events": 0, "by_type": {}, "hours": [0] * 24, "weekdays": [0] * 7,
        "sessions": [], "orders": [], "last_purchase_ms": None, "spent": 0.0, "refunded": 0.0, "units": 0.0,
        "bands": {}, "purchase_days": [], "category_days": {}, "affinity": {kind: {} for kind in AFFINITY_COLUMNS},
        "reviews": 0, "review_score": 0.0, "ratings": 0, "rating_sum": 0.0, "recent": [],
    }  # fmt: skip


def _pairs(codes: np.ndarray, keys: np.ndarray) -> tuple[list, list, np.ndarray, np.ndarray]:
    """The distinct (user code, key) pairs among rows with a key, and each such row's pair number.

    Returns (pair user codes, pair keys, pair number per kept row, the kept-row mask).
    """
    kept = ~pd.isna(keys)
    key_codes, uniques = pd.factorize(keys[kept])
    width = max(len(uniques), 1)
    distinct, inverse = np.unique(codes[kept].astype(np.int64) * width + key_codes, return_inverse=True)
    return (distinct // width).tolist(), np.asarray(uniques, dtype=object)[distinct % width].tolist(), inverse, kept


def _keyed(codes: np.ndarray, keys: np.ndarray, values: np.ndarray | None, n: int) -> list[dict]:
    """Per user, ``{key: Σ value}`` (``{key: count}`` when ``values`` is None); rows without a key are skipped."""
    users, names, inverse, kept = _pairs(codes, keys)
    if values is None:
        totals = np.bincount(inverse, minlength=len(users)).tolist()
    else:
        totals = np.bincount(inverse, weights=values[kept], minlength=len(users)).tolist()
    out: list[dict] = [{} for _ in range(n)]
    for code, key, total in zip(users, names, totals):
        out[code][key] = total
    return out


def _sets(codes: np.ndarray, keys: np.ndarray, n: int) -> list[list]:
    """Per user, the sorted distinct keys."""
    users, names, _, _ = _pairs(codes, keys)
    out: list[list] = [[] for _ in range(n)]
    for code, key in zip(users, names):
        out[code].append(key)
    for keys_of_user in out:
        keys_of_user.sort()
    return out


def _category_days(codes: np.ndarray, categories: np.ndarray, days: np.ndarray, n: int) -> list[dict]:
    """Per user, ``{category: sorted distinct days}``."""
    kept = ~pd.isna(categories)
    pair_users, pair_categories, pair_of_row, _ = _pairs(codes, categories)
    pairs, pair_days, _, _ = _pairs(pair_of_row, days[kept])
    out: list[dict] = [{} for _ in range(n)]
    for pair, day in zip(pairs, pair_days):
        out[pair_users[pair]].setdefault(pair_categories[pair], []).append(day)
    for per_category in out:
        for days_of_category in per_category.values():
            days_of_category.sort()
    return out


def _recent(frame: pd.DataFrame, codes: np.ndarray, n: int, keep: int) -> list[list]:
    """Per user, the ``keep`` latest category-bearing events with a positive weight: [ts, event_id, category]."""
    mask = (frame["weight"].to_numpy() > 0) & frame["category"].notna().to_numpy()
    user, ts = codes[mask], frame["ts"].to_numpy()[mask]
    event_id, category = frame["event_id"].to_numpy()[mask], frame["category"].to_numpy()[mask]
    order = np.lexsort((event_id, ts, user))  # by user, then time, then event id
    user = user[order]
    group_end = np.cumsum(np.bincount(user, minlength=n))[user]
    last = order[group_end - np.arange(len(order)) <= keep]
    out: list[list] = [[] for _ in range(n)]
    kept = zip(codes[mask][last].tolist(), ts[last].tolist(), event_id[last].tolist(), category[last].tolist())
    for code, t, eid, cat in kept:
        out[code].append([t, eid, cat])
    return out


def summarise(frame: pd.DataFrame, params: ProfileParams) -> dict[str, State]:
    """The state of every user in the enriched event ``frame`` (:func:`~shopsense.profiles.enrich.enrich`)."""
    if frame.empty:
        return {}
    codes, users = pd.factorize(frame["user"])
    n = len(users)
    ts, kind = frame["ts"].to_numpy(), frame["type"].to_numpy()
    first, last = np.full(n, np.iinfo(np.int64).max), np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(first, codes, ts)
    np.maximum.at(last, codes, ts)
    hours = np.bincount(codes * 24 + frame["hour"].to_numpy(), minlength=n * 24).reshape(n, 24)
    weekdays = np.bincount(codes * 7 + frame["weekday"].to_numpy(), minlength=n * 7).reshape(n, 7)

    bought, refund = kind == PURCHASE, kind == REFUND
    last_purchase = np.full(n, -1, dtype="int64")
    np.maximum.at(last_purchase, codes[bought], ts[bought])
    amount = np.nan_to_num(frame["amount"].to_numpy())
    spent = np.bincount(codes[bought], weights=amount[bought], minlength=n)
    refunded = np.bincount(codes[refund], weights=amount[refund], minlength=n)
    units = np.bincount(codes[bought], weights=frame["quantity"].to_numpy()[bought], minlength=n)
    days, session = frame["day"].to_numpy(), frame["session"].to_numpy()

    decayed = frame["weight"].to_numpy() * np.exp2(-(last[codes] - ts) / params.half_life_ms)
    live = decayed != 0
    affinity = {
        name: _keyed(codes[live], frame[column].to_numpy()[live], decayed[live], n)
        for name, column in AFFINITY_COLUMNS.items()
    }
    sentiment, rating = frame["sentiment"].to_numpy(), frame["rating"].to_numpy()
    reviewed, rated = ~np.isnan(sentiment), ~np.isnan(rating)
    columns = {
        "by_type": _keyed(codes, kind, None, n),
        "sessions": _sets(codes, session, n),
        "orders": _sets(codes[bought], session[bought], n),
        "bands": _keyed(codes[bought], frame["band"].to_numpy()[bought], None, n),
        "purchase_days": _sets(codes[bought], days[bought], n),
        "category_days": _category_days(codes[bought], frame["category"].to_numpy()[bought], days[bought], n),
        "recent": _recent(frame, codes, n, params.recent_events),
    }
    reviews = np.bincount(codes[reviewed], minlength=n)
    review_score = np.bincount(codes[reviewed], weights=sentiment[reviewed], minlength=n)
    ratings = np.bincount(codes[rated], minlength=n)
    rating_sum = np.bincount(codes[rated], weights=rating[rated], minlength=n)

    states: dict[str, State] = {}
    for c, user in enumerate(users.tolist()):
        states[user] = {
            "first_ms": int(first[c]), "last_ms": int(last[c]), "events": int(hours[c].sum()),
            "by_type": columns["by_type"][c], "hours": hours[c].tolist(), "weekdays": weekdays[c].tolist(),
            "sessions": columns["sessions"][c], "orders": columns["orders"][c],
            "last_purchase_ms": int(last_purchase[c]) if last_purchase[c] >= 0 else None,
            "spent": float(spent[c]), "refunded": float(refunded[c]), "units": float(units[c]),
            "bands": columns["bands"][c], "purchase_days": columns["purchase_days"][c],
            "category_days": columns["category_days"][c],
            "affinity": {name: per_user[c] for name, per_user in affinity.items()},
            "reviews": int(reviews[c]), "review_score": float(review_score[c]),
            "ratings": int(ratings[c]), "rating_sum": float(rating_sum[c]), "recent": columns["recent"][c],
        }  # fmt: skip
    return states


def _add(a: Mapping[str, int], b: Mapping[str, int]) -> Mapping[str, int]:
    if not b or not a:
        return b or a
    total = dict(a)
    for key, value in b.items():
        total[key] = total.get(key, 0) + value
    return total


def _rescaled_add(a: Mapping[str, float], fa: float, b: Mapping[str, float], fb: float) -> Mapping[str, float]:
    if not b and fa == 1.0:
        return a
    total = {key: value * fa for key, value in a.items()}
    for key, value in b.items():
        total[key] = total.get(key, 0.0) + value * fb
    return total


def _union(a: list, b: list) -> list:
    if not b or not a:
        return b or a
    return sorted(set(a).union(b))


def _latest(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def merge(a: State | None, b: State, params: ProfileParams) -> State:
    """The state of the events of ``a`` and ``b`` together (``a`` None or empty: ``b``).

    Neither input is modified; the result may share unchanged parts with them.
    """
    if not a or not a.get("events"):
        return b
    last = max(a["last_ms"], b["last_ms"])
    fa = 2.0 ** (-(last - a["last_ms"]) / params.half_life_ms)
    fb = 2.0 ** (-(last - b["last_ms"]) / params.half_life_ms)
    recent = a["recent"]
    if b["recent"]:
        recent = sorted(recent + b["recent"], key=lambda entry: (entry[0], entry[1]))[-params.recent_events :]
    category_days = a["category_days"]
    if b["category_days"]:
        days = a["category_days"].keys() | b["category_days"].keys()
        category_days = {k: _union(a["category_days"].get(k, []), b["category_days"].get(k, [])) for k in days}
    return {
        "first_ms": min(a["first_ms"], b["first_ms"]), "last_ms": last, "events": a["events"] + b["events"],
        "by_type": _add(a["by_type"], b["by_type"]),
        "hours": list(map(add, a["hours"], b["hours"])), "weekdays": list(map(add, a["weekdays"], b["weekdays"])),
        "sessions": _union(a["sessions"], b["sessions"]), "orders": _union(a["orders"], b["orders"]),
        "last_purchase_ms": _latest(a["last_purchase_ms"], b["last_purchase_ms"]),
        "spent": a["spent"] + b["spent"], "refunded": a["refunded"] + b["refunded"], "units": a["units"] + b["units"],
        "bands": _add(a["bands"], b["bands"]), "purchase_days": _union(a["purchase_days"], b["purchase_days"]),
        "category_days": category_days,
        "affinity": {kind: _rescaled_add(a["affinity"][kind], fa, b["affinity"][kind], fb) for kind in AFFINITY_COLUMNS},
        "reviews": a["reviews"] + b["reviews"], "review_score": a["review_score"] + b["review_score"],
        "ratings": a["ratings"] + b["ratings"], "rating_sum": a["rating_sum"] + b["rating_sum"], "recent": recent,
    }  # fmt: skip
