"""Per-user features and labels for the propensity and churn models, cut at a time T.

:func:`user_features` looks only at events strictly before the cutoff T (its first step drops the
rest, so adding later events cannot change a feature: a test checks it). Labels look at the window
[T, T + N days). Features, per user seen before T (ages in days before T):

* activity: ``events``, ``active_days`` (distinct UTC days), ``recency_days`` (since the last
  event), ``tenure_days`` (since the first), ``n_<type>`` for every event type;
* recency of the last view, cart, favourite and purchase (``MISSING_DAYS`` when there was none);
* RFM (Hughes 1994, "Strategic Database Marketing"): ``purchase_days`` (frequency), ``monetary``
  (quantity × unit price), ``order_value``, ``interpurchase_days`` (mean gap between purchase days);
* trends: ``events_<w>d``, ``purchases_<w>d``, ``share_<w>d`` (= events_<w>d / events) per window w;
* funnel ratios: ``purchase_per_view``, ``cart_per_view`` (add-one smoothed);
* for a target category: the same counts and recency restricted to its items, and ``cat_share``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
import orjson
import pandas as pd

from shopsense.domain import EventType

DAY_MS = 86_400_000
MISSING_DAYS = 3_650.0  # "never": ten years, far beyond any real recency
EVENT_TYPES = tuple(t.value for t in EventType)
RECENCY_TYPES = ("view", "add_to_cart", "favorite", "purchase")
_LOG_COLUMNS = ("user_id", "type", "item_id", "ts_ms", "amount", "day")


def _unit_price(context: object) -> float:
    if not isinstance(context, str):
        return 0.0
    price = orjson.loads(context).get("unit_price") if context.startswith("{") else None
    return float(price) if isinstance(price, (int, float)) else 0.0


def prepare_log(events: pd.DataFrame) -> pd.DataFrame:
    """The event log (columns of ``EventStore.iter_frames``) reduced to what the features need.

    ``amount`` is quantity (``value``, 1 when absent) × ``context.unit_price`` (0 when absent) for
    purchases and 0 otherwise; ``day`` is the UTC day number.
    """
    ts_ms = events["ts_ms"].astype("int64").to_numpy()
    purchase = (events["type"] == "purchase").to_numpy()
    amount = np.zeros(len(events))
    if purchase.any():
        quantity = events["value"].to_numpy(dtype="float64", na_value=np.nan)[purchase]
        prices = np.fromiter(map(_unit_price, events["context"].to_numpy()[purchase]), "float64")
        amount[purchase] = np.where(np.isnan(quantity), 1.0, quantity) * prices
    return pd.DataFrame(
        {
            "user_id": events["user_id"].astype(str).to_numpy(),
            "type": events["type"].astype(str).to_numpy(),
            "item_id": events["item_id"].to_numpy(dtype=object),
            "ts_ms": ts_ms,
            "amount": amount,
            "day": ts_ms // DAY_MS,
        },
        columns=list(_LOG_COLUMNS),
    )


def items_in_category(item_categories: Mapping[str, Sequence[str]], category: str) -> frozenset[str]:
    """Items whose category path (root first) contains ``category`` at any level."""
    return frozenset(item for item, path in item_categories.items() if category in path)


def _counts(frame: pd.DataFrame, users: pd.Index, prefix: str, types: Sequence[str]) -> pd.DataFrame:
    table = frame.groupby(["user_id", "type"]).size().unstack(fill_value=0)
    table = table.reindex(index=users, columns=list(types), fill_value=0).fillna(0)
    return table.set_axis([f"{prefix}{t}" for t in types], axis=1)


def _recency(frame: pd.DataFrame, users: pd.Index, prefix: str) -> pd.DataFrame:
    last = frame.groupby(["user_id", "type"])["age"].min().unstack()
    last = last.reindex(index=users, columns=list(RECENCY_TYPES)).fillna(MISSING_DAYS)
    return last.set_axis([f"{prefix}{t}_days" for t in RECENCY_TYPES], axis=1)


def _per_user(values: pd.Series, users: pd.Index) -> pd.Series:
    return values.reindex(users).fillna(0.0)


def user_features(
    log: pd.DataFrame,
    cutoff_ms: int,
    *,
    category_items: Collection[str] | None = None,
    windows_days: Sequence[float] = (1.0, 7.0, 30.0),
) -> pd.DataFrame:
    """Features (float64 columns, rows = users with an event before ``cutoff_ms``, sorted by user id)."""
    past = log[log["ts_ms"] < cutoff_ms]
    past = past.assign(age=(cutoff_ms - past["ts_ms"]) / DAY_MS)
    users = pd.Index(past["user_id"].unique(), name="user_id").sort_values()
    by_user = past.groupby("user_id")
    purchases = past[past["type"] == "purchase"].groupby("user_id")
    features = pd.DataFrame(
        {
            "events": _per_user(by_user.size(), users),
            "active_days": _per_user(by_user["day"].nunique(), users),
            "recency_days": _per_user(by_user["age"].min(), users),
            "tenure_days": _per_user(by_user["age"].max(), users),
            "purchase_days": _per_user(purchases["day"].nunique(), users),
            "monetary": _per_user(purchases["amount"].sum(), users),
        }
    )
    span = (purchases["age"].max() - purchases["age"].min()).reindex(users)
    gaps = features["purchase_days"] - 1
    features["interpurchase_days"] = (span / gaps.where(gaps > 0)).fillna(MISSING_DAYS)
    features["order_value"] = features["monetary"] / features["purchase_days"].clip(lower=1)
    features = features.join(_counts(past, users, "n_", EVENT_TYPES)).join(_recency(past, users, "last_"))
    for w in windows_days:
        recent = past[past["age"] < w]
        bought = (recent["type"] == "purchase").groupby(recent["user_id"]).sum()
        features[f"events_{w:g}d"] = _per_user(recent.groupby("user_id").size(), users)
        features[f"purchases_{w:g}d"] = _per_user(bought, users)
        features[f"share_{w:g}d"] = features[f"events_{w:g}d"] / features["events"]
    features["purchase_per_view"] = features["n_purchase"] / (features["n_view"] + 1)
    features["cart_per_view"] = features["n_add_to_cart"] / (features["n_view"] + 1)
    if category_items is not None:
        inside = past[past["item_id"].isin(category_items)]
        counts = _counts(inside, users, "cat_", RECENCY_TYPES)
        features = features.join(counts).join(_recency(inside, users, "cat_last_"))
        features["cat_share"] = counts.sum(axis=1) / features["events"]
    return features.astype("float64")


def purchase_labels(
    log: pd.DataFrame, users: pd.Index, start_ms: int, end_ms: int, *, category_items: Collection[str] | None = None
) -> np.ndarray:
    """1 for each user in ``users`` who purchased (an item of the category) in [start, end), else 0."""
    window = log[(log["ts_ms"] >= start_ms) & (log["ts_ms"] < end_ms) & (log["type"] == "purchase")]
    if category_items is not None:
        window = window[window["item_id"].isin(category_items)]
    return users.isin(window["user_id"].unique()).astype(np.int8)


def churn_labels(log: pd.DataFrame, users: pd.Index, start_ms: int, end_ms: int) -> np.ndarray:
    """1 for each user in ``users`` with no event at all (no visit, no purchase) in [start, end), else 0."""
    window = log[(log["ts_ms"] >= start_ms) & (log["ts_ms"] < end_ms)]
    return (~users.isin(window["user_id"].unique())).astype(np.int8)
