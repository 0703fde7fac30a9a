"""Anonymous searches are shared by the server processes through Redis; personal ones never are."""

from __future__ import annotations

from pathlib import Path

from search_fixtures import CATALOGUE
from fastapi.testclient import TestClient

from shopsense.config import load_settings
from shopsense.search.live import SearchService
from shopsense.service.app import create_app
from shopsense.storage import Database
from shopsense.storage.keys import Role


def test_a_second_process_serves_a_cached_anonymous_search(db: Database, tmp_path: Path, embeddings_home: Path, redis_server) -> None:  # noqa: ANN001, E501
    db.catalog.upsert_items(CATALOGUE)
    _, secret = db.keys.create(Role.CLIENT, "client")
    key = {"X-API-Key": secret}
    settings = load_settings(env={}, data_dir=tmp_path / "data", redis_url=redis_server.url)
    apps = [create_app(settings, db) for _ in range(2)]
    for app in apps:
        app.state.search = SearchService(db, embeddings_home, models_dir=settings.models_dir)
    with TestClient(apps[0]) as first, TestClient(apps[1]) as second:
        params = {"q": "cordless drill", "n": 5}
        computed = first.get("/v1/search", params=params, headers=key).json()
        snapshot = apps[1].state.search.current()  # built, as in a running process
        own_search, snapshot.search = snapshot.search, None  # computing a search in process 2 would now fail
        served = second.get("/v1/search", params=params, headers=key).json()
        assert served["items"] == computed["items"] and served["facets"] == computed["facets"]
        assert served["recomm_id"] != computed["recomm_id"]  # every answer is its own, for click attribution
        snapshot.search = own_search
        personal = second.get("/v1/search", params={**params, "user_id": "u1"}, headers=key)
        assert personal.status_code == 200 and personal.json()["items"]
    logged = apps[0].state.search.store.analytics(0, 2**62, 10)["top_queries"]
    assert logged[0]["searches"] == 3  # each answer was logged, cached or not
