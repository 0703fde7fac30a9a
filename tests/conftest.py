"""Shared fixtures: one ``database_url`` per storage backend, so every contract test runs on each of them.

Adding a backend means adding a parameter to ``database_url`` here, not a test file.

* ``sqlite``: a fresh database file under the test's ``tmp_path``.
* ``postgresql``: a fresh database (``CREATE DATABASE test_<uuid>``) on the cluster named by
  ``SHOPSENSE_TEST_POSTGRES_URL``, dropped after the test; skipped with a clear reason when unset.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from shopsense.storage import Database, open_database
from shopsense.storage.scratch import scratch_postgres_database

# tests drive real processes with the kit the fault scripts use (benchmarks/fault_kit.py)
BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))
from fault_kit import RedisProcess  # noqa: E402

POSTGRES_ENV = "SHOPSENSE_TEST_POSTGRES_URL"
POSTGRES_SKIP = (
    "PostgreSQL tests need SHOPSENSE_TEST_POSTGRES_URL (postgresql://user@host:port/db); "
    ".ci/run starts a cluster and sets it"
)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The cluster named by SHOPSENSE_TEST_POSTGRES_URL; the test is skipped, with the reason, when unset."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(POSTGRES_SKIP)
    return url


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisProcess]:  # noqa: ANN001 - pytest's tmp_path
    """A fresh private Redis for this test (``benchmarks/fault_kit.py``; ``stop()`` simulates an outage);
    skipped with the reason when ``redis-server`` is not installed."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server; .ci/run installs it)")
    server = RedisProcess(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # noqa: ANN001 - pytest's tmp_path
    """A URL naming an empty database of each backend, private to the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store' / 'shopsense.db'}"
        return
    with scratch_postgres_database(request.getfixturevalue("postgres_server_url"), prefix="test") as url:  # dropped WITH (FORCE) afterwards
        yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    yield database
    database.close()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No ``SHOPSENSE_*`` setting from the outer shell leaks into a test; returns a clean environment for subprocesses.

    (``SHOPSENSE_TEST_*`` variables configure the tests themselves and stay.)
    """
    def is_setting(name: str) -> bool:
        return name.startswith("SHOPSENSE_") and not name.startswith("SHOPSENSE_TEST_")

    for name in list(os.environ):
        if is_setting(name):
            monkeypatch.delenv(name)
    env = {k: v for k, v in os.environ.items() if not is_setting(k)}
    env["COLUMNS"] = "200"  # Rich wraps at the terminal width; keep summary tables on one line per row
    return env


@dataclass(frozen=True)
class PrintedSummary:
    accepted: int
    duplicate: int
    rejected: int
    skipped: int
    rows: int


_SUMMARY_LABELS = {
    "accepted": r"accepted \(stored\)",
    "duplicate": r"duplicate \(already stored\)",
    "rejected": r"rejected \(invalid\)",
    "skipped": r"skipped \(not events\)",
    "rows": r"rows in total",
}


def parse_printed_summary(output: str) -> PrintedSummary:
    """The numbers of the import summary table that ``shopsense import`` / ``demo`` print."""
    values = {}
    for field, label in _SUMMARY_LABELS.items():
        found = re.search(label + r"[^\d\n]*([\d,]+)", output)
        assert found, f"no {field!r} line in the printed summary:\n{output}"
        values[field] = int(found.group(1).replace(",", ""))
    return PrintedSummary(**values)


@pytest.fixture
def printed_summary():  # noqa: ANN201 - returns the parser
    return parse_printed_summary
