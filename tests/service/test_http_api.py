"""The HTTP service on every backend: keys, event batches, catalogue routes, limits and the error shape."""

from __future__ import annotations

import json
import os
import re

import pytest

from shopsense.storage import open_database

TYPES = "add_to_cart, click, favorite, impression, purchase, rating, refund, remove_from_cart, review, search, view"
ADMIN_ROUTES = [("PUT", "/v1/items"), ("PUT", "/v1/users"), ("PUT", "/v1/shops"), ("PATCH", "/v1/items/x")]


def event(event_id: str, **changes: object) -> dict:
    return {"event_id": event_id, "user_id": "u1", "type": "view", "item_id": "i1",
            "timestamp": "2023-05-01T10:00:00Z", **changes}  # fmt: skip


def post_json(api, path: str, payload: object, headers: dict | None = None, method: str = "POST"):  # noqa: ANN001,ANN201
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return api.http.request(method, path, content=body, headers={"content-type": "application/json", **(headers or api.client)})


# ---- keys -------------------------------------------------------------------------------------------------


def _v1_operations(api) -> list[tuple[str, str]]:  # noqa: ANN001
    operations = []
    for path, methods in api.http.app.openapi()["paths"].items():
        if path.startswith("/v1/"):
            concrete = re.sub(r"\{[^}]+\}", "x", path)
            operations += [(method.upper(), concrete) for method in methods]
    return operations


def test_every_v1_route_refuses_requests_without_a_valid_key(api, error_of) -> None:  # noqa: ANN001
    operations = _v1_operations(api)
    assert {("POST", "/v1/events"), ("PUT", "/v1/items"), ("GET", "/v1/items/x"), ("PATCH", "/v1/items/x"),
            ("PUT", "/v1/users"), ("GET", "/v1/users/x/events")} <= set(operations)  # fmt: skip
    for method, path in operations:
        for headers in ({}, {"X-API-Key": "ss_000000000000_not-a-key"}, {"X-API-Key": ""}):
            response = api.http.request(method, path, content=b"{}", headers={"content-type": "application/json", **headers})
            error = error_of(response, 401, "unauthorized")
            assert "API key" in error["message"], (method, path, error)


def test_missing_and_invalid_keys_get_different_messages(api, error_of) -> None:  # noqa: ANN001
    error_of(api.http.get("/v1/items/x"), 401, "unauthorized", "missing API key: send it in the X-API-Key header")
    error_of(api.http.get("/v1/items/x", headers={"X-API-Key": "nope"}), 401, "unauthorized", "invalid or revoked API key")
    forged = api.client["X-API-Key"][:-4] + "AAAA"
    error_of(api.http.get("/v1/items/x", headers={"X-API-Key": forged}), 401, "unauthorized")


def test_revoked_keys_are_refused(api, error_of) -> None:  # noqa: ANN001
    key_id = api.client["X-API-Key"].split("_")[1]
    assert api.http.get("/v1/items/x", headers=api.client).status_code == 404
    api.db.keys.revoke(key_id)
    error_of(api.http.get("/v1/items/x", headers=api.client), 401, "unauthorized", "invalid or revoked API key")


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_client_keys_are_forbidden_on_admin_routes(api, error_of, method: str, path: str) -> None:  # noqa: ANN001
    response = post_json(api, path, {}, headers=api.client, method=method)
    error_of(response, 403, "forbidden", "this route needs an admin key")


def test_admin_keys_may_use_client_routes(api) -> None:  # noqa: ANN001
    response = post_json(api, "/v1/events", {"events": [event("e1")]}, headers=api.admin)
    assert response.status_code == 200
    assert api.http.get("/v1/users/u1/events", headers=api.admin).status_code == 200


def test_health_needs_no_key(api) -> None:  # noqa: ANN001
    assert api.http.get("/health/live").json() == {"status": "ok"}
    ready = api.http.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": api.db.backend, "cache": "memory", "process": os.getpid()}


def test_ready_is_503_when_the_schema_is_missing(database_url: str, tmp_path) -> None:  # noqa: ANN001
    from fastapi.testclient import TestClient

    from shopsense.config import load_settings
    from shopsense.service.app import create_app

    bare = open_database(database_url, migrate=False)
    try:
        with TestClient(create_app(load_settings(env={}, data_dir=tmp_path), bare)) as http:
            assert http.get("/health/live").status_code == 200
            ready = http.get("/health/ready")
            assert ready.status_code == 503
            assert ready.json() == {"status": "unavailable", "database": bare.backend, "cache": "memory", "process": os.getpid()}
    finally:
        bare.close()


