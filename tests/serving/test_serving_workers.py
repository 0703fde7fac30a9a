"""Several server processes (``shopsense serve --workers 2``) on one store serve consistent results, and a
new model version reaches every worker without a restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from serving_shop import build_shop

from shopsense.config import load_settings
from shopsense.pipeline.train import train_models
from shopsense.service.server import wait_until_ready
from shopsense.storage import Database
from shopsense.storage.keys import Role

WORKERS = 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(db: Database, database_url: str, tmp_path: Path, redis_server) -> Iterator[tuple[str, dict, Database, Path]]:  # noqa: ANN001
    data_dir = tmp_path / "data"
    build_shop(db, data_dir)
    _, client = db.keys.create(Role.CLIENT, "workers test")
    port = _free_port()
    env = {**os.environ, "SHOPSENSE_DATA_DIR": str(data_dir), "SHOPSENSE_DATABASE_URL": database_url,
           "SHOPSENSE_REDIS_URL": redis_server.url, "SHOPSENSE_TEXT_RECALL": "0"}  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "shopsense.cli", "serve", "--port", str(port), "--workers", str(WORKERS)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base, time.monotonic() + 90, server)
        yield base, {"X-API-Key": client}, db, data_dir
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _fresh_get(url: str, **kwargs: object) -> httpx.Response:
    """One request on a new connection, so the kernel may hand it to any worker."""
    with httpx.Client(timeout=10) as http:
        return http.get(url, **kwargs)


def test_workers_agree_and_follow_a_new_model_version(served) -> None:  # noqa: ANN001
    base, key, db, data_dir = served
    processes = set()
    for _ in range(200):
        processes.add(_fresh_get(f"{base}/health/ready").json()["process"])
        if len(processes) == WORKERS:
            break
    assert len(processes) == WORKERS, f"only {len(processes)} worker process(es) answered"

    url = f"{base}/v1/users/u1/recommendations"
    before = [_fresh_get(url, params={"n": 5}, headers=key).json() for _ in range(12)]
    assert len({tuple(i["item_id"] for i in r["items"]) for r in before}) == 1  # every worker, same answer
    old_versions = before[0]["models"]
    assert {"itemknn", "popularity"} <= set(old_versions), old_versions

    trained = {t.name: t.version for t in train_models(db, load_settings(env={}, data_dir=data_dir))}
    assert all(old_versions.get(name) != version for name, version in trained.items() if name in old_versions)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        after = [_fresh_get(url, params={"n": 5}, headers=key).json()["models"] for _ in range(12)]
        if all(all(m.get(name) == version for name, version in trained.items() if name in m) for m in after):
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"workers still serve {after} after 15 s; trained {trained}")
