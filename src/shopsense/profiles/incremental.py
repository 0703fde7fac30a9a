"""Incremental profile maintenance: fold newly stored events into their users' profiles at once.

Called by ingestion for the events it has just stored (never for duplicates), in the request path,
so an accepted event is visible in the user's profile when the response is sent. The new events are
summarised with the batch code (:func:`~shopsense.profiles.state.summarise`), merged into each
stored state (:func:`~shopsense.profiles.state.merge`) by the store's read-modify-write that never
loses a concurrent update (``ProfileStore.update``), and re-rendered with the active profile model. Because states merge in any order, the result equals a
batch rebuild over the same events with the same model (a test checks it).

The fold runs with the cyclic garbage collector paused (:mod:`shopsense.profiles.collector`).
"""

from __future__ import annotations

import pandas as pd

from shopsense.profiles.collector import collector_paused
from shopsense.profiles.documents import STATE, compose
from shopsense.profiles.enrich import SOURCE_COLUMNS, enrich
from shopsense.profiles.items import item_frame, with_bands
from shopsense.profiles.model import active_model
from shopsense.profiles.render import iso
from shopsense.profiles.state import merge, summarise
from shopsense.storage import Database
from shopsense.storage.codec import now_ms


def apply_new_events(db: Database, events: pd.DataFrame) -> None:
    """Update the profiles of the users in ``events`` (validated storage columns, all newly stored)."""
    if events.empty:
        return
    with collector_paused():
        _fold_into_profiles(db, events)


def _fold_into_profiles(db: Database, events: pd.DataFrame) -> None:
    model = active_model(db)
    item_ids = events["item_id"].dropna().unique().tolist()
    items = with_bands(item_frame(db.catalog.get_items(item_ids).values()), model.price_quartiles)
    partial = summarise(enrich(events[list(SOURCE_COLUMNS)], items, model.params), model.params)
    attributes = db.profiles.attributes(list(partial))
    updated_at = iso(now_ms())

    def fold(users: list[str], stored: dict[str, dict]) -> dict[str, dict]:
        documents = {}
        for user_id in users:
            previous, new = stored.get(user_id), partial[user_id]
            state = merge((previous or {}).get(STATE), new, model.params)
            documents[user_id] = compose(
                user_id, state, model, attributes=attributes.get(user_id, {}), previous=previous, updated_at=updated_at
            )
        return documents

    db.profiles.update(list(partial), fold, known_users_only=True)