# ---- POST /v1/events --------------------------------------------------------------------------------------


def test_a_batch_reports_each_event(api) -> None:  # noqa: ANN001
    batch = [
        event("e1"),
        event("e2", type="teleport"),
        event("e1"),  # repeated in the batch
        "not an object",
        event("e5", colour="red"),
        event("e6", user_id={"id": 1}),
        event("e7", type="rating", value=7),
        event("e8", type="search", item_id=None, query="blue mug"),
        event("e9", user_id="a\u0000b"),
        event("e10", position=2**31),
    ]
    response = post_json(api, "/v1/events", {"events": batch})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["duplicate"], body["rejected"]) == (2, 1, 7)
    results = body["results"]
    assert [r["index"] for r in results] == list(range(len(batch)))
    assert [(r["event_id"], r["status"]) for r in results] == [
        ("e1", "accepted"), ("e2", "rejected"), ("e1", "duplicate"), (None, "rejected"), ("e5", "rejected"),
        ("e6", "rejected"), ("e7", "rejected"), ("e8", "accepted"), ("e9", "rejected"), ("e10", "rejected"),
    ]  # fmt: skip
    reasons = {r["index"]: r["reason"] for r in results}
    assert reasons[0] is None and reasons[2] is None and reasons[7] is None
    assert reasons[1] == f"unknown event type 'teleport' (expected one of {TYPES})"
    assert reasons[3] == "event must be a JSON object"
    assert reasons[4] == "unknown fields: colour"
    assert reasons[5] == "only context may hold an object or a list"
    assert reasons[6] in ("rating 7 out of range 1-5", "rating 7.0 out of range 1-5")
    assert reasons[8] == "user_id contains a NUL character"
    assert reasons[9].startswith("position ") and reasons[9].endswith(" is not a non-negative integer")
    assert api.db.events.count() == 2

    again = post_json(api, "/v1/events", {"events": [event("e1"), event("e8", type="search", item_id=None, query="x")]})
    assert (again.json()["accepted"], again.json()["duplicate"]) == (0, 2)
    assert api.db.events.count() == 2


def test_numeric_ids_come_back_as_text(api) -> None:  # noqa: ANN001
    response = post_json(api, "/v1/events", {"events": [event(17, user_id=42, item_id=7.0, timestamp=1_682_935_200)]})
    assert response.json()["results"] == [{"index": 0, "event_id": "17", "status": "accepted", "reason": None}]
    [stored] = api.http.get("/v1/users/42/events", headers=api.client).json()["events"]
    assert (stored["event_id"], stored["item_id"]) == ("17", "7")


def test_an_empty_batch_is_fine(api) -> None:  # noqa: ANN001
    assert post_json(api, "/v1/events", {"events": []}).json() == {"accepted": 0, "duplicate": 0, "rejected": 0, "results": []}


def test_a_full_batch_of_1000_is_accepted_and_1001_is_413(api, error_of) -> None:  # noqa: ANN001
    full = post_json(api, "/v1/events", {"events": [event(f"e{n}") for n in range(1_000)]})
    assert full.status_code == 200 and full.json()["accepted"] == 1_000
    error_of(post_json(api, "/v1/events", {"events": [event(f"f{n}") for n in range(1_001)]}), 413,
             "payload_too_large", "1001 events in one batch; the limit is 1000")  # fmt: skip
    assert api.db.events.count() == 1_000


def _big_body() -> bytes:
    body = json.dumps({"events": [event("e1", context={"pad": "x" * 2_100_000})]}).encode()
    assert len(body) > 2_000_000
    return body


def test_a_body_over_2mb_is_413(api, error_of) -> None:  # noqa: ANN001
    error_of(post_json(api, "/v1/events", _big_body()), 413, "payload_too_large", "request body larger than 2000000 bytes")


