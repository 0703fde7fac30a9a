"""Wall time, CPU time and peak memory of a piece of work (a model's ``fit``), whatever allocates it (numpy, torch, C++).

CPU time is the process's user + system time over all its threads (``time.process_time``): on a
shared machine it shows the work done when wall time is stretched by other jobs. Peak memory is the process's resident set size (RSS), sampled every ``interval`` seconds by a
background thread from ``/proc/self/statm``; ``peak_mb`` is the highest sample, ``added_mb`` that
peak minus the RSS at the start. Where ``/proc`` is missing (macOS), both fall back to the process's
lifetime maximum RSS from ``getrusage``, which cannot be reset, so ``added_mb`` is then 0.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from types import TracebackType
from typing import Self

_STATM = "/proc/self/statm"


def rss_bytes() -> int:
    """The current RSS, or the lifetime peak RSS where ``/proc`` is missing."""
    try:
        with open(_STATM, encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB on Linux


class Measure:
    """``with Measure() as m: work()`` then ``m.seconds``, ``m.cpu_seconds``, ``m.peak_mb``, ``m.added_mb``."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.seconds = self.cpu_seconds = 0.0
        self._start = self._peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self._peak = max(self._peak, rss_bytes())

    @property
    def peak_mb(self) -> float:
        return self._peak / 2**20

    @property
    def added_mb(self) -> float:
        return (self._peak - self._start) / 2**20

    def __enter__(self) -> Self:
        self._start = self._peak = rss_bytes()
        self._began, self._cpu_began = time.perf_counter(), time.process_time()
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.seconds = time.perf_counter() - self._began
        self.cpu_seconds = time.process_time() - self._cpu_began
        self._stop.set()
        self._thread.join()
        self._peak = max(self._peak, rss_bytes())
