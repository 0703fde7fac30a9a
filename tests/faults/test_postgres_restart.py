"""PostgreSQL stopped (``pg_ctl stop -m immediate``) and started again under load, server never restarted.

Needs its own throw-away cluster (root and the PostgreSQL binaries; skipped with the reason otherwise):
see ``benchmarks/fault_postgres_restart.py``, which this test runs once with a short outage.
While PostgreSQL is down /health/ready answers 503 and requests fail with a 503 (never a 500); once it
is back the same server process becomes ready and serves reads and writes by itself, and every
acknowledged event is stored.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fault_kit import PostgresCluster, postgres_cluster_unavailable
from fault_postgres_restart import run_postgres_restart

RECOVERY_LIMIT_S = 10.0  # after PostgreSQL accepts connections again


@pytest.fixture
def cluster() -> PostgresCluster:
    why = postgres_cluster_unavailable()
    if why:
        pytest.skip(why)
    with PostgresCluster() as made:
        yield made


def test_service_is_not_ready_while_postgres_is_down_and_recovers_by_itself(cluster: PostgresCluster, tmp_path: Path) -> None:
    figures = run_postgres_restart(cluster, tmp_path / "data", mode="immediate", before_s=1.5, outage_s=3.0, after_s=2.0)
    figures.pop("server_log_tail")
    print(json.dumps(figures))
    outage, after = figures["outage"], figures["after_recovery"]

    assert figures["not_ready_seconds"] is not None, figures  # /health/ready said 503 ...
    assert figures["ready_answers_during_outage"].keys() <= {"503"}, figures  # ... and nothing else went wrong
    for load in ("reads-load", "event-load"):  # failing requests are 503 "database unavailable", never 500
        assert outage[load]["errors"].get("503", 0) > 0, figures
        assert not any(status.startswith("5") and status != "503" for status in outage[load]["errors"]), figures
    assert figures["unhandled_errors_logged"] == {}, figures
    assert not figures["no_answer"], figures  # no connection dropped without an answer
    assert figures["asgi_exceptions_logged"] == 0, figures  # every outage error was handled, none re-raised

    recovered = figures["recovered_after_pg_up_seconds"]
    assert all(s is not None and s <= RECOVERY_LIMIT_S for s in recovered.values()), figures
    assert figures["server_restarts"] == 0 and figures["server_alive"], figures
    assert figures["errors_after_recovery"] == 0 and all(w["ok"] > 0 for w in after.values()), figures
    assert figures["acknowledged_events"] > 0 and figures["missing_acknowledged"] == 0, figures