def test_a_streamed_body_over_2mb_without_length_is_413(api, error_of) -> None:  # noqa: ANN001
    body = _big_body()
    chunks = (body[i : i + 65_536] for i in range(0, len(body), 65_536))
    response = api.http.post("/v1/events", content=chunks, headers={**api.client, "content-type": "application/json"})
    error_of(response, 413, "payload_too_large")
    assert api.db.events.count() == 0


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b'{"events": [', 400, "body is not valid JSON: "),
        (b"", 400, "body is not valid JSON: "),
        (b"\xff\xfe", 400, "body is not valid JSON: "),
        (b'{"events": [{"value": 1e400}]}', 400, "body is not valid JSON: "),
        (b"[]", 422, 'body must be a JSON object {"events": [...]}'),
        (b'"events"', 422, 'body must be a JSON object {"events": [...]}'),
        (b"42", 422, 'body must be a JSON object {"events": [...]}'),
        (b"null", 422, 'body must be a JSON object {"events": [...]}'),
        (b"{}", 422, 'body must be a JSON object {"events": [...]}'),
        (b'{"events": {}}', 422, "events must be a list"),
        (b'{"events": [], "extra": 1}', 422, "unknown top-level fields: extra"),
    ],
)
def test_malformed_event_bodies(api, error_of, body: bytes, status: int, message: str) -> None:  # noqa: ANN001
    error_of(post_json(api, "/v1/events", body), status, {400: "bad_request", 422: "invalid_input"}[status], message)


# ---- catalogue --------------------------------------------------------------------------------------------

MUG = {"item_id": "mug-1", "title": "Blue mug", "description": "300 ml", "category": ["Home", "Mugs"], "brand": "Acme",
       "price": 9.5, "currency": "EUR", "shop_id": "s1", "attributes": {"colour": "blue"}, "in_stock": True,
       "hidden": False, "created_at": "2023-03-01T12:00:00Z"}  # fmt: skip


def test_items_put_get_and_patch(api, error_of) -> None:  # noqa: ANN001
    response = post_json(api, "/v1/items", {"items": [MUG, {"item_id": "cup", "title": "Cup"}]}, api.admin, "PUT")
    assert response.json() == {"upserted": 2}
    got = api.http.get("/v1/items/mug-1", headers=api.client).json()
    assert got == {**MUG, "created_at": "2023-03-01T12:00:00Z"}
    cup = api.http.get("/v1/items/cup", headers=api.client).json()
    assert (cup["shop_id"], cup["category"], cup["price"], cup["in_stock"]) == ("default", [], None, True)

    patched = post_json(api, "/v1/items/mug-1", {"hidden": True}, api.admin, "PATCH").json()
    assert (patched["hidden"], patched["in_stock"], patched["title"]) == (True, True, "Blue mug")
    patched = post_json(api, "/v1/items/mug-1", {"in_stock": False}, api.admin, "PATCH").json()
    assert (patched["hidden"], patched["in_stock"]) == (True, False)
    error_of(post_json(api, "/v1/items/ghost", {"hidden": True}, api.admin, "PATCH"), 404, "not_found", "no item 'ghost'")
    error_of(post_json(api, "/v1/items/mug-1", {"hidden": "maybe"}, api.admin, "PATCH"), 422, "invalid_input")
    error_of(post_json(api, "/v1/items/mug-1", {"visible": True}, api.admin, "PATCH"), 422, "invalid_input")


def test_unknown_item_is_404(api, error_of) -> None:  # noqa: ANN001
    error_of(api.http.get("/v1/items/nothing-here", headers=api.client), 404, "not_found", "no item 'nothing-here'")
    error_of(api.http.get("/v1/items/%00", headers=api.client), 422, "invalid_input", "NUL")  # refused before any lookup


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"title": "no id"}, "items.1.item_id"),
        ({"item_id": "a"}, "items.1.title"),
        ({"item_id": "a", "title": ""}, "items.1.title"),
        ({"item_id": " a", "title": "t"}, "items.1.item_id"),
        ({"item_id": "a" * 129, "title": "t"}, "items.1.item_id"),
        ({"item_id": "a", "title": "t", "price": -1}, "items.1.price"),
        ({"item_id": "a", "title": "t", "price": "cheap"}, "items.1.price"),
        ({"item_id": "a", "title": "t", "category": ["Home", " "]}, "items.1.category"),
        ({"item_id": "a", "title": "t", "colour": "red"}, "items.1.colour"),
        ({"item_id": "a", "title": "t", "created_at": "last week"}, "items.1.created_at"),
        ({"item_id": "a", "title": "t\u0000"}, "items.1"),
        ({"item_id": "a", "title": "t", "attributes": {"k": "v\u0000"}}, "items.1"),
    ],
)
def test_invalid_items_are_422_with_the_field(api, error_of, item: dict, field: str) -> None:  # noqa: ANN001
    response = post_json(api, "/v1/items", {"items": [{"item_id": "ok", "title": "fine"}, item]}, api.admin, "PUT")
    error = error_of(response, 422, "invalid_input", "invalid request: ")
    assert field in [d["field"] for d in error["details"]], error["details"]
    assert all(set(d) == {"field", "message"} for d in error["details"])
    assert api.db.catalog.counts()["items"] == 0  # the batch is all or nothing


