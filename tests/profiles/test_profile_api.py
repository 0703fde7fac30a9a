"""GET /v1/users/{id}/profile on every backend: 200 with the documented shape, 404 and 401 with the error shape."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from profile_shop import event

from shopsense.config import load_settings
from shopsense.service.app import create_app
from shopsense.storage import Database
from shopsense.storage.keys import Role

SECTIONS = {"user_id", "attributes", "activity", "rfm", "lifecycle", "affinities", "purchase_cycle", "sentiment",
            "interests", "tags", "as_of", "updated_at"}  # fmt: skip


@pytest.fixture
def api(shop_db: Database, tmp_path: Path) -> Iterator[tuple[TestClient, dict, dict]]:
    _, admin = shop_db.keys.create(Role.ADMIN)
    _, client = shop_db.keys.create(Role.CLIENT)
    app = create_app(load_settings(env={}, data_dir=tmp_path / "data"), shop_db)
    with TestClient(app, raise_server_exceptions=False) as http:
        yield http, {"X-API-Key": admin}, {"X-API-Key": client}


def assert_error(response, status: int, code: str) -> None:  # noqa: ANN001 - httpx.Response
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code and body["error"]["message"]


def test_an_accepted_event_is_in_the_profile_at_once(api: tuple) -> None:
    http, _, client = api
    sent = [event("e1", "bob", "view", "k1"), event("e2", "bob", "purchase", "k3", 1, value=2, session_id="o1")]
    assert http.post("/v1/events", json={"events": sent}, headers=client).json()["accepted"] == 2
    response = http.get("/v1/users/bob/profile", headers=client)
    assert response.status_code == 200, response.text
    profile = response.json()
    assert SECTIONS <= set(profile) and "state" not in profile
    assert profile["activity"]["by_type"] == {"purchase": 1, "view": 1}
    assert profile["rfm"]["frequency"] == 1 and profile["rfm"]["monetary"] == 6.0
    assert profile["affinities"]["category"] == {"Home > Kitchen": 1.0}


def test_shop_attributes_and_fields_of_other_writers_come_through(api: tuple, shop_db: Database) -> None:
    http, admin, client = api
    http.post("/v1/events", json={"events": [event("e1", "carol", "view", "k1")]}, headers=client)
    assert http.put("/v1/users", json={"users": [{"user_id": "carol", "attributes": {"region": "EU"}}]}, headers=admin).status_code == 200
    stored = shop_db.profiles.get("carol")
    shop_db.profiles.put_many({"carol": {**stored, "scores": {"churn_risk": 0.25}}})
    profile = http.get("/v1/users/carol/profile", headers=client).json()
    assert profile["attributes"] == {"region": "EU"}
    assert profile["scores"] == {"churn_risk": 0.25}


def test_a_known_user_without_events_has_an_empty_profile(api: tuple) -> None:
    http, admin, client = api
    http.put("/v1/users", json={"users": [{"user_id": "dave", "attributes": {"age": "30-39"}}]}, headers=admin)
    profile = http.get("/v1/users/dave/profile", headers=client).json()
    assert profile["activity"]["events"] == 0 and profile["lifecycle"]["stage"] is None
    assert profile["attributes"] == {"age": "30-39"}


def test_unknown_user_is_404(api: tuple) -> None:
    http, _, client = api
    assert_error(http.get("/v1/users/nobody/profile", headers=client), 404, "not_found")


def test_a_key_is_needed(api: tuple) -> None:
    http, _, _ = api
    assert_error(http.get("/v1/users/bob/profile"), 401, "unauthorized")
    assert_error(http.get("/v1/users/bob/profile", headers={"X-API-Key": "ss_nope_nope"}), 401, "unauthorized")
