"""Limits: per-key rate limiting (429 + Retry-After, shared across processes through Redis), CORS closed by
default, and bounded parameters (page sizes, string lengths, batch sizes) answered with 422/413."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from fastapi.testclient import TestClient

from shopsense.config import load_settings
from shopsense.service.app import create_app
from shopsense.service.ratelimit import RateLimit
from shopsense.sharedcache import LocalCache
from shopsense.storage import Database
from shopsense.storage.keys import Role

T = TypeVar("T")


@contextmanager
def served(db: Database, data_dir: Path, **settings: object) -> Iterator[TestClient]:
    with TestClient(create_app(load_settings(env={}, data_dir=data_dir, **settings), db), raise_server_exceptions=False) as http:
        yield http


def in_one_window(burst: Callable[[], T]) -> T:
    """Run ``burst`` from the start of a one-second window; again, at most twice more, when a busy machine
    let it spill into the next window (the limit counts per window, so such a burst proves nothing)."""
    for _ in range(3):
        time.sleep(1 - time.time() % 1)
        started = time.time()
        result = burst()
        if int(time.time()) == int(started):
            return result
    pytest.fail("three bursts in a row spilled over a one-second window: the machine is too busy for this test")


# ---- rate limiting -----------------------------------------------------------------------------------------


def test_a_key_over_its_limit_gets_429_with_retry_after(db: Database, tmp_path: Path, error_of) -> None:  # noqa: ANN001
    _, client = db.keys.create(Role.CLIENT)
    _, other = db.keys.create(Role.CLIENT)
    with served(db, tmp_path, rate_limit_per_second=3) as http:
        statuses, refused, fresh = in_one_window(lambda: (
            [http.get("/v1/items/x", headers={"X-API-Key": client}).status_code for _ in range(3)],
            http.get("/v1/items/x", headers={"X-API-Key": client}),
            http.get("/v1/items/x", headers={"X-API-Key": other}),  # another key counts on its own
        ))  # fmt: skip
        probes = [http.get("/health/live").status_code for _ in range(5)]  # never limited
        assert statuses == [404] * 3
        error_of(refused, 429, "rate_limited", "3 requests per second")
        assert refused.headers["retry-after"] == "1"
        assert fresh.status_code == 404
        assert probes == [200] * 5
        time.sleep(1.05)
        assert http.get("/v1/items/x", headers={"X-API-Key": client}).status_code == 404  # a new window


def test_requests_without_a_valid_key_are_counted_per_client_address(db: Database, tmp_path: Path, error_of) -> None:  # noqa: ANN001
    _, client = db.keys.create(Role.CLIENT)
    with served(db, tmp_path, rate_limit_per_second=2) as http:
        # made-up key ids do not open new buckets: all of these count against the address
        answers, refused = in_one_window(lambda: ([http.get("/v1/items/x", headers={"X-API-Key": f"ss_{n:012x}_forged"}) for n in range(2)],
                                                  http.get("/")))  # fmt: skip
        assert [a.status_code for a in answers] == [401, 401]
        error_of(refused, 429, "rate_limited")
        assert http.get("/v1/items/x", headers={"X-API-Key": client}).status_code == 404  # a real key is its own bucket


def test_zero_turns_rate_limiting_off(db: Database, tmp_path: Path) -> None:
    _, client = db.keys.create(Role.CLIENT)
    with served(db, tmp_path, rate_limit_per_second=0) as http:
        assert {http.get("/v1/items/x", headers={"X-API-Key": client}).status_code for _ in range(30)} == {404}


def test_the_default_limit_is_on_and_settable_from_the_environment() -> None:
    assert load_settings(env={}).rate_limit_per_second == 1_000
    assert load_settings(env={"SHOPSENSE_RATE_LIMIT_PER_SECOND": "0"}).rate_limit_per_second == 0


def test_workers_sharing_redis_share_the_limit(db: Database, tmp_path: Path, redis_server, error_of) -> None:  # noqa: ANN001
    """Two apps (as two worker processes would) over one Redis: the limit holds for their sum."""
    _, client = db.keys.create(Role.CLIENT)
    headers = {"X-API-Key": client}
    with served(db, tmp_path, rate_limit_per_second=3, redis_url=redis_server.url) as one, \
            served(db, tmp_path, rate_limit_per_second=3, redis_url=redis_server.url) as two:  # fmt: skip
        one.get("/health/live"), two.get("/health/live")  # connect before the timed burst
        answers = in_one_window(lambda: [one.get("/v1/items/x", headers=headers), two.get("/v1/items/x", headers=headers),
                                         one.get("/v1/items/x", headers=headers), two.get("/v1/items/x", headers=headers)])  # fmt: skip
        assert [a.status_code for a in answers[:3]] == [404, 404, 404]
        error_of(answers[3], 429, "rate_limited")


def test_the_limit_costs_microseconds_per_request(db: Database) -> None:
    """The check is on the hot path (p99 about 4 ms): a cached key lookup plus one counter increment."""
    _, secret = db.keys.create(Role.CLIENT)

    class State:
        pass

    app = State()
    app.state = State()
    app.state.db, app.state.shared = db, LocalCache()
    limiter = RateLimit(app=None, per_second=10**9)  # type: ignore[arg-type]
    scope = {"type": "http", "path": "/v1/x", "headers": [(b"x-api-key", secret.encode())], "client": ("10.0.0.1", 1), "app": app}
    limiter._bucket(scope)  # warm the key cache
    runs = 20_000
    started = time.perf_counter()
    for _ in range(runs):
        app.state.shared.hit(limiter._bucket(scope), 1)
    per_request_us = (time.perf_counter() - started) / runs * 1e6
    assert per_request_us < 50, f"{per_request_us:.1f} µs per request"


# ---- CORS --------------------------------------------------------------------------------------------------


def _preflight(http: TestClient, origin: str):  # noqa: ANN202
    return http.options("/v1/items/x", headers={"Origin": origin, "Access-Control-Request-Method": "GET",
                                                "Access-Control-Request-Headers": "X-API-Key"})  # fmt: skip


def test_cors_is_closed_by_default(db: Database, tmp_path: Path) -> None:
    _, client = db.keys.create(Role.CLIENT)
    with served(db, tmp_path) as http:
        assert "access-control-allow-origin" not in _preflight(http, "https://shop.example").headers
        simple = http.get("/v1/items/x", headers={"X-API-Key": client, "Origin": "https://shop.example"})
        assert not any(name.startswith("access-control-") for name in simple.headers)


def test_cors_allows_only_the_listed_origins(db: Database, tmp_path: Path) -> None:
    _, client = db.keys.create(Role.CLIENT)
    with served(db, tmp_path, cors_origins="https://shop.example, https://m.shop.example") as http:
        allowed = _preflight(http, "https://m.shop.example")
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://m.shop.example"
        assert "x-api-key" in allowed.headers["access-control-allow-headers"].lower()
        assert "access-control-allow-origin" not in _preflight(http, "https://evil.example").headers
        simple = http.get("/v1/items/x", headers={"X-API-Key": client, "Origin": "https://shop.example"})
        assert simple.headers["access-control-allow-origin"] == "https://shop.example"
        assert "access-control-allow-origin" not in http.get("/v1/items/x", headers={"Origin": "https://evil.example"}).headers


# ---- bounded parameters ------------------------------------------------------------------------------------


def test_the_event_batch_limit_comes_from_the_settings(db: Database, tmp_path: Path, error_of) -> None:  # noqa: ANN001
    _, client = db.keys.create(Role.CLIENT)
    events = [{"event_id": f"e{n}", "user_id": "u", "type": "view", "item_id": "i", "timestamp": "2026-01-01T00:00:00Z"}
              for n in range(6)]  # fmt: skip
    with served(db, tmp_path, max_batch_events=5) as http:
        error_of(http.post("/v1/events", json={"events": events}, headers={"X-API-Key": client}), 413, "payload_too_large", "limit is 5")
        assert http.post("/v1/events", json={"events": events[:5]}, headers={"X-API-Key": client}).json()["accepted"] == 5


@pytest.mark.parametrize(("method", "path", "body", "field"), [
    ("GET", "/v1/search?q=" + "x" * 501, None, "query.q"),
    ("GET", "/v1/search?q=mug&n=101", None, "query.n"),
    ("GET", "/v1/search?q=mug&page=1001", None, "query.page"),
    ("GET", "/v1/search?q=mug&filters=" + "a" * 2001, None, "query.filters"),
    ("GET", "/v1/suggest?q=" + "x" * 201, None, "query.q"),
    ("GET", "/v1/users/u/recommendations?n=101", None, "query.n"),
    ("GET", "/v1/users/u/recommendations?" + "&".join(["items=i"] * 101), None, "query.items"),
    ("GET", "/v1/users/u/events?limit=1001", None, "query.limit"),
    ("GET", "/v1/segments/s/users?page=100001", None, "query.page"),
    ("GET", "/v1/segments/s/users?page_size=10001", None, "query.page_size"),
    ("GET", "/v1/segments/s/users?fields=" + "a" * 2001, None, "query.fields"),
    ("GET", "/v1/assistant/unanswered?limit=1001", None, "query.limit"),
    ("DELETE", "/v1/search/synonyms/2147483648", None, "path.rule_id"),
    ("POST", "/v1/search/synonyms", {"term": "mug", "synonyms": ["c" * 201]}, "synonyms.0"),
    ("POST", "/v1/search/synonyms", {"term": "mug", "synonyms": ["cup"] * 51}, "synonyms"),
    ("PUT", "/v1/items", {"items": [{"item_id": f"i{n}", "title": "t"} for n in range(1001)]}, "items"),
    ("PUT", "/v1/items", {"items": [{"item_id": "i", "title": "t" * 1001}]}, "items.0.title"),
    ("PUT", "/v1/users", {"users": [{"user_id": f"u{n}"} for n in range(1001)]}, "users"),
    ("PUT", "/v1/assistant/knowledge", {"documents": [{"doc_id": f"d{n}", "markdown": "# a\nb"} for n in range(501)]}, "documents"),
    ("POST", "/v1/segments/preview", {"definition": {}, "sample": 101}, "sample"),
])  # fmt: skip
def test_out_of_bounds_parameters_are_422_naming_the_field(api, error_of, method: str, path: str, body: object, field: str) -> None:  # noqa: ANN001
    response = api.http.request(method, path, json=body, headers=api.admin)
    error = error_of(response, 422, "invalid_input")
    assert any(d["field"].startswith(field) for d in error["details"]), error


def test_deeply_nested_attributes_are_not_a_500(api) -> None:  # noqa: ANN001
    """A JSON value nested deeper than Python's recursion limit allows once crashed the NUL check."""
    deep = "[" * 600 + "]" * 600
    for path, body in (("/v1/items", '{"items": [{"item_id": "i", "title": "t", "attributes": {"x": DEEP}}]}'),
                       ("/v1/users", '{"users": [{"user_id": "u", "attributes": {"x": DEEP}}]}')):  # fmt: skip
        response = api.http.put(path, content=body.replace("DEEP", deep), headers={**api.admin, "content-type": "application/json"})
        assert response.status_code == 422, response.text


