"""``GET /v1/analytics/{name}``: the report's data, windows validated, unknown names 404, results cached per store state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from handworked_shop import ROWS, at, fill

from shopsense.analytics.frame import load_log
from shopsense.analytics.registry import ANALYSES, compute
from shopsense.config import load_settings
from shopsense.service.app import create_app
from shopsense.storage import Database
from shopsense.storage.keys import Role


@pytest.fixture
def http(db: Database, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A client over the hand-worked shop's store, with the headers of a client key."""
    fill(db)
    _, secret = db.keys.create(Role.CLIENT, "analytics test")
    with TestClient(create_app(load_settings(env={}, data_dir=tmp_path), db), raise_server_exceptions=False) as client:
        yield client, {"X-API-Key": secret}


def _error(response, status: int, code: str) -> dict:  # noqa: ANN001 - httpx.Response
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and set(error) == {"code", "message", "details"}
    return error


def test_every_analysis_is_served_as_the_report_has_it(http, db: Database) -> None:  # noqa: ANN001
    client, key = http
    assert client.get("/v1/analytics", headers=key).json() == {"names": list(ANALYSES)}
    log = load_log(db)
    for name in ANALYSES:
        response = client.get(f"/v1/analytics/{name}", headers=key)
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["name"], body["since"], body["until"]) == (name, None, None)
        if name != "clusters":  # too few users to cluster here, so nothing seeded to compare
            assert body["data"] == compute(log, name)
    log.close()


def test_the_window_filters_events(http) -> None:  # noqa: ANN001
    client, key = http
    body = client.get("/v1/analytics/overview?since=2024-01-09&until=2024-01-09", headers=key).json()
    assert (body["since"], body["until"], body["data"]["events"]) == ("2024-01-09", "2024-01-09", 2)  # e5, e6


@pytest.mark.parametrize("query", ["since=2024-13-01", "until=yesterday", "since=2024-02-01&until=2024-01-01"])
def test_bad_dates_are_422_in_the_error_shape(http, query: str) -> None:  # noqa: ANN001
    client, key = http
    error = _error(client.get(f"/v1/analytics/funnel?{query}", headers=key), 422, "invalid_input")
    assert error["details"]


def test_unknown_names_are_404_and_keys_are_required(http) -> None:  # noqa: ANN001
    client, key = http
    assert "overview" in _error(client.get("/v1/analytics/nope", headers=key), 404, "not_found")["message"]
    _error(client.get("/v1/analytics/overview"), 401, "unauthorized")


def test_new_events_are_seen_by_the_next_request(http, db: Database) -> None:  # noqa: ANN001
    client, key = http
    assert client.get("/v1/analytics/overview", headers=key).json()["data"]["events"] == len(ROWS)
    fill(db, [("late", "u9", "s9", "view", "i1", None, at(10, 1), None)])
    assert client.get("/v1/analytics/overview", headers=key).json()["data"]["events"] == len(ROWS) + 1


def test_one_load_serves_every_analysis_of_a_window(http, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    import shopsense.analytics.cache as cache

    loads = []
    monkeypatch.setattr(cache, "load_log", lambda *args: loads.append(args[1]) or load_log(*args))
    client, key = http
    for name in ("overview", "funnel", "overview", "heatmap"):
        assert client.get(f"/v1/analytics/{name}", headers=key).status_code == 200
    assert len(loads) == 1
    client.get("/v1/analytics/overview?until=2024-01-02", headers=key)
    client.get("/v1/analytics/overview", headers=key)  # both windows stay cached
    assert len(loads) == 2
    fill(db, [("late", "u9", "s9", "view", "i1", None, at(10, 1), None)])
    client.get("/v1/analytics/overview", headers=key)
    assert len(loads) == 3
