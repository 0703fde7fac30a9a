"""Assistant routes: chat, the shop's knowledge documents, answer feedback and the questions left unanswered."""

from __future__ import annotations

import threading
from typing import Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, field_validator

from shopsense.assistant.adapters import ServingRelated, ShopSearchFinder
from shopsense.assistant.embeddings import Encoder
from shopsense.assistant.engine import Assistant
from shopsense.assistant.knowledge import split_sections
from shopsense.assistant.options import AssistantOptions
from shopsense.assistant.products import CoPurchases
from shopsense.assistant.store import KnowledgeDocument
from shopsense.service.auth import ADMIN, CLIENT, STOREFRONT
from shopsense.service.errors import ApiError
from shopsense.service.pseudonyms import stored_user_id
from shopsense.service.routes.recommendations import runtime_of
from shopsense.service.routes.search import service as search_service
from shopsense.service.schemas import StrictIn
from shopsense.service.user_tokens import vouch

router = APIRouter(prefix="/v1/assistant", tags=["assistant"])
_building = threading.Lock()
_ID = Field(min_length=1, max_length=128, pattern=r"^[^\x00]+$")


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


class ChatIn(StrictIn):
    user_id: str = _ID
    session_id: str = _ID
    message: str = Field(min_length=1, description="the shopper's message, Chinese or English")
    _blank = field_validator("message")(_not_blank)


class SourceOut(BaseModel):
    kind: str
    id: str
    title: str


class ItemOut(BaseModel):
    item_id: str
    title: str
    price: float | None
    currency: str
    in_stock: bool
    score: float
    source: str
    reason: str


class ChatOut(BaseModel):
    turn_id: str
    answer: str
    intent: str
    confidence: float
    sources: list[SourceOut]
    items: list[ItemOut]
    handoff: bool
    generator: str = Field(description="template, or the language model that worded the answer")


class DocumentIn(StrictIn):
    doc_id: str = _ID
    title: str = Field(default="", max_length=500)
    markdown: str = Field(min_length=1, max_length=1_000_000)
    _blank = field_validator("markdown")(_not_blank)


class KnowledgeIn(StrictIn):
    documents: list[DocumentIn] = Field(min_length=1, max_length=500)


class DocumentOut(BaseModel):
    doc_id: str
    title: str
    sections: int


class KnowledgeOut(BaseModel):
    documents: list[DocumentOut]


class FeedbackIn(StrictIn):
    turn_id: str = Field(min_length=1, max_length=32)
    rating: Literal["up", "down"]
    comment: str = Field(default="", max_length=2_000)


class FeedbackOut(BaseModel):
    feedback_id: str


class UnansweredOut(BaseModel):
    turn_id: str
    session_id: str
    user_id: str
    message: str
    answer: str
    intent: str
    confidence: float
    grounded: bool
    feedback: int = Field(description="net thumbs (up − down)")
    created_at: str | None


def assistant_of(request: Request) -> Assistant:
    """The app's assistant, built on first use (its indexes build lazily too)."""
    state = request.app.state
    with _building:
        if not hasattr(state, "assistant"):
            settings = state.settings
            state.assistant = Assistant(
                state.db, encoder=Encoder(settings.data_dir / "cache" / "assistant"),
                options=AssistantOptions.from_env(), models_dir=settings.models_dir,
                finder=ShopSearchFinder(search_service(request)),
                related=ServingRelated(runtime_of(request), CoPurchases(state.db.engine)),
            )  # fmt: skip
    return state.assistant


@router.post("/chat", response_model=ChatOut, summary="Ask the shopping assistant")
def chat(body: ChatIn, request: Request, _key=STOREFRONT) -> ChatOut:  # noqa: ANN001
    limit = request.app.state.settings.max_text_chars
    if len(body.message) > limit:
        raise ApiError(413, f"message is {len(body.message)} characters; the limit is {limit}")
    vouch(request, _key, [body.user_id], stored=False)
    reply = assistant_of(request).reply(stored_user_id(request, body.user_id), body.session_id, body.message)
    return ChatOut(
        turn_id=reply.turn_id, answer=reply.answer, intent=reply.intent, confidence=reply.confidence,
        sources=[SourceOut(**vars(s)) for s in reply.sources], items=[ItemOut(**vars(i)) for i in reply.items],
        handoff=reply.handoff, generator=reply.generator,
    )  # fmt: skip


def _documents_out(documents: list[KnowledgeDocument]) -> KnowledgeOut:
    return KnowledgeOut(documents=[DocumentOut(doc_id=d.doc_id, title=d.title, sections=len(split_sections(d))) for d in documents])


@router.put("/knowledge", response_model=KnowledgeOut, summary="Add or replace FAQ / policy documents (Markdown)")
def put_knowledge(body: KnowledgeIn, request: Request, _key=ADMIN) -> KnowledgeOut:  # noqa: ANN001
    ids = [d.doc_id for d in body.documents]
    if len(set(ids)) != len(ids):
        raise ApiError(422, "each doc_id may appear once per request", [{"field": "documents", "message": "duplicate doc_id"}])
    documents = [KnowledgeDocument(d.doc_id, d.title, d.markdown) for d in body.documents]
    empty = [d.doc_id for d in documents if not split_sections(d)]
    if empty:
        raise ApiError(422, f"documents without any text under their headings: {', '.join(empty)}")
    assistant_of(request).store.put_documents(documents)
    return _documents_out(documents)


@router.get("/knowledge", response_model=KnowledgeOut, summary="The knowledge documents")
def list_knowledge(request: Request, _key=CLIENT) -> KnowledgeOut:  # noqa: ANN001
    return _documents_out(assistant_of(request).store.documents())


@router.delete("/knowledge/{doc_id}", status_code=204, summary="Delete a knowledge document")
def delete_knowledge(doc_id: str, request: Request, _key=ADMIN) -> None:  # noqa: ANN001
    if not assistant_of(request).store.delete_document(doc_id):
        raise ApiError(404, f"no knowledge document {doc_id!r}")


@router.post("/feedback", response_model=FeedbackOut, status_code=201, summary="Thumbs up or down on an answer")
def feedback(body: FeedbackIn, request: Request, _key=STOREFRONT) -> FeedbackOut:  # noqa: ANN001
    store = assistant_of(request).store
    turn = store.get_turn(body.turn_id)
    if turn is None:
        raise ApiError(404, f"no assistant turn {body.turn_id!r}")
    vouch(request, _key, [turn.user_id], stored=True)  # only the asker may rate an answer
    return FeedbackOut(feedback_id=store.add_feedback(body.turn_id, 1 if body.rating == "up" else -1, body.comment))


@router.get("/unanswered", response_model=list[UnansweredOut], summary="Questions not grounded in a fact, or thumbed down")
def unanswered(request: Request, limit: int = Query(50, ge=1, le=1000), _key=CLIENT) -> list[UnansweredOut]:  # noqa: ANN001
    return [
        UnansweredOut(
            turn_id=t.turn_id, session_id=t.session_id, user_id=t.user_id, message=t.message, answer=t.answer,
            intent=t.intent, confidence=t.confidence, grounded=t.grounded, feedback=net,
            created_at=t.created_at.isoformat() if t.created_at else None,
        )  # fmt: skip
        for t, net in assistant_of(request).store.unanswered(limit)
    ]