@pytest.mark.parametrize("url", ["/v1/users/%00/profile", "/v1/experiments/a%00b", "/v1/search?q=%00",
                                 "/v1/assistant/knowledge/%00", "/product/%00"])  # fmt: skip
def test_nul_characters_in_the_url_are_422(api, error_of, url: str) -> None:  # noqa: ANN001
    """PostgreSQL refuses NUL even as a bound parameter, so a NUL in a path or query once meant a 500 there."""
    error_of(api.http.get(url, headers=api.admin), 422, "invalid_input", "NUL")


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/v1/search/synonyms", {"term": "mug\x00", "synonyms": ["cup"]}),
    ("PUT", "/v1/segments/s", {"definition": {"field": "rfm.frequency", "op": "gt", "value": 1}, "description": "\x00"}),
    ("POST", "/v1/assistant/chat", {"user_id": "u", "session_id": "s", "message": "hi\x00"}),
    ("POST", "/v1/assistant/feedback", {"turn_id": "t", "rating": "up", "comment": "\x00"}),
    ("PUT", "/v1/assistant/knowledge", {"documents": [{"doc_id": "d", "title": "\x00", "markdown": "# a\n\nb"}]}),
])  # fmt: skip
def test_nul_characters_in_stored_text_are_422(api, error_of, method: str, path: str, body: dict) -> None:  # noqa: ANN001
    error_of(api.http.request(method, path, json=body, headers=api.admin), 422, "invalid_input", "NUL")
