"""Per-event derived columns, vectorised: the one place where an event's meaning for profiles is decided.

Both the batch rebuild and the incremental updates start from :func:`enrich`, so an event counts the
same way on either path. Times are UTC; a session is the event's ``session_id`` or, without one, the
fixed clock window ``"~" + ⌊ts / window⌋`` it falls in. Purchases and refunds carry a quantity
(``value``, 1 when missing) and an amount = quantity × unit price, where the unit price is
``context.unit_price`` when given, else the item's catalogue price. Reviews carry the sentiment score
of ``context.text`` (:mod:`shopsense.profiles.sentiment`); ratings their value.
"""

from __future__ import annotations

import math

import numpy as np
import orjson
import pandas as pd

from shopsense.domain import EventType
from shopsense.profiles.params import DAY_MS, ProfileParams
from shopsense.profiles.sentiment import score_text

PURCHASE, REFUND = EventType.PURCHASE.value, EventType.REFUND.value
REVIEW, RATING = EventType.REVIEW.value, EventType.RATING.value
HOUR_MS = 3_600_000
EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday; weekdays count from Monday = 0
SOURCE_COLUMNS = ("event_id", "user_id", "session_id", "type", "item_id", "value", "ts_ms", "context")


def _context(raw: object) -> dict:
    if not isinstance(raw, str) or not raw:
        return {}
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _number(value: object) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    return float(value) if ok else math.nan


def _text_score(value: object) -> float:
    return score_text(value) if isinstance(value, str) and value.strip() else math.nan


def enrich(events: pd.DataFrame, items: pd.DataFrame, params: ProfileParams) -> pd.DataFrame:
    """One row per event: who, when, which session, how much it weighs, what it concerns and costs.

    ``events`` has the storage columns ``SOURCE_COLUMNS``; ``items`` is :func:`~shopsense.profiles.items.with_bands`
    output (items absent from it have no category, brand, shop or band).
    """
    ts = events["ts_ms"].to_numpy(dtype="int64")
    kind = events["type"].astype(object)
    item = items.reindex(events["item_id"].to_numpy())
    session = events["session_id"].to_numpy(dtype=object)
    no_session = pd.isna(session)
    if no_session.any():
        session = session.copy()
        session[no_session] = ["~" + str(w) for w in (ts[no_session] // params.session_window_ms).tolist()]

    money = kind.isin((PURCHASE, REFUND)).to_numpy()
    review = (kind == REVIEW).to_numpy()
    contexts = events["context"].to_numpy()
    unit_price = np.full(len(events), np.nan)
    unit_price[money] = [_number(_context(c).get("unit_price")) for c in contexts[money]]
    price = np.where(np.isnan(unit_price), item["price"].to_numpy(dtype="float64"), unit_price)
    value = events["value"].to_numpy(dtype="float64")
    quantity = np.where(money, np.where(np.isnan(value), 1.0, value), np.nan)
    sentiment = np.full(len(events), np.nan)
    sentiment[review] = [_text_score(_context(c).get("text")) for c in contexts[review]]

    weights = params.event_weights
    return pd.DataFrame(
        {
            "user": events["user_id"].to_numpy(dtype=object),
            "event_id": events["event_id"].to_numpy(dtype=object),
            "type": kind.to_numpy(),
            "ts": ts,
            "hour": (ts // HOUR_MS) % 24,
            "weekday": (ts // DAY_MS + EPOCH_WEEKDAY) % 7,
            "day": ts // DAY_MS,
            "session": session,
            "weight": np.array([weights.get(k, 0.0) for k in kind.tolist()], dtype="float64"),
            "category": item["category"].to_numpy(dtype=object),
            "brand": item["brand"].to_numpy(dtype=object),
            "shop": item["shop"].to_numpy(dtype=object),
            "band": item["band"].to_numpy(dtype=object),
            "quantity": quantity,
            "amount": quantity * price,
            "sentiment": sentiment,
            "rating": np.where((kind == RATING).to_numpy(), value, np.nan),
        }
    )
