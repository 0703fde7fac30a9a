"""``shopsense bench serve``: the real server under an open-loop HTTP load, beside the bare model's floor.

1. A fresh SQLite store in a temporary directory gets the data set (Amazon Beauty: 12k items, 22k users,
   198k events) and the models (``pipeline.train``), as a shop would have them.
2. Floor: in this process, the time of one bare ``model.recommend(user, 10)`` per personal model, and of
   one whole pipeline call (no HTTP), over sampled users' real histories.
3. ``shopsense serve`` starts as a separate process (uvicorn, one worker or ``workers`` processes, on
   SQLite or on a scratch PostgreSQL database, optionally with Redis) in its own session, as a daemon
   would run; after a warm-up, the load generator (``serving.loadgen``, another process, also
   in its own session) sends ``GET /v1/users/{id}/recommendations`` for
   sampled users at a fixed rate, open loop. With ``find_max`` the rate then steps up until p99 > 50 ms
   or an error (each step 15 s at most); the highest rate that kept p99 ≤ 50 ms, no errors, and the offered rate is the maximum
   sustained throughput.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from shopsense.config import load_settings
from shopsense.data.loaders import load_dataset
from shopsense.ingest.importer import import_dataset
from shopsense.models.base import UserContext
from shopsense.pipeline.train import load_events, train_models
from shopsense.service.server import wait_until_ready
from shopsense.serving.pipeline import RecommendationRequest, recommend
from shopsense.serving.runtime import Runtime
from shopsense.storage import Database, open_database
from shopsense.storage.keys import Role
from shopsense.storage.scratch import scratch_postgres_database

P99_LIMIT_MS = 50.0


@dataclass
class ServeBenchResult:
    setup: dict[str, Any]
    floor: dict[str, Any]
    runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def max_sustained(self) -> float | None:
        passing = [r["offered_rate"] for r in self.runs if _sustained(r, P99_LIMIT_MS)]
        return max(passing) if passing else None

    def to_json(self) -> dict[str, Any]:
        return {"setup": self.setup, "floor": self.floor, "runs": self.runs, "max_sustained_rate_p99_50ms": self.max_sustained}


def _sustained(run: dict[str, Any], p99_ms: float) -> bool:
    """No errors, every request answered, the offered rate kept (within 5 %), p99 within the limit."""
    return (run["errors"] == 0 and run["completed"] == run["requests"] and run["latency_ms"]["p99"] <= p99_ms
            and run["achieved_rate"] >= 0.95 * run["offered_rate"])  # fmt: skip


def _timings(call: Callable[[], Any], repeat: int) -> dict[str, float]:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    ms = np.asarray(seconds) * 1000
    return {"p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99)), "mean_ms": float(ms.mean())}


def measure_floor(db: Database, users: Sequence[str], k: int = 10, content_dir: Path | None = None) -> dict[str, Any]:
    """Bare top-k per personal model, and the in-process pipeline, over ``users`` (their real histories);
    with ``content_dir`` the pipeline has text recall, and the catalogue's embeddings are cached there."""
    runtime = Runtime(db, content_dir=content_dir)
    snapshot = runtime.snapshot
    contexts = []
    for user in users:
        actions = runtime.reads.recent_actions(user, 100)
        contexts.append(UserContext(user, tuple(a.item_id for a in reversed(actions) if a.item_id)))
    floor: dict[str, Any] = {}
    for served in snapshot.personal_models():
        it = iter(contexts * 2)
        floor[f"{served.slot}.recommend(k={k})"] = _timings(
            lambda model=served.model, it=it: model.recommend(next(it), k), len(contexts)
        )
    users_it = iter(list(users) * 2)
    floor["pipeline (no HTTP)"] = _timings(
        lambda: recommend(snapshot, runtime.reads, RecommendationRequest(next(users_it), n=k)), len(users)
    )
    return floor


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process and its live child processes (the uvicorn workers; Linux
    /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_cpu_seconds(int(child)) or 0.0 for child in children)


def _worker_rss_mb(pid: int) -> list[float]:
    """Resident memory (MB) of each serving process: the uvicorn workers, or the process itself when it
    has no children (Linux /proc; [] elsewhere)."""
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        rss = []
        for process in children or [pid]:
            status = Path(f"/proc/{process}/status").read_text()
            rss.append(int(status.split("VmRSS:")[1].split()[0]) / 1024)
        return [round(r, 1) for r in rss]
    except (OSError, IndexError):
        return []


