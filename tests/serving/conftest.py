"""Fixtures: the synthetic shop (serving_shop), trained, behind the real app, on each storage backend."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from serving_shop import build_shop

from shopsense.config import load_settings
from shopsense.service.app import create_app
from shopsense.storage import Database
from shopsense.storage.keys import Role


@dataclass
class ShopApi:
    http: TestClient
    db: Database
    admin: dict[str, str]  # headers with the admin key
    client: dict[str, str]  # headers with a client key
    data_dir: Path

    def recommend(self, user: str, **params: object) -> dict:
        response = self.http.get(f"/v1/users/{user}/recommendations", params=params, headers=self.client)
        assert response.status_code == 200, response.text
        return response.json()

    def ids(self, user: str, **params: object) -> list[str]:
        return [i["item_id"] for i in self.recommend(user, **params)["items"]]

    def send(self, *events: dict) -> None:
        response = self.http.post("/v1/events", json={"events": list(events)}, headers=self.client)
        assert response.status_code == 200 and response.json()["accepted"] == len(events), response.text


@pytest.fixture
def shop(db: Database, tmp_path: Path) -> Iterator[ShopApi]:
    data_dir = tmp_path / "data"
    build_shop(db, data_dir)
    _, admin = db.keys.create(Role.ADMIN, "test admin")
    _, client = db.keys.create(Role.CLIENT, "test client")
    app = create_app(load_settings(env={}, data_dir=data_dir, text_recall=False), db)  # test_serving_content turns it on
    with TestClient(app, raise_server_exceptions=False) as http:
        yield ShopApi(http, db, {"X-API-Key": admin}, {"X-API-Key": client}, data_dir)


def assert_error(response, status: int, code: str, message_part: str = "") -> None:  # noqa: ANN001 - httpx.Response
    """The ARCHITECTURE.md error shape with this status, code and a message containing ``message_part``."""
    assert response.status_code == status, (response.status_code, response.text)
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"} and error["code"] == code, error
    assert message_part in error["message"], error["message"]


@pytest.fixture
def error_of():  # noqa: ANN201 - returns the checker
    return assert_error
