"""The shared cache contract, run on the in-process and the Redis backend; Redis outages degrade, never fail."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from shopsense.sharedcache import LocalCache, RedisCache, SharedCache


@pytest.fixture(params=["memory", "redis"])
def cache(request: pytest.FixtureRequest) -> Iterator[SharedCache]:
    if request.param == "memory":
        made: SharedCache = LocalCache()
    else:
        made = RedisCache(request.getfixturevalue("redis_server").url)
    yield made
    made.close()


def test_values_round_trip_and_expire(cache: SharedCache) -> None:
    cache.set("search:q1", b"one", ttl_s=0.2)
    assert cache.get("search:q1") == b"one"
    assert cache.get("search:q2") is None
    time.sleep(0.3)
    assert cache.get("search:q1") is None


def test_hits_count_within_a_window(cache: SharedCache) -> None:
    counts = [cache.hit("key-a", window_s=60) for _ in range(3)]
    assert counts[-1] - counts[0] == 2  # a window boundary may fall between calls only with a 60 s window
    assert cache.hit("key-b", window_s=60) == 1


def test_delete_prefix_removes_only_that_prefix(cache: SharedCache) -> None:
    for key in ("user:u1:for_you", "user:u1:similar", "user:u10:for_you", "user:u*:x"):
        cache.set(key, b"v", ttl_s=60)
    assert cache.delete_prefix("user:u1:") == 2
    assert cache.get("user:u1:for_you") is None
    assert cache.get("user:u10:for_you") == b"v"
    assert cache.delete_prefix("user:u*:") == 1  # glob characters are literal
    assert cache.get("user:u10:for_you") == b"v"


def test_two_processes_share_redis(redis_server) -> None:  # noqa: ANN001 - the conftest fixture
    first, second = RedisCache(redis_server.url), RedisCache(redis_server.url)
    first.set("search:shared", b"x", ttl_s=60)
    assert second.get("search:shared") == b"x"
    assert first.hit("k", 60) == 1 and second.hit("k", 60) == 2
    assert first.status() == "redis"


def test_redis_outage_degrades_to_memory(redis_server) -> None:  # noqa: ANN001
    cache = RedisCache(redis_server.url, retry_s=0.2)
    redis_server.stop()
    cache.set("search:q", b"local", ttl_s=60)  # no exception: served from the process
    assert cache.get("search:q") == b"local"
    assert cache.hit("k", 60) == 1
    assert cache.status().startswith("degraded")
    with pytest.raises(Exception):  # a deletion that cannot reach Redis must say so
        cache.delete_prefix("user:u1:")
