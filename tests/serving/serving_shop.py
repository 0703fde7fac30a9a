"""A tiny synthetic shop with a known structure, trained with the fast default models.

Four categories of six items each (phone cases, chargers, running shoes, cookbooks). Users 0-29 each
browse one category (user u: category u % 4) and buy two of its items; within a category, items are
taken in a fixed order, so item-item neighbours stay inside the category.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from shopsense.config import load_settings
from shopsense.domain import Item
from shopsense.ingest.batch import ingest_events
from shopsense.pipeline.train import train_models
from shopsense.storage import Database

CATEGORIES = ("Phone cases", "Chargers", "Running shoes", "Cookbooks")
START = datetime(2026, 1, 1, tzinfo=UTC)


def item_id(category: int, k: int) -> str:
    return f"c{category}-i{k}"


def catalogue() -> list[Item]:
    return [
        Item(item_id(c, k), f"{name[:-1]} {k}", category=("Shop", name), brand=f"brand{k % 3}", price=10.0 + k,
             created_at=START - timedelta(days=400))
        for c, name in enumerate(CATEGORIES) for k in range(6)
    ]  # fmt: skip


def event(n: int, user: str, kind: str, item: str, when: datetime, **extra: object) -> dict:
    return {"event_id": f"e{n}-{user}-{item}-{kind}", "user_id": user, "type": kind, "item_id": item,
            "timestamp": when.isoformat(), **extra}  # fmt: skip


def history() -> list[dict]:
    rows = []
    for u in range(30):
        c = u % 4
        for step, k in enumerate((u + s) % 6 for s in range(4)):
            when = START + timedelta(hours=u, minutes=step)
            rows.append(event(len(rows), f"u{u}", "view", item_id(c, k), when))
            if step < 2:
                rows.append(event(len(rows), f"u{u}", "purchase", item_id(c, k), when + timedelta(seconds=30)))
    return rows


def store_events(db: Database, rows: list[dict]) -> None:
    frame = pd.DataFrame(rows)
    outcome = ingest_events(db, frame)
    assert (outcome.status == "accepted").all(), outcome.reasons


def build_shop(db: Database, data_dir) -> None:  # noqa: ANN001 - a Path
    db.catalog.upsert_items(catalogue())
    store_events(db, history())
    train_models(db, load_settings(env={}, data_dir=data_dir))
