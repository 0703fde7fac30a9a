"""DELETE /v1/users/{id}: complete across every store, tombstoned against re-import, on each backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
from privacy_shop import USERS, Shop, history, rows_about, user_columns

from shopsense.ingest.batch import ingest_events
from shopsense.ingest.validate import validate_events
from shopsense.profiles.incremental import apply_new_events
from shopsense.storage import Database
from shopsense.storage.privacy import UserDataStore


def test_deletion_is_complete_across_every_store_and_spares_other_users(shop: Shop) -> None:
    covered = {t.name for t, _ in user_columns()}
    assert {"events", "users", "profiles", "impressions", "search_log", "assistant_turns"} <= covered
    before = {user: rows_about(shop.db, user) for user in USERS}
    held = {k for k, n in before["alice"].items() if n}
    assert held == {f"{t}.user_id" for t in ("events", "users", "profiles", "impressions", "search_log", "assistant_turns")} | {
        "assistant_feedback.turn_id"}  # every kind of data was put in

    response = shop.http.delete("/v1/users/alice", headers=shop.admin)
    body = shop.ok(response)
    assert body["user_id"] == "alice" and body["warnings"] == [] and body["previously_deleted_at"] is None
    assert body["deleted"]["events"] == len(history("alice", 0)) and body["deleted"]["users"] == 1
    assert all(body["deleted"][k.split(".")[0]] == before["alice"][k] for k in held)

    assert not any(rows_about(shop.db, "alice").values())
    assert rows_about(shop.db, "bob") == before["bob"]
    assert shop.db.profiles.get("alice") is None and shop.db.catalog.get_user("alice") is None
    for path in ("/v1/users/alice/profile", "/v1/users/alice/events"):
        assert shop.http.get(path, headers=shop.client).status_code == 404
    assert shop.http.get("/v1/users/bob/profile", headers=shop.client).status_code == 200


def test_recommendations_forget_the_history(shop: Shop) -> None:
    before = shop.recommend("alice")["items"]
    assert any("you" in i["reason"] for i in before)  # "Popular in Phone case, which you browse"
    assert not {i["item_id"] for i in before} & {"c0-i0", "c0-i1"}  # bought: left out
    shop.ok(shop.http.delete("/v1/users/alice", headers=shop.admin))
    after = shop.recommend("alice")["items"]
    assert after and all(i["source"] == "popularity" and "you" not in i["reason"] for i in after), after
    assert {"c0-i0", "c0-i1"} <= {i["item_id"] for i in after}  # nothing seen any more, so nothing left out


def test_old_events_are_refused_and_new_ones_accepted(shop: Shop) -> None:
    shop.ok(shop.http.delete("/v1/users/alice", headers=shop.admin))
    again = shop.send(history("alice", 0))
    assert again["rejected"] == again["results"].__len__() and again["accepted"] == 0
    assert all("user was deleted at" in r["reason"] for r in again["results"])

    # the same through ingest directly (the path of a file import), with row numbers kept
    frame = pd.DataFrame(history("alice", 0), index=range(7, 7 + len(history("alice", 0))))
    outcome = ingest_events(shop.db, frame)
    assert (outcome.status == "rejected").all() and sorted(outcome.reasons.index) == list(frame.index)

    fresh = history("alice", 0, start=datetime.now(UTC) + timedelta(seconds=1), prefix="new-")  # after the deletion
    accepted = shop.send(fresh)
    assert accepted["accepted"] == len(fresh), accepted
    assert shop.http.get("/v1/users/alice/profile", headers=shop.client).json()["activity"]["events"] == len(fresh)
    assert shop.db.events.user_events("alice", limit=100)[-1].event_id.startswith("new-")


def test_redelete_is_idempotent_and_unknown_users_are_404(shop: Shop, error_of) -> None:
    first = shop.ok(shop.http.delete("/v1/users/alice", headers=shop.admin))
    second = shop.ok(shop.http.delete("/v1/users/alice", headers=shop.admin))
    assert not any(second["deleted"].values()) and second["previously_deleted_at"] == first["deleted_at"]
    assert second["deleted_at"] >= first["deleted_at"]
    error_of(shop.http.delete("/v1/users/nobody", headers=shop.admin), 404, "not_found", "no user 'nobody'")
    error_of(shop.http.get("/v1/users/alice/export", headers=shop.admin), 404, "not_found", "deleted at")
    error_of(shop.http.delete("/v1/users/" + "x" * 300, headers=shop.admin), 404, "not_found")
    assert shop.db.events.user_events("nobody") == []


def test_only_admin_keys_may_export_or_delete(shop: Shop, error_of) -> None:
    error_of(shop.http.delete("/v1/users/alice", headers=shop.client), 403, "forbidden")
    error_of(shop.http.get("/v1/users/alice/export", headers=shop.client), 403, "forbidden")
    error_of(shop.http.delete("/v1/users/alice"), 401, "unauthorized")
    assert shop.db.catalog.get_user("alice") is not None


def test_a_profile_update_racing_the_deletion_does_not_bring_the_profile_back(db: Database) -> None:
    """Events stored, then the user deleted, then the (late) profile update of those events: no profile."""
    frame = validate_events(pd.DataFrame(history("dave", 0))).valid
    assert db.events.add(frame) == set(frame["event_id"])
    assert UserDataStore(db.engine).delete("dave") is not None
    apply_new_events(db, frame)
    assert db.profiles.get("dave") is None and not any(rows_about(db, "dave").values())