def _load(base: str, secret: str, paths_file: Path, rate: float, duration: float, server_pid: int) -> dict[str, Any]:
    """One load-generator run; adds the server's CPU per request and the machine's load average, since
    other work on a small shared machine shows up in the latencies."""
    command = [sys.executable, "-m", "shopsense.serving.loadgen", "--url", base, "--paths", str(paths_file),
               "--header", f"X-API-Key: {secret}", "--rate", str(rate), "--duration", str(duration)]  # fmt: skip
    before = _cpu_seconds(server_pid)
    done = subprocess.run(command, capture_output=True, text=True, check=True, start_new_session=True)
    after = _cpu_seconds(server_pid)
    run = json.loads(done.stdout)
    if before is not None and after is not None and run["completed"]:
        run["server_cpu_ms_per_request"] = (after - before) * 1000 / run["completed"]
    run["load_average_1min"] = os.getloadavg()[0]
    return run


def bench_serve(
    data: Path, *, fmt: str = "s3rec", rate: float = 200, duration: float = 30, find_max: bool = True,
    models: Sequence[str] = ("popularity", "itemknn", "also_bought"), hyper_parameters: dict | None = None,
    port: int = 8766, users: int = 2000, workers: int = 1, postgres_url: str | None = None, redis_url: str = "",
    progress: Callable[[str], None] = print,
) -> ServeBenchResult:  # fmt: skip
    """``postgres_url`` names a PostgreSQL server: the store is a scratch database on it (dropped after)."""
    with (
        tempfile.TemporaryDirectory(prefix="shopsense-bench-serve-") as tmp,
        scratch_postgres_database(postgres_url, prefix="bench") if postgres_url else nullcontext(f"sqlite:///{tmp}/bench.db") as url,
    ):
        settings = load_settings(env={}, data_dir=Path(tmp), database_url=url)
        db = open_database(url)
        started = time.perf_counter()
        progress(f"importing {data.name}…")
        summary = import_dataset(db, load_dataset(fmt, data), rejects_path=Path(tmp) / "rejected.csv")
        progress(f"training {', '.join(models)}…")
        trained = train_models(db, settings, models, hyper_parameters)
        counts = db.catalog.counts()
        sample = np.random.default_rng(0).choice(sorted(load_events(db)["user_id"].unique()), users)
        setup = {"data": str(data), "events": summary.accepted, "items": counts["items"], "users": counts["users"],
                 "models": {t.name: t.metrics for t in trained}, "setup_seconds": round(time.perf_counter() - started, 1),
                 "workers": workers, "database": db.backend, "redis": bool(redis_url)}  # fmt: skip
        progress("measuring the floor (bare model top-k, in-process pipeline)…")
        # the server's text recall (when on) finds the catalogue's embeddings cached by this floor run
        text_recall = load_settings().text_recall
        setup["text_recall"] = text_recall
        content_dir = Path(tmp) / "search" / "embeddings" if text_recall else None
        result = ServeBenchResult(setup, measure_floor(db, list(sample[:500]), content_dir=content_dir))
        _, secret = db.keys.create(Role.CLIENT, "bench")
        db.close()
        paths_file = Path(tmp) / "paths.txt"
        paths_file.write_text("".join(f"/v1/users/{u}/recommendations?scenario=for_you&n=10\n" for u in sample))
        env = {**os.environ, "SHOPSENSE_DATA_DIR": tmp, "SHOPSENSE_DATABASE_URL": url, "SHOPSENSE_REDIS_URL": redis_url,
               "SHOPSENSE_RATE_LIMIT_PER_SECOND": "0"}  # one key drives the whole load: no per-key limit
        server = subprocess.Popen(
            [sys.executable, "-m", "shopsense.cli", "serve", "--port", str(port), "--workers", str(workers)], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_ready(base, time.monotonic() + 120, server)
            progress("warming up…")
            _load(base, secret, paths_file, min(rate, 100), 3, server.pid)
            step = rate
            while True:
                progress(f"{step:.0f} requests/s for {duration:.0f} s…")
                run = _load(base, secret, paths_file, step, duration, server.pid)
                result.runs.append(run)
                if not find_max or not _sustained(run, P99_LIMIT_MS):
                    break
                step, duration = step + (100 if step < 600 else 200), min(duration, 15.0)
            result.setup["worker_rss_mb"] = _worker_rss_mb(server.pid)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        return result
