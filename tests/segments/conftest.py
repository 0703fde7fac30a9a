"""Synthetic profiles (shaped like docs/profile-schema.md), a synthetic behaviour log with a known
signal, and an API client over a fresh database with one admin and one client key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from shopsense.config import load_settings
from shopsense.segments.features import DAY_MS
from shopsense.service.app import create_app
from shopsense.storage import Database
from shopsense.storage.events import EVENT_COLUMNS
from shopsense.storage.keys import Role

START_MS = 1_600_000_000_000 - 1_600_000_000_000 % DAY_MS  # a UTC midnight


def profile(user_id: str, **fields: Any) -> dict[str, Any]:
    """A profile document; keyword ``a__b=v`` sets ``doc["a"]["b"] = v``."""
    doc: dict[str, Any] = {"user_id": user_id}
    for name, value in fields.items():
        *parents, leaf = name.split("__")
        node = doc
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return doc


@pytest.fixture
def profiles() -> list[tuple[str, dict[str, Any]]]:
    """Five users with known fields: u1 champion kitchen lover, u2 loyal at risk, u3 new, u4 churned, u5 bare."""
    docs = [
        profile("u1", rfm__segment="champions", rfm__frequency=14, lifecycle__stage="active",
                activity__by_type={"purchase": 30, "view": 200}, activity__last_seen="2011-12-09T12:50:00Z",
                affinities__category={"Kitchen": 0.61, "Toys": 0.1}, scores__churn_risk=0.1,
                scores__propensity={"any": 0.8, "Kitchen": 0.7}, tags=[{"tag": "price-sensitive", "evidence": "80%"}],
                attributes={"country": "United Kingdom", "vip": True}),
        profile("u2", rfm__segment="loyal", rfm__frequency=6, lifecycle__stage="at_risk",
                activity__by_type={"purchase": 8}, activity__last_seen="2011-10-01T00:00:00+00:00",
                affinities__category={"Toys": 0.9}, scores__churn_risk=0.7, scores__propensity={"any": 0.3},
                attributes={"country": "France", "vip": 1}),
        profile("u3", rfm__segment="new", rfm__frequency=1, lifecycle__stage="new",
                activity__by_type={"view": 3}, activity__last_seen="2011-12-08",
                scores__churn_risk=0.4, attributes={"country": "United Kingdom"}),
        profile("u4", rfm__segment="lost", rfm__frequency="unknown", lifecycle__stage="churned",
                activity__last_seen="not a time", sentiment__mean=None, tags=[]),
        profile("u5"),
    ]  # fmt: skip
    return [(d["user_id"], d) for d in docs]


def synthetic_log(users: int = 400, days: int = 60, seed: int = 0) -> pd.DataFrame:
    """An event log (``EVENT_COLUMNS``) where half the users buy often (0.3/day) and half rarely (0.02/day).

    Frequent buyers buy Kitchen items (i0-i9), rare ones Toys (i10-i19); everyone views 3 items per
    purchase rate unit plus a little noise. So both "will buy" and "will buy Kitchen" are predictable.
    """
    rng = np.random.default_rng(seed)
    rate = np.where(np.arange(users) % 2 == 0, 0.3, 0.02)
    rows = []
    for kind, scale, noise in (("purchase", 1.0, 0.0), ("view", 3.0, 0.2)):
        counts = rng.poisson(rate[:, None] * scale + noise, size=(users, days))
        user, day = np.nonzero(counts)
        repeat = counts[user, day]
        user, day = np.repeat(user, repeat), np.repeat(day, repeat)
        kitchen = rate[user] > 0.1
        item = np.where(kitchen, rng.integers(0, 10, len(user)), rng.integers(10, 20, len(user)))
        ts = START_MS + day * DAY_MS + rng.integers(0, DAY_MS, len(user))
        rows.append(pd.DataFrame({"user_id": [f"u{u}" for u in user], "type": kind,
                                  "item_id": [f"i{i}" for i in item], "ts_ms": ts}))  # fmt: skip
    return events_frame(pd.concat(rows, ignore_index=True).sort_values("ts_ms", ignore_index=True))


def events_frame(core: pd.DataFrame) -> pd.DataFrame:
    """``core`` (user_id, type, item_id, ts_ms, optional value/context) completed to ``EVENT_COLUMNS``."""
    frame = core.copy()
    frame["event_id"] = [f"e{i}" for i in range(len(frame))]
    for name in EVENT_COLUMNS:
        if name not in frame:
            frame[name] = None
    frame["value"] = frame["value"].astype("float64")
    return frame[list(EVENT_COLUMNS)]


ITEM_CATEGORIES = {f"i{i}": (("Home", "Kitchen") if i < 10 else ("Toys",)) for i in range(20)}


@pytest.fixture
def synthetic() -> SimpleNamespace:
    """The synthetic-log helpers: ``log(users, days, seed)``, ``events(core)``, ``start_ms``, ``categories``."""
    return SimpleNamespace(log=synthetic_log, events=events_frame, start_ms=START_MS, categories=ITEM_CATEGORIES)


@dataclass
class Api:
    http: TestClient
    db: Database
    admin: dict[str, str]
    client: dict[str, str]


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    from shopsense.storage import open_database

    database = open_database(f"sqlite:///{tmp_path / 'store' / 'shopsense.db'}")
    yield database
    database.close()


@pytest.fixture
def api(sqlite_db: Database, tmp_path: Path, profiles: list) -> Iterator[Api]:
    sqlite_db.profiles.put_many(dict(profiles))
    _, admin = sqlite_db.keys.create(Role.ADMIN, "test admin")
    _, client = sqlite_db.keys.create(Role.CLIENT, "test client")
    settings = load_settings(env={}, data_dir=tmp_path / "data")
    with TestClient(create_app(settings, sqlite_db), raise_server_exceptions=False) as http:
        yield Api(http, sqlite_db, {"X-API-Key": admin}, {"X-API-Key": client})
