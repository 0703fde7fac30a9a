"""Two server processes sharing Redis: an analysis computed by one is served by the other, and never
outlives a change to the store."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from handworked_shop import at, fill

from shopsense.analytics.registry import ANALYSES
from shopsense.config import load_settings
from shopsense.service.app import create_app
from shopsense.storage import Database
from shopsense.storage.keys import Role


def test_a_second_process_serves_the_first_ones_analyses(db: Database, tmp_path: Path, redis_server) -> None:  # noqa: ANN001
    fill(db)
    _, secret = db.keys.create(Role.CLIENT, "analytics test")
    key = {"X-API-Key": secret}
    settings = load_settings(env={}, data_dir=tmp_path, redis_url=redis_server.url)
    with (
        TestClient(create_app(settings, db), raise_server_exceptions=False) as first,
        TestClient(create_app(settings, db), raise_server_exceptions=False) as second,
    ):
        computed = {name: first.get(f"/v1/analytics/{name}", headers=key).json() for name in ANALYSES}
        shared = {name: second.get(f"/v1/analytics/{name}", headers=key).json() for name in ANALYSES}
        assert shared == computed
        assert len(second.app.state.analytics_cache._entries) == 0  # nothing was loaded or computed there

        overview_before = computed["overview"]["data"]
        response = second.post("/v1/events", headers=key, json={"events": [
            {"event_id": "late-1", "user_id": "newcomer", "type": "view", "item_id": "i1", "timestamp": at(5, 12) // 1000},
        ]})  # fmt: skip
        assert response.status_code == 200 and response.json()["accepted"] == 1, response.text
        assert first.get("/v1/analytics/overview", headers=key).json()["data"] != overview_before
