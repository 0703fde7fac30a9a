"""State that every server process must see alike: rate-limit counters and cached results.

One server process keeps it in memory (:class:`LocalCache`). Several processes or hosts share it through
Redis (:class:`RedisCache`, ``SHOPSENSE_REDIS_URL``). The cache is never the system of record: when Redis
is unreachable, :class:`RedisCache` degrades to its in-process fallback (results are recomputed from the
database, limits are counted per process), says so in :meth:`status`, and retries Redis after a pause.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

log = logging.getLogger("shopsense.sharedcache")

KEY_PREFIX = "shopsense:"


class SharedCache(Protocol):
    def hit(self, key: str, window_s: int) -> int:
        """Count one hit on ``key`` in the current fixed window of ``window_s`` seconds; return the count."""

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, ttl_s: float) -> None: ...

    def delete_prefix(self, prefix: str) -> int:
        """Remove every entry whose key starts with ``prefix``; return how many."""

    def status(self) -> str:
        """``"memory"``, ``"redis"`` or ``"degraded: <why>"``."""

    def close(self) -> None: ...


class LocalCache:
    """In-process, thread-safe, TTL-bounded; the default for one server process."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self.max_entries = max_entries
        self._values: dict[str, tuple[float, bytes]] = {}  # key -> (expires at, value)
        self._windows: dict[str, tuple[int, int]] = {}  # key -> (window number, count)
        self._lock = threading.Lock()

    def hit(self, key: str, window_s: int) -> int:
        window = int(time.time() // window_s)
        with self._lock:
            seen_window, count = self._windows.get(key, (window, 0))
            count = count + 1 if seen_window == window else 1
            if len(self._windows) >= self.max_entries:
                self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
            self._windows[key] = (window, count)
            return count

    def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._values.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                del self._values[key]
                return None
            return entry[1]

    def set(self, key: str, value: bytes, ttl_s: float) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._values) >= self.max_entries:
                self._values = {k: v for k, v in self._values.items() if v[0] >= now}
                if len(self._values) >= self.max_entries:
                    self._values.clear()
            self._values[key] = (now + ttl_s, value)

    def delete_prefix(self, prefix: str) -> int:
        with self._lock:
            doomed = [k for k in self._values if k.startswith(prefix)]
            for k in doomed:
                del self._values[k]
            return len(doomed)

    def status(self) -> str:
        return "memory"

    def close(self) -> None:
        with self._lock:
            self._values.clear()
            self._windows.clear()


class RedisCache:
    """Redis-backed; on a Redis error it serves from a :class:`LocalCache` for ``retry_s`` seconds."""

    def __init__(self, url: str, *, timeout_s: float = 0.25, retry_s: float = 2.0) -> None:
        import redis

        self._errors = (redis.RedisError, OSError)
        self._client = redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
        self._fallback = LocalCache()
        self._retry_s = retry_s
        self._down_until = 0.0
        self._down_reason = ""

    def _redis(self):  # noqa: ANN202 - the client, or None while Redis is considered down
        return None if time.monotonic() < self._down_until else self._client

    def _failed(self, exc: Exception) -> None:
        if time.monotonic() >= self._down_until:
            log.warning("redis unavailable, serving from the in-process cache for %.0f s: %s", self._retry_s, exc)
        self._down_until = time.monotonic() + self._retry_s
        self._down_reason = str(exc) or type(exc).__name__

    def hit(self, key: str, window_s: int) -> int:
        client = self._redis()
        if client is not None:
            window_key = f"{KEY_PREFIX}rate:{key}:{int(time.time() // window_s)}"
            try:
                pipe = client.pipeline()
                pipe.incr(window_key)
                pipe.expire(window_key, window_s + 1)
                return int(pipe.execute()[0])
            except self._errors as exc:
                self._failed(exc)
        return self._fallback.hit(key, window_s)

    def get(self, key: str) -> bytes | None:
        client = self._redis()
        if client is None:
            return self._fallback.get(key)
        try:
            return client.get(KEY_PREFIX + key)
        except self._errors as exc:
            self._failed(exc)
            return self._fallback.get(key)

    def set(self, key: str, value: bytes, ttl_s: float) -> None:
        client = self._redis()
        if client is None:
            self._fallback.set(key, value, ttl_s)
            return
        try:
            client.set(KEY_PREFIX + key, value, px=max(1, int(ttl_s * 1000)))
        except self._errors as exc:
            self._failed(exc)
            self._fallback.set(key, value, ttl_s)

    def delete_prefix(self, prefix: str) -> int:
        """Deletes in Redis and in the fallback; raises when Redis cannot be reached, so a caller that must
        be sure (deleting a user's data) learns that the shared copy may remain until its TTL ends."""
        removed = self._fallback.delete_prefix(prefix)
        pattern = KEY_PREFIX + _escape_glob(prefix) + "*"
        try:
            keys = list(self._client.scan_iter(match=pattern, count=1000))
            if keys:
                removed += int(self._client.unlink(*keys))
        except self._errors as exc:
            self._failed(exc)
            raise
        return removed

    def status(self) -> str:
        if time.monotonic() < self._down_until:
            return f"degraded: {self._down_reason}"
        try:
            self._client.ping()
        except self._errors as exc:
            self._failed(exc)
            return f"degraded: {self._down_reason}"
        return "redis"

    def close(self) -> None:
        self._client.close()
        self._fallback.close()


def _escape_glob(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


def open_shared_cache(redis_url: str) -> SharedCache:
    """Redis when a URL is configured, else the in-process cache."""
    return RedisCache(redis_url) if redis_url else LocalCache()
