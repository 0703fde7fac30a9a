"""Fixtures: the real app over a fresh store of each backend, filled by ``privacy_shop.Shop.fill``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from privacy_shop import Shop, ShopFactory, StubAssistant

from shopsense.config import load_settings
from shopsense.search.live import SearchService
from shopsense.service.app import create_app
from shopsense.storage import Database
from shopsense.storage.keys import Role


@pytest.fixture
def make_shop(db: Database, tmp_path: Path) -> Iterator[ShopFactory]:
    """``make_shop(**settings)``: the app over ``db`` with these settings, filled (see ``Shop.fill``)."""
    clients: list[TestClient] = []

    def make(**settings: object) -> Shop:
        data_dir = tmp_path / "data"
        app = create_app(load_settings(env={}, data_dir=data_dir, text_recall=False, **settings), db)
        http = TestClient(app, raise_server_exceptions=False)
        http.__enter__()
        clients.append(http)
        app.state.search = SearchService(db, data_dir, dense=False)
        app.state.assistant = StubAssistant(db)
        _, admin = db.keys.create(Role.ADMIN, "test admin")
        _, client = db.keys.create(Role.CLIENT, "test client")
        shop = Shop(http, db, {"X-API-Key": admin}, {"X-API-Key": client}, data_dir)
        shop.fill()
        return shop

    yield make
    for http in clients:
        http.__exit__(None, None, None)


@pytest.fixture
def shop(make_shop: ShopFactory) -> Shop:
    return make_shop()


def assert_error(response, status: int, code: str, message_part: str = "") -> None:
    """The ARCHITECTURE.md error shape with this status, code and a message containing ``message_part``."""
    assert response.status_code == status, (response.status_code, response.text)
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"} and error["code"] == code, error
    assert message_part in error["message"], error["message"]


@pytest.fixture
def error_of():
    return assert_error
