"""``kill -9`` a server during sustained ingestion: every acknowledged event is stored after a restart.

A real ``shopsense serve`` process takes back-to-back ``POST /v1/events`` batches from ``writers`` client
threads. After ``load_s`` seconds, at a moment when a batch is on the wire, the server's process group
gets SIGKILL (no shutdown, no flush). A new server starts on the same store, and the store is read:

* every event id whose batch got a 2xx answer saying ``accepted``/``duplicate`` must be there;
* every batch that got no answer (in flight at the kill) must be there entirely or not at all
  (a batch is one transaction);
* the restarted server must accept new events.

    python benchmarks/fault_kill_ingest.py                       # SQLite in a temporary directory
    python benchmarks/fault_kill_ingest.py --database-url postgresql://postgres@127.0.0.1:5433/postgres
    python benchmarks/fault_kill_ingest.py --private-postgres    # a throw-away cluster (root + PostgreSQL binaries)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fault_kit import PostgresCluster, ServerProcess, prepare_store, stored_event_ids
from fault_load import EventLoad


def run_kill_during_ingest(database_url: str, data_dir: Path, *, load_s: float = 4.0, writers: int = 2,
                           batch: int = 100) -> dict:  # fmt: skip
    """Run the fault once; returns the figures (``missing_acknowledged`` and ``torn_batches`` must be 0)."""
    _, client = prepare_store(database_url)
    headers = {"X-API-Key": client}
    server = ServerProcess(data_dir, database_url)
    loads: list[EventLoad] = []
    try:
        startup_s = server.start()
        loads = [EventLoad(server.base, headers, batch=batch, tag=f"w{w}-{time.time_ns()}") for w in range(writers)]
        for load in loads:
            load.start()
        time.sleep(load_s)
        deadline = time.monotonic() + 5
        while not any(load.snapshot_in_flight() for load in loads) and time.monotonic() < deadline:
            time.sleep(0.001)  # kill while a batch is on the wire
        for load in loads:
            load.finish_current()  # the batches on the wire now are the last ones
        in_flight_at_kill = sum(len(load.snapshot_in_flight()) for load in loads)
        killed_at = time.monotonic()
        server.kill9()
        for load in loads:
            load.halt()
        restart_s = server.start()

        acknowledged = [i for load in loads for i in load.acknowledged]
        unanswered = [ids for load in loads for ids in load.unacknowledged]
        stored = stored_event_ids(database_url, acknowledged + [i for ids in unanswered for i in ids])
        missing = [i for i in acknowledged if i not in stored]
        torn = [ids for ids in unanswered if 0 < sum(i in stored for i in ids) < len(ids)]
        after = EventLoad(server.base, headers, batch=10, tag=f"after-{time.time_ns()}")
        after.step()
        after.http.close()
        outcomes = [o for load in loads for o in load.outcomes]
        return {
            "backend": database_url.split(":", 1)[0].split("+")[0],
            "writers": writers,
            "batch_events": batch,
            "load_seconds": round(killed_at - min(o.started for o in outcomes), 2),
            "acknowledged_batches": sum(o.ok for o in outcomes),
            "acknowledged_events": len(acknowledged),
            "events_per_second": round(len(acknowledged) / max(1e-9, killed_at - min(o.started for o in outcomes))),
            "in_flight_events_at_kill": in_flight_at_kill,
            "unanswered_batches": len(unanswered),
            "unanswered_events_stored": sum(i in stored for ids in unanswered for i in ids),
            "unanswered_events": sum(len(ids) for ids in unanswered),
            "missing_acknowledged": len(missing),
            "torn_batches": len(torn),
            "startup_seconds": round(startup_s, 2),
            "restart_seconds": round(restart_s, 2),
            "accepts_after_restart": len(after.acknowledged) == 10,
            "missing_sample": missing[:5],
        }
    finally:
        for load in loads:
            if load.is_alive():
                load.halt()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="a PostgreSQL (or sqlite:///) URL; default: SQLite in a temp dir")
    parser.add_argument("--private-postgres", action="store_true", help="run on a throw-away PostgreSQL cluster")
    parser.add_argument("--load-seconds", type=float, default=4.0)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shopsense-fault-kill-") as tmp:
        cluster = PostgresCluster() if args.private_postgres else None
        try:
            if cluster is not None:
                cluster.start()
            for run in range(args.repeat):
                url = cluster.url if cluster else args.database_url or f"sqlite:///{Path(tmp) / f'run{run}' / 'shopsense.db'}"
                figures = run_kill_during_ingest(url, Path(tmp) / f"data{run}", load_s=args.load_seconds,
                                                 writers=args.writers, batch=args.batch)  # fmt: skip
                print(json.dumps(figures))
        finally:
            if cluster is not None:
                cluster.destroy()


if __name__ == "__main__":
    main()