def test_repeated_ids_in_one_batch_are_422(api, error_of) -> None:  # noqa: ANN001
    items = [{"item_id": "a", "title": "1"}, {"item_id": "b", "title": "2"}, {"item_id": "a", "title": "3"}]
    error_of(post_json(api, "/v1/items", {"items": items}, api.admin, "PUT"), 422, "invalid_input",
             "item ids repeated in one batch: a")  # fmt: skip
    users = [{"user_id": "u"}, {"user_id": "u"}]
    error_of(post_json(api, "/v1/users", {"users": users}, api.admin, "PUT"), 422, "invalid_input",
             "user ids repeated in one batch: u")  # fmt: skip
    assert api.db.catalog.counts() == {"items": 0, "users": 0, "shops": 0}


def test_batches_over_1000_items_are_refused(api, error_of) -> None:  # noqa: ANN001
    items = [{"item_id": f"i{n}", "title": "t"} for n in range(1_001)]
    error = error_of(post_json(api, "/v1/items", {"items": items}, api.admin, "PUT"), 422, "invalid_input")
    assert [d["field"] for d in error["details"]] == ["items"]


def test_users_put_and_validation(api, error_of) -> None:  # noqa: ANN001
    users = [{"user_id": "u1", "attributes": {"age_band": "25-34"}, "created_at": "2022-01-01T00:00:00Z"}, {"user_id": "u2"}]
    assert post_json(api, "/v1/users", {"users": users}, api.admin, "PUT").json() == {"upserted": 2}
    assert api.db.catalog.get_user("u1").attributes == {"age_band": "25-34"}
    error = error_of(post_json(api, "/v1/users", {"users": [{"user_id": ""}]}, api.admin, "PUT"), 422, "invalid_input")
    assert [d["field"] for d in error["details"]] == ["users.0.user_id"]
    error = error_of(post_json(api, "/v1/users", {"users": [{"id": "u"}]}, api.admin, "PUT"), 422, "invalid_input")
    assert {"users.0.user_id", "users.0.id"} <= {d["field"] for d in error["details"]}


@pytest.mark.parametrize("path", ["/v1/items", "/v1/users"])
@pytest.mark.parametrize("body", [b"[]", b'"x"', b"null", b"{}"])
def test_non_object_or_empty_bodies_on_put_are_422(api, error_of, path: str, body: bytes) -> None:  # noqa: ANN001
    error_of(post_json(api, path, body, api.admin, "PUT"), 422, "invalid_input")


@pytest.mark.parametrize("path", ["/v1/items", "/v1/users"])
@pytest.mark.parametrize("body", [b'{"items": [', b"{bad json}", b""])
def test_malformed_json_on_put_is_400_like_on_post(api, error_of, path: str, body: bytes) -> None:  # noqa: ANN001
    if body == b"":
        error_of(post_json(api, path, body, api.admin, "PUT"), 422, "invalid_input")  # no body at all: a missing field
        return
    error_of(post_json(api, path, body, api.admin, "PUT"), 400, "bad_request", "body is not valid JSON")


def test_a_put_body_over_2mb_is_413(api, error_of) -> None:  # noqa: ANN001
    body = json.dumps({"items": [{"item_id": f"i{n}", "title": "x" * 900} for n in range(2_300)]}).encode()
    error_of(post_json(api, "/v1/items", body, api.admin, "PUT"), 413, "payload_too_large")


def test_a_streamed_put_body_over_2mb_is_413(api, error_of) -> None:  # noqa: ANN001
    body = json.dumps({"items": [{"item_id": f"i{n}", "title": "x" * 900} for n in range(2_300)]}).encode()
    chunks = (body[i : i + 65_536] for i in range(0, len(body), 65_536))
    response = api.http.put("/v1/items", content=chunks, headers={**api.admin, "content-type": "application/json"})
    error_of(response, 413, "payload_too_large")
    assert api.db.catalog.counts()["items"] == 0


