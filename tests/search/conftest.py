"""Search fixtures: a ShopSearch over the tiny catalogue, and an API client over it on each storage backend."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from search_fixtures import CATALOGUE, make_shop

from shopsense.config import load_settings
from shopsense.search.live import SearchService
from shopsense.search.shop import ShopSearch
from shopsense.service.app import create_app
from shopsense.storage import Database
from shopsense.storage.keys import Role


@pytest.fixture(scope="session")
def shop() -> ShopSearch:
    return make_shop()


@dataclass
class SearchApi:
    http: TestClient
    db: Database
    admin: dict[str, str]
    client: dict[str, str]

    def search(self, **params) -> dict:
        response = self.http.get("/v1/search", params=params, headers=self.client)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="session")
def embeddings_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data dir for the passage-vector cache of every API test: the catalogue is encoded once."""
    return tmp_path_factory.mktemp("search-embeddings")


@pytest.fixture
def search_api(db: Database, tmp_path: Path, embeddings_home: Path) -> Iterator[SearchApi]:
    settings = load_settings(env={}, data_dir=tmp_path / "data")
    _, admin = db.keys.create(Role.ADMIN, "admin")
    _, client = db.keys.create(Role.CLIENT, "client")
    app = create_app(settings, db)
    app.state.search = SearchService(db, embeddings_home, models_dir=settings.models_dir)
    with TestClient(app, raise_server_exceptions=False) as http:
        api = SearchApi(http, db, {"X-API-Key": admin}, {"X-API-Key": client})
        db.catalog.upsert_items(CATALOGUE)
        yield api


@pytest.fixture
def error_of():
    """Checks the ARCHITECTURE.md error shape, status and code; returns the error object."""

    def check(response, status: int, code: str) -> dict:
        assert response.status_code == status, (response.status_code, response.text)
        error = response.json()["error"]
        assert set(error) == {"code", "message", "details"} and error["code"] == code and error["message"]
        return error

    return check
