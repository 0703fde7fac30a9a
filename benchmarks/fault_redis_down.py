"""Redis down under load: answers keep coming from the database; latency and errors before, during, after.

A real ``shopsense serve`` process uses a private ``redis-server`` as its shared cache
(``SHOPSENSE_REDIS_URL``: anonymous search answers, analytics, rate-limit counters) over an SQLite store
with a small trained shop. A reader thread cycles through search (anonymous and personal),
recommendations and analytics (each warmed up first); a writer sends event batches of 20; a probe reads /health/ready every
100 ms. After ``--before-seconds`` Redis is killed (SIGKILL), after ``--outage-seconds`` a new empty
Redis starts on the same port, and the load runs ``--after-seconds`` more.

Printed per period: requests, 2xx, errors by status, p50/p99 latency of the answered requests per
thread, the cache states /health/ready reported, and whether every acknowledged event is stored.

    python benchmarks/fault_redis_down.py [--outage-seconds 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fault_kit import RedisProcess, ServerProcess, prepare_store, stored_event_ids
from fault_load import EventLoad, ReadLoad, ReadyProbe, Window, window

PATHS = (
    "/v1/search?q=Fault test item&n=10",
    "/v1/search?q=brand1 item&n=10",
    "/v1/search?q=item 7&user_id=fu3&n=10",
    "/v1/users/fu1/recommendations?scenario=for_you&n=10",
    "/v1/items/fault-item-3/similar?n=5",
    "/v1/analytics/overview",
)


def run_redis_down(workdir: Path, *, before_s: float = 4.0, outage_s: float = 5.0, after_s: float = 4.0) -> dict:
    url = f"sqlite:///{workdir / 'store' / 'shopsense.db'}"
    _, client = prepare_store(url, train_in=workdir / "data")
    headers = {"X-API-Key": client}
    redis = RedisProcess(workdir / "redis")
    redis.start()
    server = ServerProcess(workdir / "data", url, env={"SHOPSENSE_REDIS_URL": redis.url})
    threads: list = []
    try:
        server.start()
        with httpx.Client(base_url=server.base, headers=headers, timeout=60) as http:
            for path in PATHS * 2:  # warm up: the text encoder loads on the first search
                http.get(path).raise_for_status()
        reads = ReadLoad(server.base, headers, PATHS, pause_s=0.01)
        writes = EventLoad(server.base, headers, batch=20, pause_s=0.1, users=100)
        probe = ReadyProbe(server.base, every_s=0.1)
        threads = [reads, writes, probe]
        for t in threads:
            t.start()
        started = time.monotonic()
        time.sleep(before_s)
        keys_before = redis.keys()
        down = time.monotonic()
        redis.stop()
        time.sleep(outage_s)
        redis.start()
        back = time.monotonic()
        time.sleep(after_s)
        keys_after = redis.keys()
        for t in threads:
            t.halt()
        end = time.monotonic()

        periods = {"before": (started, down), "redis_down": (down, back), "redis_back": (back, end)}
        figures: dict = {"redis_keys_before_kill": keys_before, "redis_keys_at_end": keys_after}
        for name, (a, b) in periods.items():
            figures[name] = {
                "seconds": round(b - a, 1),
                **{t.name: window("", t.outcomes, a, b).summary() for t in (reads, writes)},
                "ready": window("", probe.outcomes, a, b).summary()["errors"] or "all 200",
                "cache_states": sorted({body.get("cache", "?").split(":")[0] for body in probe.bodies_between(a, b)}),
            }
        back_to_redis = next((s for s, body in probe.bodies if s >= back and body.get("cache") == "redis"), None)
        figures["cache_back_to_redis_after_seconds"] = round(back_to_redis - back, 2) if back_to_redis else None
        figures["read_p50_ms_by_path"] = {  # before / redis down / redis back
            path: [Window("", [o for o in reads.outcomes if o.path == path and a <= o.started < b]).summary()["p50_ms"]
                   for a, b in periods.values()]
            for path in PATHS
        }  # fmt: skip
        stored = stored_event_ids(url, writes.acknowledged)
        figures["acknowledged_events"] = len(writes.acknowledged)
        figures["missing_acknowledged"] = len(writes.acknowledged) - len(stored)
        figures["unhandled_errors_logged"] = dict(server.unhandled_errors())
        return figures
    finally:
        for t in threads:
            if t.is_alive():
                t.halt()
        server.stop()
        redis.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before-seconds", type=float, default=4.0)
    parser.add_argument("--outage-seconds", type=float, default=5.0)
    parser.add_argument("--after-seconds", type=float, default=4.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shopsense-fault-redis-") as tmp:
        figures = run_redis_down(Path(tmp), before_s=args.before_seconds, outage_s=args.outage_seconds,
                                 after_s=args.after_seconds)  # fmt: skip
        print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
