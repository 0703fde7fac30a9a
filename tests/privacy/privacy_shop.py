"""The privacy tests' shop: every kind of user data put in for two users (``alice``, whose data the tests
delete, and ``bob``, whose data must stay), through the real API.

The shopping assistant's language models are replaced by a stub that stores a real turn for the user id
the route hands it (so the route's handling of ids is what is tested, without minutes of encoding), and
search runs without dense vectors for the same reason.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Column, Table, func, select

from shopsense.assistant.engine import Reply
from shopsense.assistant.store import AssistantStore, Turn
from shopsense.pipeline.train import train_models
from shopsense.storage import Database
from shopsense.storage.schema import assistant_feedback, assistant_turns, metadata

USERS = ("alice", "bob")
START = datetime(2026, 3, 1, tzinfo=UTC)
EXPERIMENT = {
    "experiment_id": "feed-test", "scenario": "for_you", "min_users_per_variant": 1,
    "variants": [{"name": "control", "weight": 1}, {"name": "other", "weight": 1, "rules": {"diversity": 1.0}}],
}  # fmt: skip
SEGMENT = {"field": "activity.events", "op": "ge", "value": 1}


class StubAssistant:
    """Stores one real turn per message for the user id it is given; answers with a fixed text."""

    def __init__(self, db: Database) -> None:
        self.store = AssistantStore(db.engine)

    def reply(self, user_id: str, session_id: str, message: str) -> Reply:
        seq = len(self.store.recent_turns(session_id, user_id)) + 1
        turn = Turn(uuid.uuid4().hex, session_id, seq, user_id, message, "It ships in 2 days.", "shipping", 0.9,
                    False, True, {"items": ["c0-i1"]})  # fmt: skip
        self.store.add_turn(turn)
        return Reply(turn.turn_id, turn.answer, turn.intent, turn.confidence, [], [], False, True, "template")


def items() -> list[dict]:
    return [{"item_id": f"c{c}-i{k}", "title": f"{name} {k}", "category": ["Shop", name], "brand": f"b{k}",
             "price": 10.0 + k}
            for c, name in enumerate(("Phone case", "Running shoe")) for k in range(6)]  # fmt: skip


def history(user: str, category: int, start: datetime = START, prefix: str = "") -> list[dict]:
    """Views and purchases in one category, a search and a review: every kind of event column."""
    rows = []
    for k in range(4):
        when = start + timedelta(minutes=10 * k)
        rows.append({"event_id": f"{prefix}{user}-v{k}", "user_id": user, "session_id": f"{user}-s1", "type": "view",
                     "item_id": f"c{category}-i{k}", "timestamp": when.isoformat(), "context": {"device": "phone"}})
        if k < 2:
            rows.append({"event_id": f"{prefix}{user}-p{k}", "user_id": user, "session_id": f"{user}-s1",
                         "type": "purchase", "item_id": f"c{category}-i{k}", "value": 1,
                         "timestamp": (when + timedelta(minutes=1)).isoformat()})
    rows.append({"event_id": f"{prefix}{user}-q", "user_id": user, "type": "search", "query": f"{user} wants shoes",
                 "timestamp": (start + timedelta(hours=1)).isoformat()})
    rows.append({"event_id": f"{prefix}{user}-r", "user_id": user, "type": "review", "item_id": f"c{category}-i0",
                 "text": f"{user} loves it", "timestamp": (start + timedelta(hours=2)).isoformat()})
    return rows


@dataclass
class Shop:
    http: TestClient
    db: Database
    admin: dict[str, str]
    client: dict[str, str]
    data_dir: Path

    def ok(self, response, status: int = 200) -> dict:
        assert response.status_code == status, (response.status_code, response.text)
        return response.json() if response.content else {}

    def send(self, events: list[dict]) -> dict:
        return self.ok(self.http.post("/v1/events", json={"events": events}, headers=self.client))

    def recommend(self, user: str) -> dict:
        return self.ok(self.http.get(f"/v1/users/{user}/recommendations", params={"n": 5}, headers=self.client))

    def fill(self) -> None:
        """Every kind of user data, for both users, through the API."""
        self.ok(self.http.put("/v1/items", json={"items": items()}, headers=self.admin))
        users = [{"user_id": u, "attributes": {"region": f"{u}-land"}} for u in USERS]
        self.ok(self.http.put("/v1/users", json={"users": users}, headers=self.admin))
        for category, user in enumerate(USERS):
            assert self.send(history(user, category))["rejected"] == 0
        train_models(self.db, self.http.app.state.settings)
        self.ok(self.http.post("/v1/experiments", json=dict(EXPERIMENT), headers=self.admin), 201)
        self.ok(self.http.put("/v1/segments/active", json={"definition": SEGMENT}, headers=self.admin), 201)
        for user in USERS:
            self.recommend(user)
            self.ok(self.http.get("/v1/search", params={"q": "shoe", "user_id": user}, headers=self.client))
            chat = {"user_id": user, "session_id": f"{user}-chat", "message": "when does my order ship?"}
            turn = self.ok(self.http.post("/v1/assistant/chat", json=chat, headers=self.client))["turn_id"]
            feedback = {"turn_id": turn, "rating": "up", "comment": f"thanks from {user}"}
            self.ok(self.http.post("/v1/assistant/feedback", json=feedback, headers=self.client), 201)
        self.http.app.state.serving.impressions.flush()


USER_COLUMN = re.compile(r"user")


def user_columns() -> list[tuple[Table, Column]]:
    """Every column of every table whose name says it holds a user id: new tables are covered without a change."""
    return [(t, c) for t in metadata.sorted_tables for c in t.columns if USER_COLUMN.search(c.name)]


def rows_about(db: Database, user: str) -> dict[str, int]:
    """Rows naming ``user`` per table and column, plus feedback on the user's assistant turns."""
    counts = {}
    with db.engine.connect() as connection:
        for table, column in user_columns():
            counts[f"{table.name}.{column.name}"] = connection.execute(
                select(func.count()).select_from(table).where(column == user)).scalar_one()  # fmt: skip
        turns = select(assistant_turns.c.turn_id).where(assistant_turns.c.user_id == user)
        counts["assistant_feedback.turn_id"] = connection.execute(
            select(func.count()).select_from(assistant_feedback).where(assistant_feedback.c.turn_id.in_(turns))).scalar_one()  # fmt: skip
    return counts


ShopFactory = Callable[..., Shop]  # make_shop(**settings) -> a filled Shop
