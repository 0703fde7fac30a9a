"""Export of everything held about a user; the shared cache (a real Redis); file re-imports; the CLI."""

from __future__ import annotations

import csv
from pathlib import Path

import orjson
import pandas as pd
import redis
from privacy_shop import EXPERIMENT, Shop, ShopFactory, history
from typer.testing import CliRunner

from shopsense.data.dataset import LoadedDataset
from shopsense.domain import User
from shopsense.ingest.importer import import_dataset, import_file


def test_export_holds_every_kind_of_data_put_in_and_nothing_of_others(shop: Shop) -> None:
    document = shop.ok(shop.http.get("/v1/users/alice/export", headers=shop.admin))
    stores = document["stores"]
    assert document["user_id"] == "alice" and document["exported_at"]
    assert sorted(e["event_id"] for e in stores["events"]) == sorted(e["event_id"] for e in history("alice", 0))
    assert {e["type"] for e in stores["events"]} == {"view", "purchase", "search", "review"}
    review = next(e for e in stores["events"] if e["type"] == "review")
    assert review["context"] == {"text": "alice loves it"}  # JSON columns come back as JSON
    assert stores["users"][0]["attributes"] == {"region": "alice-land"}
    assert stores["profiles"][0]["profile"]["activity"]["events"] == len(history("alice", 0))
    assert document["profile"]["user_id"] == "alice" and document["profile"]["attributes"] == {"region": "alice-land"}
    assert stores["impressions"] and {r["scenario"] for r in stores["impressions"]} == {"for_you"}
    assert document["experiments"][0]["experiment_id"] == EXPERIMENT["experiment_id"]
    assert document["segments"] == ["active"]
    assert [r["query"] for r in stores["search_log"]] == ["shoe"]
    assert [t["message"] for t in stores["assistant_turns"]] == ["when does my order ship?"]
    assert [f["comment"] for f in stores["assistant_feedback"]] == ["thanks from alice"]
    assert b"bob" not in orjson.dumps(document)


def test_cached_results_leave_a_real_redis(make_shop: ShopFactory, redis_server) -> None:
    shop = make_shop(redis_url=redis_server.url)
    shared = shop.http.app.state.shared
    for user in ("alice", "bob"):
        shared.set(f"user:{user}:for_you:10", b"[...]", 300)
        shared.set(f"user:{user}:similar:5", b"[...]", 300)
    body = shop.ok(shop.http.delete("/v1/users/alice", headers=shop.admin))
    assert body["cache_entries"] == 2 and body["warnings"] == []
    direct = redis.Redis.from_url(redis_server.url)
    assert direct.keys("*user:alice:*") == [] and len(direct.keys("*user:bob:*")) == 2
    direct.close()

    redis_server.stop()  # an outage: the database part still completes, and the answer says what remains
    body = shop.ok(shop.http.delete("/v1/users/bob", headers=shop.admin))
    assert body["cache_entries"] is None and "until their TTL ends" in body["warnings"][0]
    assert body["deleted"]["events"] == len(history("bob", 1)) and shop.db.catalog.get_user("bob") is None


def test_reimporting_a_deleted_users_file_is_refused_row_by_row(shop: Shop, tmp_path: Path) -> None:
    source = tmp_path / "old.jsonl"
    rows = history("alice", 0) + history("carol", 0)
    pd.DataFrame(rows).to_json(source, orient="records", lines=True)
    shop.ok(shop.http.delete("/v1/users/alice", headers=shop.admin))
    summary = import_file(shop.db, source, "jsonl", rejects_path=tmp_path / "rejects.csv")
    alice_rows = len(history("alice", 0))
    assert (summary.accepted, summary.rejected) == (len(rows) - alice_rows, alice_rows)
    with (tmp_path / "rejects.csv").open(encoding="utf-8") as handle:
        rejected = list(csv.DictReader(handle))
    assert [int(r["row"]) for r in rejected] == list(range(1, alice_rows + 1))  # the file's line numbers
    assert all("user was deleted at" in r["reason"] for r in rejected)
    assert shop.db.events.user_events("alice") == [] and shop.db.catalog.get_user("alice") is None


def test_reimporting_a_data_set_brings_back_neither_events_nor_user_row(shop: Shop, tmp_path: Path) -> None:
    shop.ok(shop.http.delete("/v1/users/alice", headers=shop.admin))
    events = pd.DataFrame(history("alice", 0) + history("carol", 1), index=range(1, 1 + 2 * len(history("x", 0))))
    dataset = LoadedDataset("old-shop", events, users=[User("alice", {"region": "x"}), User("carol", {"region": "y"})])
    summary = import_dataset(shop.db, dataset, rejects_path=tmp_path / "rejects.csv")
    assert (summary.accepted, summary.rejected) == (len(history("carol", 1)), len(history("alice", 0)))
    assert shop.db.catalog.get_user("alice") is None and shop.db.catalog.get_user("carol").attributes == {"region": "y"}


def test_the_users_commands(shop: Shop, database_url: str, tmp_path: Path, clean_env: dict) -> None:
    from shopsense.cli import users  # noqa: F401 - registers the command
    from shopsense.cli.app import app

    def run(*args: str, stdin: str | None = None):
        options = ["--data-dir", str(tmp_path / "cli"), "--database-url", database_url]
        return CliRunner().invoke(app, [*options, *args], input=stdin)

    out = tmp_path / "alice.json"
    exported = run("users", "export", "alice", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    assert orjson.loads(out.read_bytes())["user_id"] == "alice"
    refused = run("users", "delete", "alice", stdin="n\n")
    assert refused.exit_code != 0 and shop.db.catalog.get_user("alice") is not None
    deleted = run("users", "delete", "alice", "--yes")
    assert deleted.exit_code == 0, deleted.output
    assert "events" in deleted.output and shop.db.catalog.get_user("alice") is None
    missing = run("users", "export", "nobody", "--out", str(out))
    assert missing.exit_code == 2 and "no user 'nobody'" in missing.output
