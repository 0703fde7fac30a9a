"""Ingestion benchmarks: bulk import into a store, and HTTP batches against a real server process.

The HTTP benchmark starts ``shopsense serve`` as a separate process on a fresh SQLite store and drives
it with httpx from several client threads over loopback, so the figure includes JSON parsing,
authentication, validation and the database commit of every batch.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx

from shopsense.data.dataset import LoadedDataset
from shopsense.ingest.importer import ImportSummary, import_dataset
from shopsense.service.server import wait_until_ready
from shopsense.storage import open_database
from shopsense.storage.keys import Role


@dataclass(frozen=True)
class HttpIngestResult:
    events: int
    batches: int
    seconds: float
    accepted: int
    clients: int

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds


def bench_bulk_import(load: Callable[[], LoadedDataset], database_url: str, workdir: Path) -> ImportSummary:
    """Read a data set with ``load`` and import it into ``database_url`` (expected empty).

    The summary's time covers the whole job, reading and converting the source file included.
    """
    db = open_database(database_url)
    try:
        started = time.perf_counter()
        summary = import_dataset(db, load(), rejects_path=workdir / "rejected.csv")
        return replace(summary, seconds=time.perf_counter() - started)
    finally:
        db.close()


def _synthetic_batches(total: int, batch_size: int, run_id: str) -> list[bytes]:
    """Realistic mixed events (views, carts, purchases, searches) as ready-to-send JSON bodies."""
    import orjson

    kinds = ("view", "view", "view", "click", "add_to_cart", "purchase", "search", "favorite")
    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    bodies = []
    for first in range(0, total, batch_size):
        events = []
        for n in range(first, min(first + batch_size, total)):
            kind = kinds[n % len(kinds)]
            event = {"event_id": f"{run_id}-{n}", "user_id": f"u{n % 5_000}", "session_id": f"s{n // 20}",
                     "type": kind, "timestamp": start + n, "context": {"device": "mobile" if n % 3 else "desktop"}}  # fmt: skip
            if kind == "search":
                event["query"] = f"red shoes size {n % 12}"
            else:
                event["item_id"] = f"i{(n * 7919) % 20_000}"
            events.append(event)
        bodies.append(orjson.dumps({"events": events}))
    return bodies


def bench_http_ingest(
    total_events: int = 100_000, batch_size: int = 500, clients: int = 4, port: int = 8765, database_url: str = ""
) -> HttpIngestResult:
    """Start a server process, send ``total_events`` in batches from ``clients`` threads, time it."""
    with tempfile.TemporaryDirectory(prefix="shopsense-bench-") as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        db = open_database(url)
        _, secret = db.keys.create(Role.CLIENT, "bench")
        db.close()
        env = {**os.environ, "SHOPSENSE_DATA_DIR": tmp, "SHOPSENSE_DATABASE_URL": url}
        server = subprocess.Popen(
            [sys.executable, "-m", "shopsense.cli", "serve", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_ready(base, time.monotonic() + 30, server)
            bodies = _synthetic_batches(total_events, batch_size, run_id=f"b{time.time_ns()}")
            accepted = [0] * clients
            failures: list[str] = []

            def send(worker: int) -> None:
                headers = {"X-API-Key": secret, "Content-Type": "application/json"}
                with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                    for body in bodies[worker::clients]:
                        response = client.post("/v1/events", content=body)
                        if response.status_code != 200:
                            failures.append(f"{response.status_code}: {response.text[:200]}")
                            return
                        accepted[worker] += response.json()["accepted"]

            threads = [threading.Thread(target=send, args=(w,)) for w in range(clients)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.perf_counter() - started
            if failures:
                raise RuntimeError(f"server refused a batch: {failures[0]}")
            return HttpIngestResult(total_events, len(bodies), seconds, sum(accepted), clients)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
