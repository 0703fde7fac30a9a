"""Fuzzing the write routes with random JSON: bad input is never a 500, and errors always have the error shape."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopsense.config import load_settings
from shopsense.ingest.validate import EVENT_FIELDS
from shopsense.service.app import create_app
from shopsense.storage import open_database
from shopsense.storage.keys import Role
from shopsense.storage.scratch import scratch_postgres_database

_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(2**65), 2**65), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20), st.sampled_from(["", " ", "2023-05-01T10:00:00Z", "view", "search", "\u0000", "9" * 30]),
)  # fmt: skip
json_values = st.recursive(
    _leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)  # fmt: skip
big_ints = st.integers(min_value=2**63, max_value=2**200) | st.integers(max_value=-(2**63), min_value=-(2**200))

BASE_EVENT = {"event_id": "e", "user_id": "u1", "type": "view", "item_id": "i1", "timestamp": "2023-05-01T10:00:00Z"}
BASE_ITEM = {"item_id": "i1", "title": "Mug"}
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(
    scope="module",
    params=[pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)],
)
def fuzz_api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict, dict]]:
    """One app per backend for the whole module (hypothesis runs many examples against it)."""
    data_dir = tmp_path_factory.mktemp("fuzz")
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{data_dir / 'fuzz.db'}"
        else:
            server_url = request.getfixturevalue("postgres_server_url")
            url = stack.enter_context(scratch_postgres_database(server_url, prefix="test"))
        db = open_database(url)
        stack.callback(db.close)
        _, admin = db.keys.create(Role.ADMIN)
        _, client = db.keys.create(Role.CLIENT)
        with TestClient(create_app(load_settings(env={}, data_dir=data_dir), db), raise_server_exceptions=False) as http:
            yield http, {"X-API-Key": admin, "content-type": "application/json"}, {"X-API-Key": client, "content-type": "application/json"}


def _check(response) -> dict | None:  # noqa: ANN001 - httpx.Response
    assert response.status_code < 500, response.text
    body = response.json()
    if response.status_code >= 400:
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
        return None
    return body


def _mutated(base: dict, fields: tuple[str, ...]) -> st.SearchStrategy[dict]:
    """``base`` with one to three fields replaced by random JSON (or dropped), sometimes with an unknown field."""
    change = st.tuples(st.sampled_from(fields), json_values | st.just(...))
    return st.lists(change, min_size=1, max_size=3).map(
        lambda changes: {k: v for k, v in {**base, **dict(changes)}.items() if v is not ...}
    )


_event = st.one_of(
    _mutated(BASE_EVENT, (*EVENT_FIELDS, "junk")),
    _mutated(BASE_EVENT, ("timestamp", "value", "position", "event_id")),
    st.builds(lambda field, number: {**BASE_EVENT, field: number}, st.sampled_from(["timestamp", "value", "position"]), big_ints),
    st.dictionaries(st.sampled_from(EVENT_FIELDS), json_values, max_size=6),
    json_values,
)
_event_bodies = st.one_of(
    st.fixed_dictionaries({"events": st.lists(_event, max_size=6)}),
    st.fixed_dictionaries({"events": json_values}),
    json_values,
)


@SETTINGS
@given(body=_event_bodies, event_ids=st.lists(st.text(max_size=6), min_size=6, max_size=6))
def test_post_events_never_500(fuzz_api, body: object, event_ids: list[str]) -> None:  # noqa: ANN001
    http, _, client = fuzz_api
    if isinstance(body, dict) and isinstance(body.get("events"), list):  # fresh ids, so not everything is a duplicate
        body["events"] = [dict(e, event_id=i) if isinstance(e, dict) and e.get("event_id") == "e" else e
                          for e, i in zip(body["events"], event_ids, strict=False)]  # fmt: skip
    result = _check(http.post("/v1/events", content=json.dumps(body), headers=client))
    if result is not None:
        assert result["accepted"] + result["duplicate"] + result["rejected"] == len(body["events"])
        assert [r["index"] for r in result["results"]] == list(range(len(body["events"])))


@SETTINGS
@given(raw=st.binary(max_size=200))
def test_post_events_with_random_bytes_never_500(fuzz_api, raw: bytes) -> None:  # noqa: ANN001
    http, _, client = fuzz_api
    _check(http.post("/v1/events", content=raw, headers=client))


_item_fields = ("item_id", "title", "description", "category", "brand", "price", "currency", "shop_id", "attributes",
                "in_stock", "hidden", "created_at", "colour")  # fmt: skip
_item_bodies = st.one_of(
    st.fixed_dictionaries({"items": st.lists(_mutated(BASE_ITEM, _item_fields) | json_values, max_size=4)}),
    st.fixed_dictionaries({"items": json_values}),
    json_values,
)


@SETTINGS
@given(body=_item_bodies)
def test_put_items_never_500(fuzz_api, body: object) -> None:  # noqa: ANN001
    http, admin, _ = fuzz_api
    _check(http.put("/v1/items", content=json.dumps(body), headers=admin))


@SETTINGS
@given(body=st.one_of(st.fixed_dictionaries({"users": st.lists(_mutated({"user_id": "u1"}, ("user_id", "attributes", "created_at", "x")), max_size=3)}), json_values))
def test_put_users_never_500(fuzz_api, body: object) -> None:  # noqa: ANN001
    http, admin, _ = fuzz_api
    _check(http.put("/v1/users", content=json.dumps(body), headers=admin))


@SETTINGS
@given(item_id=st.text(min_size=1, max_size=140).filter(lambda s: "/" not in s), flags=json_values)
def test_item_reads_and_patches_never_500(fuzz_api, item_id: str, flags: object) -> None:  # noqa: ANN001
    http, admin, client = fuzz_api
    path = "/v1/items/" + quote(item_id, safe="")
    _check(http.get(path, headers=client))
    _check(http.patch(path, content=json.dumps(flags), headers=admin))
    _check(http.get("/v1/users/" + quote(item_id, safe="") + "/events", headers=client))
