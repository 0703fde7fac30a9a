"""An API client over a fresh database of each backend, with one admin, one client and one storefront key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shopsense.config import load_settings
from shopsense.service.app import create_app
from shopsense.storage import Database
from shopsense.storage.keys import Role


@dataclass
class Api:
    http: TestClient
    db: Database
    admin: dict[str, str]  # headers carrying the admin key
    client: dict[str, str]  # headers carrying a client key
    storefront: dict[str, str] = field(default_factory=dict)  # headers carrying a storefront key


def make_api(db: Database, data_dir: Path, env: dict[str, str] | None = None) -> Iterator[Api]:
    """``env``: ``SHOPSENSE_*`` settings for the app (none by default)."""
    settings = load_settings(env=env or {}, data_dir=data_dir)
    _, admin = db.keys.create(Role.ADMIN, "test admin")
    _, client = db.keys.create(Role.CLIENT, "test client")
    _, storefront = db.keys.create(Role.STOREFRONT, "test storefront")
    with TestClient(create_app(settings, db), raise_server_exceptions=False) as http:
        yield Api(http, db, {"X-API-Key": admin}, {"X-API-Key": client}, {"X-API-Key": storefront})


@pytest.fixture
def api(db: Database, tmp_path: Path) -> Iterator[Api]:
    yield from make_api(db, tmp_path / "data")


def assert_error(response, status: int, code: str, message_part: str = "") -> dict:  # noqa: ANN001 - httpx.Response
    """The response is the ARCHITECTURE.md error shape with this status and code; returns the error object."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], list)
    assert message_part in error["message"], error["message"]
    return error


@pytest.fixture
def error_of():  # noqa: ANN201 - returns the checker
    return assert_error
