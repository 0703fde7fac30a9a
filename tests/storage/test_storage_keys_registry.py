"""Storage contract: API keys (hashed at rest) and the model registry (one active version, rollback)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from shopsense.storage import Database
from shopsense.storage import registry as registry_module
from shopsense.storage.keys import Role
from shopsense.storage.schema import api_keys

# ---- API keys -------------------------------------------------------------------------------------------


def test_created_keys_authenticate_with_their_role(db: Database) -> None:
    admin, admin_secret = db.keys.create(Role.ADMIN, "ops")
    client, client_secret = db.keys.create(Role.CLIENT, "web shop")
    assert admin_secret != client_secret
    assert db.keys.authenticate(admin_secret) == admin
    assert db.keys.authenticate(client_secret) == client
    assert (client.role, client.name, client.revoked) == (Role.CLIENT, "web shop", False)


def test_wrong_and_malformed_secrets_are_refused(db: Database) -> None:
    info, secret = db.keys.create(Role.ADMIN)
    forged = f"ss_{info.key_id}_{'A' * 32}"  # right key id, wrong random part
    for attempt in (forged, secret[:-1], secret + "x", "", "ss", "ss_", "ss__", "xx_" + secret[3:], info.key_id,
                    secret.upper(), "ss_000000000000_abc"):  # fmt: skip
        assert db.keys.authenticate(attempt) is None, attempt
    assert db.keys.authenticate(secret) == info


def test_revoked_keys_stop_working_and_are_listed_as_revoked(db: Database) -> None:
    keep, keep_secret = db.keys.create(Role.CLIENT, "keep")
    gone, gone_secret = db.keys.create(Role.CLIENT, "gone")
    assert db.keys.revoke(gone.key_id)
    assert db.keys.authenticate(gone_secret) is None
    assert db.keys.authenticate(keep_secret) == keep
    assert not db.keys.revoke("no-such-key")
    listed = {k.key_id: k for k in db.keys.list()}
    assert listed[gone.key_id].revoked and not listed[keep.key_id].revoked


def test_secrets_are_stored_only_as_sha256_hashes(db: Database) -> None:
    made = [db.keys.create(role, f"k{n}") for n, role in enumerate((Role.ADMIN, Role.CLIENT, Role.CLIENT))]
    with db.engine.connect() as connection:
        rows = connection.execute(select(api_keys)).mappings().all()
    assert len(rows) == 3
    at_rest = " ".join(str(value) for row in rows for value in row.values())
    for _, secret in made:
        random_part = secret.split("_", 2)[2]
        assert secret not in at_rest
        assert random_part not in at_rest
    hashes = {row["key_id"]: row["key_hash"] for row in rows}
    for info, secret in made:
        assert hashes[info.key_id] == hashlib.sha256(secret.encode()).hexdigest()


def test_key_list_carries_no_secret(db: Database) -> None:
    _, secret = db.keys.create(Role.ADMIN, "x")
    listed = db.keys.list()
    assert len(listed) == 1
    assert secret not in repr(listed)


# ---- model registry -------------------------------------------------------------------------------------


def _active(db: Database, name: str) -> list[str]:
    return [v.version for v in db.registry.versions(name) if v.active]


def test_register_activates_and_only_one_version_is_active(db: Database, tmp_path: Path) -> None:
    db.registry.register("popularity", "v1", tmp_path / "v1", {"hr@10": 0.1})
    db.registry.register("popularity", "v2", tmp_path / "v2", {"hr@10": 0.2})
    db.registry.register("popularity", "v3", tmp_path / "v3", {"hr@10": 0.3}, activate=False)
    db.registry.register("other", "v1", tmp_path / "o1", {})
    assert _active(db, "popularity") == ["v2"]
    assert _active(db, "other") == ["v1"]  # models do not affect each other
    active = db.registry.active("popularity")
    assert (active.version, active.path, active.metrics) == ("v2", tmp_path / "v2", {"hr@10": 0.2})
    assert [v.version for v in db.registry.versions("popularity")] == ["v1", "v2", "v3"]
    assert len(db.registry.versions()) == 4


def test_activate_switches_and_refuses_unknown_versions(db: Database, tmp_path: Path) -> None:
    for version in ("v1", "v2", "v3"):
        db.registry.register("m", version, tmp_path / version, {})
    assert db.registry.activate("m", "v1")
    assert _active(db, "m") == ["v1"]
    assert not db.registry.activate("m", "v9")
    assert _active(db, "m") == ["v1"]  # a failed activation leaves the active version in place
    assert not db.registry.activate("nope", "v1")


def test_rollback_walks_back_one_version_at_a_time(db: Database, tmp_path: Path) -> None:
    assert db.registry.rollback("m") is None  # nothing registered
    for version in ("v1", "v2", "v3"):
        db.registry.register("m", version, tmp_path / version, {})
    assert db.registry.rollback("m").version == "v2"
    assert _active(db, "m") == ["v2"]
    assert db.registry.rollback("m").version == "v1"
    assert db.registry.rollback("m") is None  # nothing before the first
    assert _active(db, "m") == ["v1"]


def test_rollback_without_an_active_version_does_nothing(db: Database, tmp_path: Path) -> None:
    db.registry.register("m", "v1", tmp_path, {}, activate=False)
    db.registry.register("m", "v2", tmp_path, {}, activate=False)
    assert db.registry.rollback("m") is None
    assert _active(db, "m") == []


def test_registering_a_version_twice_is_refused(db: Database, tmp_path: Path) -> None:
    db.registry.register("m", "v1", tmp_path, {})
    with pytest.raises(Exception):  # noqa: B017,PT011 - the backend's integrity error
        db.registry.register("m", "v1", tmp_path, {})
    assert len(db.registry.versions("m")) == 1


def test_rollback_follows_registration_order_within_one_millisecond(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Versions registered in the same millisecond keep registration order (not name order) for rollback."""
    monkeypatch.setattr(registry_module, "now_ms", lambda: 1_700_000_000_000)
    db.registry.register("m", "b-first", tmp_path, {})
    db.registry.register("m", "a-second", tmp_path, {})
    assert _active(db, "m") == ["a-second"]
    assert [v.version for v in db.registry.versions("m")] == ["b-first", "a-second"]
    assert db.registry.rollback("m").version == "b-first"
