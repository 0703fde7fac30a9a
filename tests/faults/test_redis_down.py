"""Redis down: results are still served, from the database, and /health/ready says the cache is degraded.

The app runs with a real private Redis (``redis_server``) as its shared cache (anonymous search answers,
analytics, rate-limit counters live there). Redis is killed; the same requests are answered 200 with the
same items as before, events are still accepted and stored, and /health/ready stays 200 with
``cache: "degraded: …"``. A Redis started again on the same port is used again within seconds.
"""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from fault_kit import RedisProcess, prepare_store, stored_event_ids

from shopsense.config import load_settings
from shopsense.service.app import create_app
from shopsense.storage import open_database

PATHS = (
    "/v1/search?q=Fault test item&n=10",  # anonymous: the answer is shared through Redis
    "/v1/search?q=item 3&user_id=fu1&n=10",
    "/v1/users/fu1/recommendations?scenario=for_you&n=10",
    "/v1/users/fu2/recommendations?scenario=trending&n=10",
    "/v1/items/fault-item-3/similar?n=5",
    "/v1/analytics/overview",
)


def _answers(http: TestClient, headers: dict[str, str]) -> dict[str, object]:
    """Per path the result that must not change: item ids of lists, else the whole JSON body."""
    found = {}
    for path in PATHS:
        response = http.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code, response.text)
        body = response.json()
        found[path] = [i["item_id"] for i in body["items"]] if "items" in body else body
    return found


def _events(tag: str, n: int = 20) -> list[dict]:
    return [{"event_id": f"redis-{tag}-{i}", "user_id": f"redis-user-{i % 3}", "type": "view",
             "item_id": f"fault-item-{i % 50}", "timestamp": "2026-11-01T10:00:00Z"} for i in range(n)]  # fmt: skip


def _send(http: TestClient, headers: dict[str, str], events: list[dict]) -> None:
    response = http.post("/v1/events", json={"events": events}, headers=headers)
    assert response.status_code == 200 and response.json()["accepted"] == len(events), response.text


def test_results_are_served_from_the_database_while_redis_is_down(redis_server, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store' / 'shopsense.db'}"
    data_dir = tmp_path / "data"
    _, client = prepare_store(url, train_in=data_dir)
    headers = {"X-API-Key": client}
    db = open_database(url)
    settings = load_settings(env={}, data_dir=data_dir, database_url=url, redis_url=redis_server.url, text_recall=False)
    revived = RedisProcess(tmp_path / "redis-again", port=redis_server.port)
    try:
        with TestClient(create_app(settings, db), raise_server_exceptions=False) as http:
            ready = http.get("/health/ready")
            assert ready.status_code == 200 and ready.json()["cache"] == "redis", ready.text
            _send(http, headers, _events("up"))
            before = _answers(http, headers)
            assert before["/v1/search?q=Fault test item&n=10"], before  # a non-empty list to compare
            assert _answers(http, headers) == before  # stable while nothing changes
            assert revived.keys() > 0  # Redis really held the shared entries

            redis_server.stop()
            assert _answers(http, headers) == before
            _send(http, headers, _events("down"))
            assert stored_event_ids(url, [e["event_id"] for e in _events("down")]) == {e["event_id"] for e in _events("down")}
            ready = http.get("/health/ready")
            assert ready.status_code == 200, ready.text  # the database is the system of record: still ready
            assert ready.json()["cache"].startswith("degraded"), ready.text

            revived.start()  # Redis is back (empty): the cache uses it again after its retry pause
            deadline = time.monotonic() + 10
            while http.get("/health/ready").json()["cache"] != "redis" and time.monotonic() < deadline:
                time.sleep(0.2)
            assert http.get("/health/ready").json()["cache"] == "redis"
            assert _answers(http, headers)["/v1/search?q=Fault test item&n=10"] == before["/v1/search?q=Fault test item&n=10"]
            assert revived.keys() > 0
    finally:
        revived.stop()
        db.close()
