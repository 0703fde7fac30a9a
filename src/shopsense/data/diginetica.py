"""DIGINETICA item views loader (CIKM Cup 2016 Track 2, "Personalized E-Commerce Search Challenge").

``train-item-views.csv`` (or a sample of it) is ``;``-separated with a header
``sessionId;userId;itemId;timeframe;eventdate`` (snake_case headers are read too). Each row becomes
a ``view`` event with id ``diginetica-<row>`` (rows numbered from 1 after the header) and the session
as ``session_id``. ``timeframe`` is the time in milliseconds since the session started and
``eventdate`` its day, so the timestamp is that day at 00:00 UTC plus the timeframe: the order within
a session is exact, the time of day is not. Views without a logged-in user (``userId`` empty or
``NA``) belong to the anonymous user ``session-<sessionId>``. Rows without a session or item, or with
an unreadable timeframe or date, are skipped with the reason. Items have no titles: ``item <id>``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from shopsense.data.dataset import LoadedDataset, event_frame, first_reason, untitled_items
from shopsense.domain import User

NAME = "diginetica"
_COLUMNS = {"sessionid": "session", "userid": "user", "itemid": "item", "timeframe": "timeframe", "eventdate": "date"}
_NO_USER = ("", "NA")


def load_diginetica(path: str | Path) -> LoadedDataset:
    """Read the item views file into view events, untitled items and (partly anonymous) users."""
    frame = pd.read_csv(path, sep=";", dtype="str", keep_default_na=False, quoting=csv.QUOTE_NONE)
    frame = frame.rename(columns=lambda c: _COLUMNS.get(c.replace("_", "").lower(), c))
    missing = set(_COLUMNS.values()) - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)} (expected {';'.join(_COLUMNS)})")
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    frame = frame.fillna("").apply(lambda column: column.str.strip())
    offset = pd.to_numeric(frame["timeframe"], errors="coerce")
    day = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    skip = first_reason(frame.index, [
        (frame["session"] == "", "missing sessionId"),
        (frame["item"] == "", "missing itemId"),
        (offset.isna() | (offset < 0), "timeframe '" + frame["timeframe"] + "' is not a non-negative number of ms"),
        (day.isna(), "eventdate '" + frame["date"] + "' is not a YYYY-MM-DD date"),
    ])  # fmt: skip
    kept = frame[skip.isna()]
    anonymous = kept["user"].isin(_NO_USER)
    user_ids = kept["user"].where(~anonymous, "session-" + kept["session"])
    events = event_frame(
        kept.index,
        event_id=NAME + "-" + kept.index.astype(str),
        user_id=user_ids,
        session_id=kept["session"],
        type=pd.Series("view", index=kept.index, dtype="str"),
        item_id=kept["item"],
        timestamp=day[kept.index] + pd.to_timedelta(offset[kept.index], unit="ms"),
    )
    users = pd.Series(anonymous.to_numpy(), index=user_ids.to_numpy())
    users = users[~users.index.duplicated()]
    return LoadedDataset(
        name=NAME,
        events=events,
        items=untitled_items(kept["item"].unique(), NAME),
        users=[User(user_id=u, attributes={"anonymous": True} if a else {}) for u, a in users.items()],
        skipped=skip.dropna().astype(str),
    )
