"""Schemathesis fuzzing of every operation in the app's OpenAPI schema: no input ever gets a 5xx.

The app runs in-process (ASGI, no network) over a throw-away store of each backend (SQLite; PostgreSQL
when ``SHOPSENSE_TEST_POSTGRES_URL`` is set, which refuses NUL characters and 64-bit overflows that
SQLite takes), seeded with a few items, users and events (and a trained ``popularity`` model, so
recommendations are served), a segment, a synonym, a knowledge document and an experiment. Every
request carries the admin key, so each handler runs past authentication.

Budget: ``EXAMPLES`` cases per operation, generation mode (valid / schema-violating) and kind of path
(random parameters / the seeded objects' ids), derandomized (the same cases on every run; no example
database), shrinking off so a failure costs no extra time: at most about 1,900 requests, about 25 s per backend.
Operations run in a fixed order, reads first, then writes, and the destructive ones (``DELETE``,
``.../stop``, ``.../rollback``, ``.../activate``) last, so that a delete early on does not leave the
others fuzzing an empty store; the store is thrown away afterwards.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode
from schemathesis.python.asgi import shutdown_lifespans

from shopsense.config import load_settings
from shopsense.domain import Item, User
from shopsense.ingest.batch import ingest_events
from shopsense.pipeline.train import train_models
from shopsense.service.app import create_app
from shopsense.storage import open_database
from shopsense.storage.keys import Role
from shopsense.storage.scratch import scratch_postgres_database

EXAMPLES = 12  # per operation, generation mode (valid / invalid) and kind of path (random / seeded)
TIME_LIMIT_S = 150  # one backend's run; about 30 s on a busy 2-core machine
DESTRUCTIVE = ("/stop", "/rollback", "/activate")
SEEDED = {"item_id": "i1", "user_id": "u1", "doc_id": "returns", "scenario": "for_you", "rule_id": 1, "experiment_id": "exp"}
NAMES = {"/v1/analytics/": "funnel", "/v1/segments/": "north", "/v1/models/": "popularity"}  # what {name} means where


def _seed(db) -> None:  # noqa: ANN001 - a Database
    items = [Item(f"i{n}", title, category=(category,), brand=brand, price=price)
             for n, (title, category, brand, price) in enumerate([
                 ("Red mug", "Kitchen", "Acme", 8.5), ("Blue mug", "Kitchen", "Acme", 9.0),
                 ("Tea pot 茶壶", "Kitchen", "Yixing", 40.0), ("Garden hose", "Garden", "Hoser", 25.0),
                 ("Rake", "Garden", "Hoser", 15.0)])]  # fmt: skip
    db.catalog.upsert_items(items)
    db.catalog.upsert_users([User(f"u{n}", {"region": "north"}) for n in range(4)])
    start = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [{"event_id": f"e{u}-{n}", "user_id": f"u{u}", "type": kind, "item_id": f"i{(u + n) % 5}",
             "timestamp": (start + timedelta(hours=u * 10 + n)).isoformat()}
            for u in range(4) for n, kind in enumerate(["view", "add_to_cart", "purchase", "view"])]  # fmt: skip
    ingest_events(db, pd.DataFrame(rows))


@pytest.fixture(
    scope="module",
    params=[pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)],
)
def fuzzed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[schemathesis.schemas.BaseSchema, dict]]:
    data_dir = tmp_path_factory.mktemp("openapi-fuzz")
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{data_dir / 'fuzz.db'}"
        else:
            url = stack.enter_context(scratch_postgres_database(request.getfixturevalue("postgres_server_url"), prefix="test"))
        yield from _serve(url, data_dir)


def _serve(url: str, data_dir: Path) -> Iterator[tuple[schemathesis.schemas.BaseSchema, dict]]:
    db = open_database(url)
    app_settings = load_settings(env={}, data_dir=data_dir, rate_limit_per_second=0)
    _seed(db)
    train_models(db, app_settings, ["popularity"])
    _, admin = db.keys.create(Role.ADMIN, "fuzz")
    app = create_app(app_settings, db)
    headers = {"X-API-Key": admin}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)  # starts the app's lifespan
    client = schemathesis.python.asgi.get_client(app)
    with client:
        assert client.put("/v1/segments/north", json={"definition": {"field": "attributes.region", "op": "eq", "value": "north"}},
                          headers=headers).status_code in (200, 201)  # fmt: skip
        assert client.post("/v1/search/synonyms", json={"term": "mug", "synonyms": ["cup"]}, headers=headers).status_code == 201
        knowledge = {"documents": [{"doc_id": "returns", "markdown": "# Returns\n\nReturn within 30 days."}]}
        assert client.put("/v1/assistant/knowledge", json=knowledge, headers=headers).status_code == 200
        experiment = {"experiment_id": "exp", "scenario": "for_you", "variants": [{"name": "a"}, {"name": "b", "rules": {"diversity": 0.5}}]}
        assert client.post("/v1/experiments", json=experiment, headers=headers).status_code == 201, "seeding the experiment"
    yield schema, headers
    shutdown_lifespans()
    db.close()


def _order(operation) -> tuple[int, str]:  # noqa: ANN001 - an APIOperation
    path = operation.path
    if operation.method.upper() == "DELETE" or path.endswith(DESTRUCTIVE):
        rank = 2
    elif operation.method.upper() == "GET":
        rank = 0
    else:
        rank = 1
    return rank, f"{path} {operation.method}"


def _seeded_path(path: str) -> dict:
    """Path parameters naming the seeded objects, so handlers get past their 404s."""
    names = [name for prefix, name in NAMES.items() if path.startswith(prefix)]
    return {**SEEDED, "name": names[0] if names else "north"}


def test_no_operation_answers_with_a_server_error(fuzzed) -> None:  # noqa: ANN001
    schema, headers = fuzzed
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=_order)
    assert len(operations) > 40
    failures: list[str] = []
    started = time.monotonic()

    for operation in operations:
        paths = [None]
        if "{" in operation.path:
            wanted = set(re.findall(r"\{(\w+)\}", operation.path))
            paths.append({k: v for k, v in _seeded_path(operation.path).items() if k in wanted})
        strategies = [operation.as_strategy(mode, headers=headers, path_parameters=path)
                      for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) for path in paths]  # fmt: skip

        @settings(max_examples=EXAMPLES * len(strategies), derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(case=st.one_of(strategies))
        def fuzz(case) -> None:  # noqa: ANN001 - a schemathesis Case
            request = f"{case.method} {case.formatted_path} query={case.query!r} body={case.body!r}"[:1000]
            try:
                response = case.call(headers=headers)
            except Exception as exc:  # noqa: BLE001 - the in-process client re-raises what the app did not handle
                raise AssertionError(f"{request} -> {type(exc).__name__}: {exc}") from None
            assert response.status_code < 500, f"{request} -> {response.status_code} {response.text[:300]}"

        try:
            fuzz()
        except AssertionError as failure:
            failures.append(str(failure).split("\n")[0])
    elapsed = time.monotonic() - started
    assert not failures, f"{len(failures)} operation(s) gave a 5xx:\n" + "\n".join(failures)
    assert elapsed < TIME_LIMIT_S, f"the fuzz budget took {elapsed:.0f} s"
