"""A small synthetic shop for profile tests: a catalogue with known price quartiles, and event helpers.

Imported by the tests as ``profile_shop`` (a name no other test folder uses); fixtures are in conftest.py.

Kitchen (``Home > Kitchen``) has 10 items priced 1..10, so its quartiles are 3.25 / 5.5 / 7.75;
Garden has 2 items, too few for its own quartiles, so it is banded with the whole catalogue's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from shopsense.domain import Item, User
from shopsense.ingest.batch import ingest_events
from shopsense.profiles.rebuild import rebuild_profiles
from shopsense.storage import Database, open_database

T0 = datetime(2024, 1, 1, 10, 0, tzinfo=UTC)  # a Monday, 10:00 UTC
KITCHEN, GARDEN = "Home > Kitchen", "Home > Garden"


def at(days: float = 0, hours: float = 0) -> str:
    """An ISO-8601 timestamp ``days`` and ``hours`` after T0."""
    return (T0 + timedelta(days=days, hours=hours)).isoformat()


def catalogue() -> list[Item]:
    kitchen = [
        Item(f"k{p}", f"kitchen thing {p}", category=("Home", "Kitchen"), brand="Acme", price=float(p), shop_id="s1")
        for p in range(1, 11)
    ]
    garden = [
        Item("g1", "spade", category=("Home", "Garden"), brand="Zeta", price=4.0, shop_id="s2"),
        Item("g2", "rake", category=("Home", "Garden"), brand="Zeta", price=20.0, shop_id="s2"),
    ]
    return [*kitchen, *garden, Item("x1", "no price, no category", shop_id="s1")]


def ingest(db: Database, *events: dict[str, Any]) -> None:
    """Send events through the real ingestion path (validation, storage, incremental profiles)."""
    frame = pd.DataFrame.from_records(list(events))
    outcome = ingest_events(db, frame)
    assert outcome.count("rejected") == 0, outcome.reasons.to_dict()


def event(event_id: str, user_id: str, kind: str, item_id: str | None, days: float = 0, hours: float = 0, **more: Any) -> dict:
    return {"event_id": event_id, "user_id": user_id, "type": kind, "item_id": item_id, "timestamp": at(days, hours), **more}


def open_shop(path: Path) -> Database:
    db = open_database(f"sqlite:///{path / 'shop.db'}")
    db.catalog.upsert_items(catalogue())
    db.catalog.upsert_users([User("alice", {"country": "FR", "tier": "gold"})])
    return db


def rebuild(db: Database, models_dir: Path) -> None:
    rebuild_profiles(db, models_dir)
