"""``kill -9`` of a server under sustained ingestion loses no acknowledged event (SQLite and PostgreSQL).

A real ``shopsense serve`` process takes back-to-back event batches from two client threads; it is
killed with SIGKILL while a batch is on the wire and started again on the same store. Every event whose
batch was answered 2xx is stored, every unanswered batch is stored entirely or not at all, and the
restarted server takes new events. The figures are printed (``pytest -s``).
"""

from __future__ import annotations

import json
from pathlib import Path

from fault_kill_ingest import run_kill_during_ingest


def test_every_acknowledged_event_survives_kill_9(database_url: str, tmp_path: Path) -> None:
    figures = run_kill_during_ingest(database_url, tmp_path / "data", load_s=3.0, writers=2, batch=100)
    print(json.dumps(figures))
    assert figures["acknowledged_events"] >= 500, figures  # the kill came under real load
    assert figures["in_flight_events_at_kill"] > 0, figures  # ... with a batch on the wire
    assert figures["missing_acknowledged"] == 0, figures
    assert figures["torn_batches"] == 0, figures
    assert figures["accepts_after_restart"], figures
