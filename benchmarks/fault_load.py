"""Client threads for the fault scripts and tests: each records every request it makes (start, end,
outcome), so a script can say what happened before, during and after a fault; plus the summaries."""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from fault_kit import item_id

# --- load -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One request: when it started and ended (``time.monotonic()``), and its status or error name."""

    kind: str
    started: float
    ended: float
    status: int | None  # None: no HTTP answer (connection refused or reset, timeout)
    error: str = ""
    path: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def label(self) -> str:
        return str(self.status) if self.status is not None else self.error


class _Worker(threading.Thread):
    """A closed-loop client thread: one request at a time, ``pause_s`` between them, until :meth:`halt`."""

    def __init__(self, base: str, headers: dict[str, str], name: str, pause_s: float = 0.0, timeout_s: float = 10.0) -> None:
        super().__init__(name=name, daemon=True)
        self.http = httpx.Client(base_url=base, headers=headers, timeout=timeout_s)
        self.pause_s = pause_s
        self.outcomes: list[Outcome] = []
        self._halt = threading.Event()

    def finish_current(self) -> None:
        """Send no new request after the one on the wire (does not wait)."""
        self._halt.set()

    def halt(self) -> None:
        """Stop after the current request and wait for it."""
        self._halt.set()
        self.join(timeout=30)
        self.http.close()

    def run(self) -> None:
        while not self._halt.is_set():
            self.step()
            if self.pause_s:
                self._halt.wait(self.pause_s)

    def step(self) -> None:
        raise NotImplementedError

    def _call(self, kind: str, method: str, path: str, **kwargs: object) -> tuple[Outcome, httpx.Response | None]:
        started = time.monotonic()
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            outcome = Outcome(kind, started, time.monotonic(), None, type(exc).__name__, path)
            self.outcomes.append(outcome)
            return outcome, None
        outcome = Outcome(kind, started, time.monotonic(), response.status_code, path=path)
        self.outcomes.append(outcome)
        return outcome, response


_batch_numbers = itertools.count()


class EventLoad(_Worker):
    """Sends batches of ``batch`` new events; an id is *acknowledged* when its batch got a 2xx answer that
    reports it ``accepted`` or ``duplicate``. The batch on the wire at any moment is ``in_flight``; batches
    that got no 2xx answer are kept in ``unacknowledged`` (each may or may not have been stored)."""

    def __init__(self, base: str, headers: dict[str, str], *, batch: int = 100, users: int = 300, items: int = 50,
                 pause_s: float = 0.0, tag: str = "") -> None:  # fmt: skip
        super().__init__(base, headers, name="event-load", pause_s=pause_s)
        self.batch, self.users, self.items = batch, users, items
        self.tag = tag or f"{os.getpid()}-{time.time_ns()}"
        self.acknowledged: list[str] = []
        self.unacknowledged: list[list[str]] = []
        self.in_flight: list[str] = []
        self._lock = threading.Lock()

    def step(self) -> None:
        number = next(_batch_numbers)
        now = datetime.now(UTC).isoformat()
        kinds = ("view", "click", "add_to_cart", "purchase")
        batch = [
            {"event_id": f"f-{self.tag}-{number}-{i}", "user_id": f"fu{(number * 7 + i) % self.users}",
             "type": kinds[i % 4], "item_id": item_id((number + i) % self.items), "timestamp": now,
             **({"value": 1} if kinds[i % 4] in ("purchase", "add_to_cart") else {})}
            for i in range(self.batch)
        ]  # fmt: skip
        ids = [e["event_id"] for e in batch]
        with self._lock:
            self.in_flight = ids
        outcome, response = self._call("events", "POST", "/v1/events", json={"events": batch})
        confirmed: list[str] = []
        if outcome.ok and response is not None:
            confirmed = [r["event_id"] for r in response.json()["results"] if r["status"] in ("accepted", "duplicate")]
        with self._lock:
            self.acknowledged.extend(confirmed)
            if len(confirmed) != len(ids):
                done = set(confirmed)
                self.unacknowledged.append([i for i in ids if i not in done])
            self.in_flight = []

    def snapshot_in_flight(self) -> list[str]:
        with self._lock:
            return list(self.in_flight)


class ReadLoad(_Worker):
    """Cycles through GET ``paths``; ``bodies`` keeps the last 2xx JSON answer per path."""

    def __init__(self, base: str, headers: dict[str, str], paths: Sequence[str], *, pause_s: float = 0.0, kind: str = "reads") -> None:
        super().__init__(base, headers, name=f"{kind}-load", pause_s=pause_s)
        self.paths = list(paths)
        self.kind = kind
        self._next = itertools.cycle(self.paths)

    def step(self) -> None:
        self._call(self.kind, "GET", next(self._next))


class ReadyProbe(_Worker):
    """GET /health/ready every ``every_s`` seconds; ``outcomes`` holds the answers, ``bodies`` their JSON."""

    def __init__(self, base: str, every_s: float = 0.1) -> None:
        super().__init__(base, {}, name="ready-probe", pause_s=every_s, timeout_s=5.0)
        self.bodies: list[tuple[float, dict]] = []  # (request start, JSON answer)

    def step(self) -> None:
        outcome, response = self._call("ready", "GET", "/health/ready")
        if response is not None:
            try:
                self.bodies.append((outcome.started, response.json()))
            except ValueError:
                self.bodies.append((outcome.started, {}))

    def bodies_between(self, start: float, end: float) -> list[dict]:
        return [body for started, body in self.bodies if start <= started < end]


# --- figures ----------------------------------------------------------------------------------------------


@dataclass
class Window:
    """Outcomes of the requests of one period."""

    name: str
    outcomes: list[Outcome] = field(default_factory=list)

    def summary(self) -> dict:
        done = self.outcomes
        latencies = sorted((o.ended - o.started) * 1000 for o in done if o.ok)
        return {
            "requests": len(done),
            "ok": sum(o.ok for o in done),
            "errors": dict(Counter(o.label for o in done if not o.ok)),
            "p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
            "p99_ms": round(percentile(latencies, 99), 1) if latencies else None,
        }


def window(name: str, outcomes: Iterable[Outcome], start: float, end: float) -> Window:
    """The requests that were open at some moment of [start, end): a request on the wire when a fault
    began counts in the fault's window, not in the one before."""
    return Window(name, [o for o in outcomes if o.ended >= start and o.started < end])


def percentile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[index]