def test_a_streamed_put_body_under_the_limit_works(api) -> None:  # noqa: ANN001
    body = json.dumps({"items": [{"item_id": f"i{n}", "title": "x" * 900} for n in range(500)]}).encode()
    chunks = (body[i : i + 65_536] for i in range(0, len(body), 65_536))
    response = api.http.put("/v1/items", content=chunks, headers={**api.admin, "content-type": "application/json"})
    assert response.json() == {"upserted": 500}


@pytest.mark.parametrize(("path", "key", "entry"), [("/v1/items", "items", {"item_id": "a", "title": "t"}),
                                                     ("/v1/users", "users", {"user_id": "a"})])  # fmt: skip
def test_huge_integers_in_attributes_are_422_not_500(api, error_of, path: str, key: str, entry: dict) -> None:  # noqa: ANN001
    response = post_json(api, path, {key: [{**entry, "attributes": {"n": 2**70}}]}, api.admin, "PUT")
    error = error_of(response, 422, "invalid_input", "attributes cannot be stored as JSON")
    assert error["details"][0]["field"] == f"{key}.0"


@pytest.mark.parametrize("stamp", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "3000-01-01T00:00:00Z"])
def test_created_at_out_of_range_is_422_and_reads_keep_working(api, error_of, stamp: str) -> None:  # noqa: ANN001
    put = post_json(api, "/v1/items", {"items": [{"item_id": "a", "title": "t", "created_at": stamp}]}, api.admin, "PUT")
    error_of(put, 422, "invalid_input", "created_at must be between 1970 and 2999")
    put = post_json(api, "/v1/users", {"users": [{"user_id": "u", "created_at": stamp}]}, api.admin, "PUT")
    error_of(put, 422, "invalid_input", "created_at must be between 1970 and 2999")
    error_of(api.http.get("/v1/items/a", headers=api.client), 404, "not_found")


@pytest.mark.parametrize("before", ["0001-01-01T00:00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_extreme_before_is_not_a_500(api, before: str) -> None:  # noqa: ANN001
    post_json(api, "/v1/events", {"events": [event("e1")]})
    response = api.http.get("/v1/users/u1/events", params={"before": before}, headers=api.client)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert [e["event_id"] for e in response.json()["events"]] == ([] if before.startswith("0001") else ["e1"])


# ---- a user's events --------------------------------------------------------------------------------------


def test_user_events_newest_first_with_limit_and_before(api, error_of) -> None:  # noqa: ANN001
    batch = [event(f"e{m}", timestamp=f"2023-05-01T10:{m:02d}:00Z", context={"m": m}) for m in (3, 0, 4, 1, 2)]
    batch.append(event("other", user_id="u2"))
    post_json(api, "/v1/events", {"events": batch})
    listed = api.http.get("/v1/users/u1/events", headers=api.client).json()
    assert listed["user_id"] == "u1"
    assert [e["event_id"] for e in listed["events"]] == ["e4", "e3", "e2", "e1", "e0"]
    first = listed["events"][0]
    assert first == {"event_id": "e4", "user_id": "u1", "session_id": None, "type": "view", "item_id": "i1",
                     "value": None, "query": None, "recomm_id": None, "position": None,
                     "timestamp": "2023-05-01T10:04:00Z", "context": {"m": 4}}  # fmt: skip
    limited = api.http.get("/v1/users/u1/events", params={"limit": 2}, headers=api.client).json()
    assert [e["event_id"] for e in limited["events"]] == ["e4", "e3"]
    before = api.http.get("/v1/users/u1/events", params={"before": "2023-05-01T10:03:00Z"}, headers=api.client).json()
    assert [e["event_id"] for e in before["events"]] == ["e2", "e1", "e0"]
    for bad in ({"limit": 0}, {"limit": 1_001}, {"limit": "many"}, {"before": "soon"}):
        error = error_of(api.http.get("/v1/users/u1/events", params=bad, headers=api.client), 422, "invalid_input")
        assert error["details"][0]["field"].startswith("query."), error
    error_of(api.http.get("/v1/users/nobody/events", headers=api.client), 404, "not_found", "no user 'nobody'")


def test_unknown_routes_and_methods_use_the_error_shape(api, error_of) -> None:  # noqa: ANN001
    error_of(api.http.get("/v1/nothing", headers=api.client), 404, "not_found")
    error_of(api.http.delete("/health/live"), 405, "method_not_allowed")
