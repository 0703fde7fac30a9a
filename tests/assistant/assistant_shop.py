"""A tiny shop with known answers: six items (prices, stock, attributes), two users' orders and a policy."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from shopsense.assistant.store import AssistantStore, KnowledgeDocument
from shopsense.domain import Item
from shopsense.ingest.batch import ingest_events
from shopsense.storage import Database

ITEMS = [
    Item("MUG-RED", "Red Ceramic Coffee Mug", category=("Kitchen", "Mugs"), price=8.95, currency="GBP",
         attributes={"color": "red", "capacity": "350 ml"}),
    Item("MUG-BLUE", "Blue Ceramic Coffee Mug", category=("Kitchen", "Mugs"), price=9.5, currency="GBP",
         attributes={"color": "blue"}, in_stock=False),
    Item("TEAPOT-1", "Porcelain Teapot With Infuser", category=("Kitchen", "Tea"), price=24.99, currency="GBP"),
    Item("WALLET-1", "Leather Wallet For Men", category=("Accessories",), brand="Hartley", price=45.0, currency="GBP"),
    Item("WATCH-1", "Classic Steel Wrist Watch", category=("Accessories",), price=129.0, currency="GBP"),
    Item("CANDLE-1", "Vanilla Scented Candle", category=("Home",), price=3.333, currency="GBP"),
]  # fmt: skip
POLICY = """# Returns and refunds

## Return window
You can return any item within 30 days of delivery for a full refund. Items must be unused.

## Refund times
Refunds are paid to the original payment method within 5 business days after we receive the return.

# Delivery

## Delivery times
Standard delivery takes 3 to 5 working days. Express delivery arrives the next working day.
"""


def _event(n: int, user: str, kind: str, item: str, order: str, day: int, quantity: float, price: float) -> dict:
    return {"event_id": f"e{n}", "user_id": user, "session_id": order, "type": kind, "item_id": item,
            "value": quantity, "timestamp": datetime(2024, 3, day, 10, tzinfo=UTC),
            "context": {"unit_price": price}}  # fmt: skip


EVENTS = [
    _event(1, "alice", "purchase", "MUG-RED", "A100", 1, 2, 8.95),
    _event(2, "alice", "purchase", "TEAPOT-1", "A100", 1, 1, 24.99),
    _event(3, "alice", "purchase", "WALLET-1", "A200", 5, 1, 45.0),
    _event(4, "alice", "refund", "WALLET-1", "A200", 7, 1, 45.0),
    _event(5, "bob", "purchase", "MUG-RED", "B300", 2, 1, 8.95),
    _event(6, "bob", "purchase", "TEAPOT-1", "B300", 2, 1, 24.99),
    _event(7, "bob", "purchase", "CANDLE-1", "B300", 2, 3, 3.333),
]


def fill_shop(db: Database) -> None:
    db.catalog.upsert_items(ITEMS)
    outcome = ingest_events(db, pd.DataFrame(EVENTS))
    assert outcome.count("accepted") == len(EVENTS), outcome.reasons
    AssistantStore(db.engine).put_documents([KnowledgeDocument("policies", "Shop policies", POLICY)])
