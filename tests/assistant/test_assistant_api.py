"""The assistant over HTTP: chat in English and Chinese, knowledge upload, feedback, unanswered list, errors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from assistant_shop import fill_shop
from fastapi.testclient import TestClient

from shopsense.assistant.embeddings import Encoder
from shopsense.assistant.engine import Assistant
from shopsense.assistant.intents import IntentClassifier
from shopsense.config import load_settings
from shopsense.service.app import create_app
from shopsense.storage import Database
from shopsense.storage.keys import Role


@dataclass
class Api:
    http: TestClient
    admin: dict[str, str]
    client: dict[str, str]


@pytest.fixture
def api(db: Database, tmp_path: Path, encoder: Encoder, classifier: IntentClassifier) -> Iterator[Api]:
    fill_shop(db)
    app = create_app(load_settings(env={}, data_dir=tmp_path / "data"), db)
    app.state.assistant = Assistant(db, encoder=encoder, classifier=classifier, models_dir=tmp_path / "models")
    admin, client = (db.keys.create(role, "test")[1] for role in (Role.ADMIN, Role.CLIENT))
    with TestClient(app, raise_server_exceptions=False) as http:
        yield Api(http, {"X-API-Key": admin}, {"X-API-Key": client})


def assert_error(response, status: int, code: str, message_part: str = "") -> dict:  # noqa: ANN001 - httpx.Response
    """The ARCHITECTURE.md error shape with this status and code; returns the error object."""
    assert response.status_code == status, (response.status_code, response.text)
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"} and error["code"] == code, error
    assert message_part in error["message"], error["message"]
    return error


def chat(api: Api, message: str, session: str = "web-1", user: str = "alice") -> dict:
    response = api.http.post("/v1/assistant/chat", headers=api.client,
                             json={"user_id": user, "session_id": session, "message": message})  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json()


def test_chat_in_english_then_chinese_follow_up_with_sources_and_items(api: Api) -> None:
    first = chat(api, "How much is the Porcelain Teapot With Infuser?")
    assert set(first) == {"turn_id", "answer", "intent", "confidence", "sources", "items", "handoff", "generator"}
    assert first["intent"] == "product_question" and "£24.99" in first["answer"]
    assert first["sources"] == [{"kind": "catalog", "id": "TEAPOT-1", "title": "Porcelain Teapot With Infuser"}]
    assert first["items"][0]["price"] == 24.99 and first["generator"] == "template" and not first["handoff"]
    follow = chat(api, "那这个有货吗？")
    assert "TEAPOT-1" in follow["answer"] and "有货" in follow["answer"]


def test_complaint_hands_off_over_http(api: Api) -> None:
    body = chat(api, "I am very unhappy with your service, I want to file a complaint", session="angry")
    assert body["handoff"] is True and body["intent"] == "complaint"


def test_knowledge_upload_needs_admin_and_is_used_at_once(api: Api) -> None:
    document = {"doc_id": "payments", "title": "Payments", "markdown": "# Payment methods\nWe accept Visa, Mastercard and PayPal."}
    assert_error(api.http.put("/v1/assistant/knowledge", headers=api.client, json={"documents": [document]}), 403, "forbidden")
    response = api.http.put("/v1/assistant/knowledge", headers=api.admin, json={"documents": [document]})
    assert response.status_code == 200, response.text
    assert response.json()["documents"] == [{"doc_id": "payments", "title": "Payments", "sections": 1}]
    body = chat(api, "what payment methods do you accept?", session="pay")
    assert "PayPal" in body["answer"] and body["sources"][0] == {"kind": "knowledge", "id": "payments", "title": "Payments › Payment methods"}
    listed = api.http.get("/v1/assistant/knowledge", headers=api.client).json()["documents"]
    assert [d["doc_id"] for d in listed] == ["payments", "policies"]
    assert api.http.delete("/v1/assistant/knowledge/payments", headers=api.admin).status_code == 204
    assert_error(api.http.delete("/v1/assistant/knowledge/payments", headers=api.admin), 404, "not_found")


def test_feedback_is_stored_and_thumbs_down_lists_the_turn(api: Api) -> None:
    body = chat(api, "how long does delivery take?", session="fb")
    response = api.http.post("/v1/assistant/feedback", headers=api.client, json={"turn_id": body["turn_id"], "rating": "down"})
    assert response.status_code == 201, response.text
    listed = api.http.get("/v1/assistant/unanswered", headers=api.client).json()
    assert [(t["turn_id"], t["feedback"]) for t in listed] == [(body["turn_id"], -1)]
    missing = api.http.post("/v1/assistant/feedback", headers=api.client, json={"turn_id": "nope", "rating": "up"})
    assert_error(missing, 404, "not_found", "nope")


def test_feedback_stays_out_of_the_behaviour_event_log(api: Api, db: Database) -> None:
    """A thumb rates an answer, not an item: as a ``rating`` event it would train the recommenders (docs/assistant.md)."""
    before = db.events.count()
    for message, rating in (("how much is the Porcelain Teapot With Infuser?", "down"), ("how long does delivery take?", "up")):
        turn_id = chat(api, message, session="fb-events")["turn_id"]
        response = api.http.post("/v1/assistant/feedback", headers=api.client, json={"turn_id": turn_id, "rating": rating})
        assert response.status_code == 201, response.text
    assert db.events.count() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user_id": "u", "session_id": "s", "message": "   "}, "message"),
        ({"user_id": "", "session_id": "s", "message": "hi"}, "user_id"),
        ({"user_id": "u", "message": "hi"}, "session_id"),
        ({"user_id": "u", "session_id": "s", "message": "hi", "extra": 1}, "extra"),
    ],
)
def test_invalid_chat_requests_get_a_422_naming_the_field(api: Api, body: dict, field: str) -> None:
    error = assert_error(api.http.post("/v1/assistant/chat", headers=api.client, json=body), 422, "invalid_input")
    assert any(d["field"] == field for d in error["details"]), error


def test_chat_needs_a_key_and_limits_message_length(api: Api) -> None:
    body = {"user_id": "u", "session_id": "s", "message": "hi"}
    assert_error(api.http.post("/v1/assistant/chat", json=body), 401, "unauthorized")
    long = {**body, "message": "x" * 5_001}
    assert_error(api.http.post("/v1/assistant/chat", headers=api.client, json=long), 413, "payload_too_large", "5000")
