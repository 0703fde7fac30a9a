"""Keeps loaded windows and computed analyses between API requests while the store is unchanged."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import orjson

from shopsense.analytics.frame import EventLog, Window, load_log, store_fingerprint
from shopsense.analytics.registry import compute
from shopsense.sharedcache import SharedCache
from shopsense.storage import Database

SHARED_TTL_S = 3600.0


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
    one at a time, since a DuckDB connection is not shared between threads. With a ``shared`` cache
    (Redis, several server processes) an analysis computed by one process is served by all, keyed by the
    same fingerprint, so no process serves a result older than the store.
    """

    def __init__(self, max_windows: int = 2, shared: SharedCache | None = None) -> None:
        self._max_windows = max_windows
        self._shared = shared
        self._entries: OrderedDict[Window, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, db: Database, window: Window, name: str) -> dict[str, Any]:
        fingerprint = store_fingerprint(db)
        key = "analytics:" + hashlib.sha256(repr((fingerprint, window, name)).encode()).hexdigest()
        if self._shared is not None and (cached := self._shared.get(key)) is not None:
            return orjson.loads(cached)
        result = self._compute(db, fingerprint, window, name)
        if self._shared is not None:
            self._shared.set(key, orjson.dumps(result, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS), SHARED_TTL_S)
        return result

    def _compute(self, db: Database, fingerprint: tuple[Any, ...], window: Window, name: str) -> dict[str, Any]:
        with self._lock:
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

