"""Impression logging: every returned list is recorded (recomm_id, positions, items, variant).

Rows are buffered in memory and written in one transaction per flush (every second from the runtime's
background thread, and at shutdown), so a request never waits on a database write; a crash loses at most
the last second of impressions, never events.
"""

from __future__ import annotations

import threading
import time

from shopsense.serving.pipeline import Recommendations
from shopsense.storage.impressions import ImpressionStore


class ImpressionLog:
    def __init__(self, store: ImpressionStore) -> None:
        self._store = store
        self._pending: list[tuple] = []  # rows in IMPRESSION_COLUMNS order
        self._lock = threading.Lock()

    def log(self, result: Recommendations) -> None:
        stamp = int(time.time() * 1000)
        rows = [
            (result.recomm_id, position, item.id, result.user_id, result.scenario, result.experiment_id,
             result.variant, stamp)
            for position, item in enumerate(result.items)
        ]  # fmt: skip
        with self._lock:
            self._pending.extend(rows)

    def flush(self) -> int:
        """Write what is buffered; returns the number of rows written."""
        with self._lock:
            rows, self._pending = self._pending, []
        self._store.add(rows)
        return len(rows)
