"""The stored profile document: rendered sections + the state they come from + fields others own.

A stored document is ``{"user_id", "attributes", <rendered sections>, "as_of", "updated_at", "state"}``
plus any top-level field written by someone else (``scores`` from the propensity models), which every
rewrite keeps. ``state`` is internal: the API, the CLI and exports show :func:`public` documents.
"""

from __future__ import annotations

from typing import Any

from shopsense.profiles.model import ProfileModel, active_model
from shopsense.profiles.render import render
from shopsense.profiles.state import empty_state
from shopsense.storage import Database

STATE = "state"
OWNED = frozenset({"user_id", "attributes", "activity", "rfm", "lifecycle", "affinities", "purchase_cycle",
                   "sentiment", "interests", "tags", "as_of", "updated_at", STATE})  # fmt: skip


def compose(
    user_id: str, state: dict, model: ProfileModel, *, attributes: dict, previous: dict | None, updated_at: str | None
) -> dict[str, Any]:
    """The full document of one user; fields of ``previous`` that profiles do not own are kept."""
    kept = {k: v for k, v in previous.items() if k not in OWNED} if previous else {}
    return {"user_id": user_id, "attributes": attributes, **render(state, model), **kept,
            "updated_at": updated_at, STATE: state}  # fmt: skip


def public(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != STATE}


def read_profile(db: Database, user_id: str) -> dict[str, Any] | None:
    """The user's profile rendered now with the active model and the shop's current attributes.

    None when the store knows neither the user nor a profile for them; a user without events gets a
    profile with empty activity.
    """
    user = db.catalog.get_user(user_id)
    stored = db.profiles.get(user_id)
    if user is None and stored is None:
        return None
    attributes = user.attributes if user is not None else stored.get("attributes", {})
    state = (stored or {}).get(STATE) or empty_state()
    updated_at = (stored or {}).get("updated_at")
    return public(compose(user_id, state, active_model(db), attributes=attributes, previous=stored, updated_at=updated_at))
