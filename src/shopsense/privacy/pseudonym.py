"""Pseudonymous user ids: with a secret key set, a user id is stored as a keyed hash, never as given.

``pseudonymize(key, id)`` = ``"ps-"`` + HMAC-SHA256(key, id) in hex (67 characters, within ``ID_LENGTH``).
Every place where a user id enters ShopSense applies this one function (ingest, the HTTP API, the
``users`` commands), so the shop keeps using its own ids while the database holds only pseudonyms. A
value that already is a pseudonym passes unchanged, so ids read back from ShopSense (segment target
lists, the dashboard) can be used in lookups, and applying the function twice is harmless. Without a
key ids are stored as given. Changing the key orphans every stored user: choose it once.
"""

from __future__ import annotations

import hashlib
import hmac
import re

import pandas as pd

PREFIX = "ps-"
_PSEUDONYM = re.compile(r"ps-[0-9a-f]{64}")


def pseudonymize(key: str, user_id: str) -> str:
    """The stored form of ``user_id``: its keyed hash when ``key`` is set, else ``user_id`` itself."""
    if not key or _PSEUDONYM.fullmatch(user_id):
        return user_id
    return PREFIX + hmac.new(key.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def pseudonymize_all(key: str, user_ids: pd.Series) -> pd.Series:
    """:func:`pseudonymize` over a column of ids (each distinct id hashed once)."""
    if not key:
        return user_ids
    mapping = {u: pseudonymize(key, u) for u in user_ids.dropna().unique()}
    return user_ids.map(mapping, na_action="ignore")
