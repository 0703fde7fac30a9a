"""The assistant's tables: conversation turns (per session), knowledge documents and answer feedback."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select

from shopsense.storage.codec import dump_json, from_ms, load_json, now_ms
from shopsense.storage.schema import assistant_feedback, assistant_knowledge, assistant_turns
from shopsense.storage.sql import upsert


@dataclass(frozen=True)
class Turn:
    turn_id: str
    session_id: str
    seq: int
    user_id: str
    message: str
    answer: str
    intent: str
    confidence: float
    handoff: bool
    grounded: bool
    state: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None


@dataclass(frozen=True)
class KnowledgeDocument:
    doc_id: str
    title: str
    markdown: str


def _turn(row: Any) -> Turn:
    return Turn(
        row.turn_id, row.session_id, row.seq, row.user_id, row.message, row.answer, row.intent, row.confidence,
        bool(row.handoff), bool(row.grounded), load_json(row.state, {}), from_ms(row.created_ms),
    )  # fmt: skip


class AssistantStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add_turn(self, turn: Turn) -> None:
        row = {
            "turn_id": turn.turn_id, "session_id": turn.session_id, "seq": turn.seq, "user_id": turn.user_id,
            "created_ms": now_ms(), "message": turn.message, "answer": turn.answer, "intent": turn.intent,
            "confidence": turn.confidence, "handoff": turn.handoff, "grounded": turn.grounded,
            "state": dump_json(turn.state),
        }  # fmt: skip
        with self._engine.begin() as connection:
            connection.execute(assistant_turns.insert().values(**row))

    def recent_turns(self, session_id: str, user_id: str, limit: int = 10) -> list[Turn]:
        """The session's newest turns for this user, newest first (another user's session is never read)."""
        query = (
            select(assistant_turns)
            .where(assistant_turns.c.session_id == session_id, assistant_turns.c.user_id == user_id)
            .order_by(assistant_turns.c.seq.desc())
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [_turn(row) for row in connection.execute(query)]

    def get_turn(self, turn_id: str) -> Turn | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(assistant_turns).where(assistant_turns.c.turn_id == turn_id)).first()
        return None if row is None else _turn(row)

    def add_feedback(self, turn_id: str, rating: int, comment: str = "") -> str:
        feedback_id = uuid.uuid4().hex
        row = {"feedback_id": feedback_id, "turn_id": turn_id, "rating": rating, "comment": comment, "created_ms": now_ms()}
        with self._engine.begin() as connection:
            connection.execute(assistant_feedback.insert().values(**row))
        return feedback_id

    def unanswered(self, limit: int = 50) -> list[tuple[Turn, int]]:
        """Turns the shop should look at, newest first: not grounded in a fact, or given a thumbs down.

        Each comes with its net feedback (sum of ratings, 0 when none).
        """
        votes = (
            select(assistant_feedback.c.turn_id, func.sum(assistant_feedback.c.rating).label("net"))
            .group_by(assistant_feedback.c.turn_id)
            .subquery()
        )
        net = func.coalesce(votes.c.net, 0)
        query = (
            select(assistant_turns, net.label("net"))
            .outerjoin(votes, votes.c.turn_id == assistant_turns.c.turn_id)
            .where(~assistant_turns.c.grounded | (net < 0))
            .order_by(assistant_turns.c.created_ms.desc(), assistant_turns.c.turn_id)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [(_turn(row), int(row.net)) for row in connection.execute(query)]

    def put_documents(self, documents: list[KnowledgeDocument]) -> None:
        stamp = now_ms()
        rows = [{"doc_id": d.doc_id, "title": d.title, "markdown": d.markdown, "updated_ms": stamp} for d in documents]
        with self._engine.begin() as connection:
            upsert(connection, assistant_knowledge, rows)

    def delete_document(self, doc_id: str) -> bool:
        with self._engine.begin() as connection:
            return connection.execute(delete(assistant_knowledge).where(assistant_knowledge.c.doc_id == doc_id)).rowcount > 0

    def documents(self) -> list[KnowledgeDocument]:
        with self._engine.connect() as connection:
            rows = connection.execute(select(assistant_knowledge).order_by(assistant_knowledge.c.doc_id))
            return [KnowledgeDocument(r.doc_id, r.title, r.markdown) for r in rows]

    def knowledge_version(self) -> tuple[int, int]:
        """(count, newest update): changes whenever a document is added, replaced or deleted."""
        with self._engine.connect() as connection:
            count, newest = connection.execute(
                select(func.count(), func.max(assistant_knowledge.c.updated_ms))
            ).one()
        return int(count), int(newest or 0)
