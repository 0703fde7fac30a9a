"""An import killed with SIGKILL and run again ends with every valid row stored exactly once (both backends).

The real command line runs in a subprocess; the test watches the event count from outside, kills the
import part-way, checks that only part of the file was stored, reruns it, and checks the outcome exactly.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from shopsense.storage import Database
from shopsense.storage.schema import events

VALID_ROWS = 200_000
# 1-based data row numbers (header not counted) of the invalid rows, and why each is invalid
INVALID = {
    7: ("type", "teleport"),
    50_001: ("user_id", ""),
    100_002: ("timestamp", "not a time"),
    150_003: ("value", "lots"),
    200_005: ("timestamp", "2999-01-01T00:00:00Z"),
}
TOTAL_ROWS = VALID_ROWS + len(INVALID)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~200k valid events plus a few invalid rows, as CSV (written once per test session)."""
    n = np.arange(TOTAL_ROWS)
    frame = pd.DataFrame({
        "event_id": np.char.add("ev-", n.astype(str)),
        "user_id": np.char.add("u", (n % 7_919).astype(str)),
        "type": np.array(["view", "click", "add_to_cart", "purchase"])[n % 4],
        "item_id": np.char.add("i", (n % 3_001).astype(str)),
        "value": np.where(n % 4 == 3, "1", ""),
        "timestamp": (1_600_000_000 + n * 37).astype(str),
    })  # fmt: skip
    for row, (column, bad) in INVALID.items():
        frame.loc[row - 1, column] = bad
    path = tmp_path_factory.mktemp("kill-rerun") / "big.csv"
    frame.to_csv(path, index=False)
    return path


def _command(data_dir: Path, database_url: str, path: Path, rejects: Path) -> list[str]:
    return [sys.executable, "-m", "shopsense.cli", "--data-dir", str(data_dir), "--database-url", database_url,
            "import", str(path), "--chunk-rows", "2000", "--rejects", str(rejects)]  # fmt: skip


def _count(db: Database) -> int:
    return db.events.count()


def _valid_ids() -> list[str]:
    """The ids of the valid rows, in file order."""
    invalid = {row - 1 for row in INVALID}
    return [f"ev-{n}" for n in range(TOTAL_ROWS) if n not in invalid]


def _ids(db: Database) -> set[str]:
    with db.engine.connect() as connection:
        return set(connection.execute(select(events.c.event_id)).scalars())


def _distinct(db: Database) -> tuple[int, int]:
    with db.engine.connect() as connection:
        return connection.execute(select(func.count(), func.count(events.c.event_id.distinct()))).one()


def test_killed_import_rerun_stores_every_valid_row_exactly_once(
    db: Database, database_url: str, big_file: Path, tmp_path: Path, clean_env: dict, printed_summary
) -> None:  # noqa: ANN001
    rejects = tmp_path / "rejects.csv"
    command = _command(tmp_path / "data", database_url, big_file, rejects)
    process = subprocess.Popen(command, env=clean_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    try:
        while process.poll() is None and time.monotonic() < deadline:
            if 0 < _count(db) < VALID_ROWS:
                os.kill(process.pid, signal.SIGKILL)
                break
            time.sleep(0.005)
    finally:
        if process.poll() is None and time.monotonic() >= deadline:
            process.kill()
        output = process.communicate()[0].decode(errors="replace")
    assert process.returncode == -signal.SIGKILL, f"the import was not caught part-way (rc {process.returncode}):\n{output}"
    stored_at_kill = _count(db)
    assert 0 < stored_at_kill < VALID_ROWS, stored_at_kill
    at_kill = _ids(db)
    assert at_kill == set(_valid_ids()[:stored_at_kill])  # chunks commit whole and in file order: a prefix is stored

    rerun = subprocess.run(command, env=clean_env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "Traceback" not in rerun.stdout + rerun.stderr
    summary = printed_summary(rerun.stdout)
    assert summary.duplicate == stored_at_kill  # what the killed run stored comes back as duplicates
    assert summary.accepted == VALID_ROWS - stored_at_kill
    assert summary.rejected == len(INVALID)
    assert summary.rows == TOTAL_ROWS

    assert _distinct(db) == (VALID_ROWS, VALID_ROWS)
    assert _ids(db) == set(_valid_ids())
    rejected_rows = [int(line.split(",", 1)[0]) for line in rejects.read_text().splitlines()[1:]]
    assert rejected_rows == sorted(INVALID)


def test_importing_the_same_file_twice_adds_nothing_the_second_time(
    db: Database, database_url: str, tmp_path: Path, clean_env: dict, printed_summary
) -> None:  # noqa: ANN001
    n = np.arange(5_000)
    path = tmp_path / "twice.csv"
    pd.DataFrame({"event_id": np.char.add("t", n.astype(str)), "user_id": "u1", "type": "view", "item_id": "i1",
                  "timestamp": 1_650_000_000 + n}).to_csv(path, index=False)  # fmt: skip
    with path.open("a") as handle:
        handle.write("bad-1,u1,not-a-type,i1,1650000000\n")
    command = _command(tmp_path / "data", database_url, path, tmp_path / "rejects.csv")
    first = subprocess.run(command, env=clean_env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stdout + first.stderr
    second = subprocess.run(command, env=clean_env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stdout + second.stderr
    one, two = printed_summary(first.stdout), printed_summary(second.stdout)
    assert (one.accepted, one.duplicate, one.rejected, one.rows) == (5_000, 0, 1, 5_001)
    assert (two.accepted, two.duplicate, two.rejected, two.rows) == (0, 5_000, 1, 5_001)
    assert _distinct(db) == (5_000, 5_000)
