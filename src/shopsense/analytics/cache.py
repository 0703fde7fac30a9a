"""Keeps loaded windows and computed analyses between API requests while the store is unchanged."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from shopsense.analytics.frame import EventLog, Window, load_log, store_fingerprint
from shopsense.analytics.registry import compute
from shopsense.storage import Database


@dataclass
class _Entry:
    fingerprint: tuple[Any, ...]
    log: EventLog
    results: dict[str, dict[str, Any]] = field(default_factory=dict)


class AnalyticsCache:
    """The ``max_windows`` most recently used windows of one store, each loaded once.

    A dashboard asks for several analyses of one window in a row: the events are read from the store
    for the first of them and each analysis is computed once, for as long as the store's fingerprint
    (event and catalogue counts and newest stamps, one cheap query) is unchanged. Requests are served
    one at a time, since a DuckDB connection is not shared between threads.
    """

    def __init__(self, max_windows: int = 2) -> None:
        self._max_windows = max_windows
        self._entries: OrderedDict[Window, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, db: Database, window: Window, name: str) -> dict[str, Any]:
        with self._lock:
            fingerprint = store_fingerprint(db)
            entry = self._entries.pop(window, None)
            if entry is None or entry.fingerprint != fingerprint:
                if entry is not None:
                    entry.log.close()
                entry = _Entry(fingerprint, load_log(db, window))
            self._entries[window] = entry  # most recently used last
            while len(self._entries) > self._max_windows:
                self._entries.popitem(last=False)[1].log.close()
            if name not in entry.results:
                entry.results[name] = compute(entry.log, name)
            return entry.results[name]

