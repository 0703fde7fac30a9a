"""Pseudonymous user ids (SHOPSENSE_PSEUDONYMIZE_KEY): raw ids never stored, every lookup by raw id works."""

from __future__ import annotations

import pandas as pd
import pytest
from privacy_shop import USERS, Shop, ShopFactory, history, rows_about, user_columns
from sqlalchemy import select

from shopsense.config import load_settings
from shopsense.ingest.validate import Limits, validate_events
from shopsense.privacy.pseudonym import pseudonymize
from shopsense.storage.schema import deleted_users

KEY = "a-secret-key-of-some-length-0123456789"


@pytest.fixture
def hidden(make_shop: ShopFactory) -> Shop:
    return make_shop(pseudonymize_key=KEY)


def test_the_function() -> None:
    alias = pseudonymize(KEY, "alice")
    assert alias.startswith("ps-") and len(alias) == 67 and alias == pseudonymize(KEY, "alice")
    assert alias != pseudonymize("another key", "alice") and alias != pseudonymize(KEY, "alice ")
    assert pseudonymize(KEY, alias) == alias  # already a pseudonym: unchanged, so applying it twice is harmless
    assert pseudonymize("", "alice") == "alice"  # no key: ids are stored as given
    assert "a-secret" not in repr(load_settings(env={"SHOPSENSE_PSEUDONYMIZE_KEY": KEY}))
    assert load_settings(env={"SHOPSENSE_PSEUDONYMIZE_KEY": KEY}).pseudonymize_key == KEY


def test_raw_ids_are_validated_before_they_are_hashed() -> None:
    rows = pd.DataFrame([{"event_id": "e1", "user_id": "x" * 200, "type": "view", "item_id": "i", "timestamp": 1e9},
                         {"event_id": "e2", "user_id": 42, "type": "view", "item_id": "i", "timestamp": 1e9}])  # fmt: skip
    checked = validate_events(rows, Limits(pseudonymize_key=KEY))
    assert checked.rejected.tolist() == ["user_id longer than 128 characters"]
    assert checked.valid["user_id"].tolist() == [pseudonymize(KEY, "42")]


def test_raw_ids_never_reach_any_table(hidden: Shop) -> None:
    with hidden.db.engine.connect() as connection:
        for table, column in user_columns():
            for value in connection.execute(select(column).select_from(table)).scalars():
                assert value is None or value.startswith("ps-") or column is deleted_users.c.user_hash, (table.name, value)
    assert rows_about(hidden.db, "alice")["events.user_id"] == 0
    assert rows_about(hidden.db, pseudonymize(KEY, "alice"))["events.user_id"] == len(history("alice", 0))


def test_lookups_by_raw_id_work(hidden: Shop) -> None:
    alias = pseudonymize(KEY, "alice")
    profile = hidden.ok(hidden.http.get("/v1/users/alice/profile", headers=hidden.client))
    assert profile["user_id"] == alias and profile["attributes"] == {"region": "alice-land"}
    assert profile == hidden.ok(hidden.http.get(f"/v1/users/{alias}/profile", headers=hidden.client)) | {
        "updated_at": profile["updated_at"]}  # the pseudonym read back from ShopSense works too
    events = hidden.ok(hidden.http.get("/v1/users/alice/events", headers=hidden.client))["events"]
    assert len(events) == len(history("alice", 0))
    recommended = hidden.recommend("alice")
    assert recommended["user_id"] == alias and any("you" in i["reason"] for i in recommended["items"])
    similar = hidden.http.get("/v1/items/c0-i0/similar", params={"user_id": "alice"}, headers=hidden.client)
    assert hidden.ok(similar)["user_id"] == alias
    exported = hidden.ok(hidden.http.get("/v1/users/alice/export", headers=hidden.admin))
    assert exported["user_id"] == alias and len(exported["stores"]["assistant_turns"]) == 1
    assert len(exported["stores"]["search_log"]) == 1 and exported["segments"] == ["active"]


def test_deleting_by_raw_id_works_and_refuses_the_old_events(hidden: Shop) -> None:
    body = hidden.ok(hidden.http.delete("/v1/users/alice", headers=hidden.admin))
    assert body["user_id"] == pseudonymize(KEY, "alice") and body["deleted"]["events"] == len(history("alice", 0))
    assert not any(rows_about(hidden.db, pseudonymize(KEY, "alice")).values())
    assert rows_about(hidden.db, pseudonymize(KEY, "bob"))["events.user_id"] == len(history("bob", 1))
    again = hidden.send(history("alice", 0))
    assert again["accepted"] == 0 and all("user was deleted" in r["reason"] for r in again["results"])
    assert hidden.http.get("/v1/users/alice/profile", headers=hidden.client).status_code == 404
    assert {u: hidden.http.get(f"/v1/users/{u}/export", headers=hidden.admin).status_code for u in USERS} == {
        "alice": 404, "bob": 200}
