"""The batch rebuild's model and reads, and the profile store's read-modify-write, on every backend."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from profile_shop import event, ingest

from shopsense.domain import User
from shopsense.profiles.enrich import SOURCE_COLUMNS
from shopsense.profiles.items import item_frame
from shopsense.profiles.log import read_events, read_items
from shopsense.profiles.model import MODEL_NAME, ProfileModel, active_model
from shopsense.profiles.params import ProfileParams
from shopsense.profiles.rebuild import rebuild_profiles
from shopsense.storage import Database

EVENTS = [
    event("e1", "alice", "purchase", "k2", 0, value=3, session_id="o1", context={"unit_price": 1.5}),
    event("e2", "alice", "view", "g1", 1, 2.5),
    event("e3", "bob", "search", None, 2, query="rake"),
    event("e4", "bob", "review", "g2", 3, text="不错"),
]


def test_fast_reads_equal_the_store_scans(shop_db: Database) -> None:
    ingest(shop_db, *EVENTS)
    reference = pd.concat(list(shop_db.events.iter_frames()), ignore_index=True)[list(SOURCE_COLUMNS)]
    fast = read_events(shop_db)
    order = ["event_id"]
    pd.testing.assert_frame_equal(
        fast.sort_values(order).reset_index(drop=True), reference.sort_values(order).reset_index(drop=True), check_dtype=False
    )
    pd.testing.assert_frame_equal(read_items(shop_db).sort_index(), item_frame(shop_db.catalog.iter_items()).sort_index())


def test_rebuild_activates_a_model_that_reads_use(shop_db: Database, tmp_path: Path) -> None:
    assert active_model(shop_db) == ProfileModel()  # nothing built yet
    ingest(shop_db, *EVENTS)
    summary = rebuild_profiles(shop_db, tmp_path / "models", ProfileParams(half_life_days=7))
    assert (summary.events, summary.users) == (4, 2)
    model = active_model(shop_db)
    assert model.version == summary.version == shop_db.registry.active(MODEL_NAME).version
    assert model.params.half_life_days == 7
    assert model.reference_ms == max(int(pd.Timestamp(e["timestamp"]).timestamp() * 1000) for e in EVENTS)
    assert sum(model.hour_shares) == pytest.approx(1) and len(model.weekday_shares) == 7
    assert ProfileModel.load(summary.model_path) == model
    shop_db.registry.register(MODEL_NAME, "lost", tmp_path / "nowhere", {})
    assert active_model(shop_db) == ProfileModel()  # files gone: profiles still work, with an empty model


def test_rebuild_keeps_fields_written_by_others(shop_db: Database, tmp_path: Path) -> None:
    ingest(shop_db, *EVENTS)
    stored = shop_db.profiles.get("alice")
    shop_db.profiles.put_many({"alice": {**stored, "scores": {"churn_risk": 0.5}}})
    shop_db.catalog.upsert_users([User("alice", {"segment": "vip"})])
    rebuild_profiles(shop_db, tmp_path / "models")
    rebuilt = shop_db.profiles.get("alice")
    assert rebuilt["scores"] == {"churn_risk": 0.5}
    assert rebuilt["attributes"] == {"segment": "vip"}
    ingest(shop_db, event("e9", "alice", "view", "k1", 5))
    assert shop_db.profiles.get("alice")["scores"] == {"churn_risk": 0.5}  # and so does the incremental update


def test_rebuild_of_an_empty_store(shop_db: Database, tmp_path: Path) -> None:
    summary = rebuild_profiles(shop_db, tmp_path / "models")
    assert (summary.events, summary.users) == (0, 0)
    assert active_model(shop_db).reference_ms is None


def test_update_reapplies_users_changed_by_a_concurrent_writer(shop_db: Database) -> None:
    profiles = shop_db.profiles
    profiles.put_many({"u1": {"n": 1}, "u2": {"n": 1}})
    calls: list[list[str]] = []

    def increment(users: list[str], stored: dict) -> dict:
        calls.append(users)
        if len(calls) == 1:  # another writer lands between this update's read and its write
            profiles.put_many({"u2": {"n": 10}})
        return {u: {"n": stored.get(u, {"n": 0})["n"] + 1} for u in users}

    profiles.update(["u1", "u2", "u3"], increment)
    assert calls == [["u1", "u2", "u3"], ["u2"]]
    assert profiles.get_many(["u1", "u2", "u3"]) == {"u1": {"n": 2}, "u2": {"n": 11}, "u3": {"n": 1}}


def test_attributes_of_users(shop_db: Database) -> None:
    shop_db.catalog.upsert_users([User("a", {"x": 1}), User("b")])
    assert shop_db.profiles.attributes(["a", "b", "c"]) == {"a": {"x": 1}, "b": {}}
