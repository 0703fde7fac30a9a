"""PostgreSQL restarted under load: the service reports not-ready, then recovers by itself.

A throw-away PostgreSQL cluster (``initdb`` + ``pg_ctl`` as the ``postgres`` user; needs root and the
PostgreSQL binaries) holds a small trained shop. One ``shopsense serve`` process runs on it under a
steady load: a reader thread (item, user events, recommendations), an event writer thread (batches of
20) and a ``/health/ready`` probe every 100 ms. Then ``pg_ctl stop -m immediate`` (every backend
aborted, crash recovery at the next start) or ``-m fast`` (backends terminated, clean shutdown), an
outage of ``--outage-seconds``, and ``pg_ctl start``. The server is never restarted.

Printed per stop mode: how long /health/ready said 503, the answers by status during the outage, how
long after PostgreSQL was back the probe, the reads and the writes succeeded again, errors after that
(must be none), and whether every acknowledged event is stored.

    python benchmarks/fault_postgres_restart.py [--modes immediate,fast] [--outage-seconds 4]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fault_kit import (
    PostgresCluster,
    ServerProcess,
    item_id,
    prepare_store,
    stored_event_ids,
)
from fault_load import EventLoad, Outcome, ReadLoad, ReadyProbe, Window, window


def _first_ok_after(outcomes: list[Outcome], t: float) -> Outcome | None:
    return next((o for o in sorted(outcomes, key=lambda o: o.started) if o.started >= t and o.ok), None)


def run_postgres_restart(cluster: PostgresCluster, data_dir: Path, *, mode: str = "immediate", before_s: float = 2.0,
                         outage_s: float = 4.0, after_s: float = 3.0, recover_timeout_s: float = 30.0) -> dict:  # fmt: skip
    """One stop/start of ``cluster`` under load, on a fresh database; returns the figures."""
    with cluster.database() as url:
        _, client = prepare_store(url, train_in=data_dir)
        headers = {"X-API-Key": client}
        server = ServerProcess(data_dir, url)
        threads: list = []
        try:
            server.start()
            paths = [p for u in range(0, 100, 7) for p in (f"/v1/items/{item_id(u % 50)}", f"/v1/users/fu{u}/events?limit=5",
                                                           f"/v1/users/fu{u}/recommendations?scenario=for_you&n=10")]  # fmt: skip
            reads = ReadLoad(server.base, headers, paths, pause_s=0.02)
            writes = EventLoad(server.base, headers, batch=20, pause_s=0.05, users=100)
            probe = ReadyProbe(server.base, every_s=0.1)
            threads = [reads, writes, probe]
            for t in threads:
                t.start()
            time.sleep(before_s)
            stop_began = time.monotonic()
            cluster.stop(mode)
            stopped = time.monotonic()
            time.sleep(outage_s)
            cluster.start()
            pg_up = time.monotonic()
            deadline = pg_up + recover_timeout_s
            while time.monotonic() < deadline and not all(_first_ok_after(t.outcomes, pg_up) for t in threads):
                time.sleep(0.05)
            recovered = {t.name: _first_ok_after(t.outcomes, pg_up) for t in threads}
            all_back = max((o.ended for o in recovered.values() if o), default=pg_up) if all(recovered.values()) else None
            time.sleep(after_s)
            for t in threads:
                t.halt()
            end = time.monotonic()

            ready = sorted(probe.outcomes, key=lambda o: o.started)
            first_down = next((o for o in ready if o.started >= stop_began and not o.ok), None)
            first_up = next((o for o in ready if first_down and o.started > first_down.started and o.ok), None)
            everything = [o for t in threads for o in t.outcomes]
            outage_end = all_back if all_back is not None else end
            stored = stored_event_ids(url, writes.acknowledged)
            return {
                "mode": mode,
                "pg_stop_seconds": round(stopped - stop_began, 2),
                "pg_down_seconds": round(pg_up - stop_began, 2),
                "not_ready_seconds": round(first_up.started - first_down.started, 2) if first_down and first_up else None,
                "ready_answers_during_outage": window("", probe.outcomes, stop_began, outage_end).summary()["errors"],
                "ready_bodies_during_outage": sorted({json.dumps(b, sort_keys=True) for b in probe.bodies_between(stop_began, outage_end) if b.get("status") != "ok"}),
                "recovered_after_pg_up_seconds": {
                    name: (round(o.ended - pg_up, 2) if o else None) for name, o in recovered.items()
                },
                "before": {t.name: Window("", [o for o in t.outcomes if o.ended < stop_began]).summary() for t in threads},
                "outage": {t.name: window("", t.outcomes, stop_began, outage_end).summary() for t in threads},
                "after_recovery": {t.name: Window("", [o for o in t.outcomes if o.started >= outage_end]).summary() for t in threads},
                "errors_after_recovery": sum(not o.ok for o in everything if o.started >= outage_end),
                "acknowledged_events": len(writes.acknowledged),
                "missing_acknowledged": len(writes.acknowledged) - len(stored),
                "server_restarts": server.starts - 1,
                "server_alive": server.process is not None and server.process.poll() is None,
                "unhandled_errors_logged": dict(server.unhandled_errors()),
                "asgi_exceptions_logged": len([x for x in server.log_tail(10**8).splitlines() if "Exception in ASGI application" in x]),
                "no_answer": sorted({f"{o.error} {o.path.split('?')[0]}" for o in everything if o.status is None}),
                "server_log_tail": server.log_tail(600),
            }
        finally:
            for t in threads:
                if t.is_alive():
                    t.halt()
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modes", default="immediate,fast", help="pg_ctl stop modes to try, in order")
    parser.add_argument("--outage-seconds", type=float, default=4.0)
    parser.add_argument("--log", action="store_true", help="also print the end of the server log")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shopsense-fault-pg-") as tmp, PostgresCluster() as cluster:
        for mode in args.modes.split(","):
            figures = run_postgres_restart(cluster, Path(tmp) / mode, mode=mode, outage_s=args.outage_seconds)
            if not args.log:
                figures.pop("server_log_tail")
            print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
