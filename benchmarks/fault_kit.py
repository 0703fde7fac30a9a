"""Fault-injection kit shared by ``benchmarks/fault_*.py`` and ``tests/faults/``.

* :class:`ServerProcess`: ``shopsense serve`` as a separate process (its own session, so ``kill -9``
  reaches it and nothing else), on a free port, over a given store.
* :class:`PostgresCluster`: a throw-away PostgreSQL cluster (``initdb`` + ``pg_ctl`` as the ``postgres``
  user, in a temporary directory, on a free port) that can be stopped and started again under load.
* :class:`RedisProcess`: a private ``redis-server`` that can be killed and started again on its port.
* The load threads are in ``fault_load.py``.
* :func:`stored_event_ids`: which of a set of event ids the store holds (read with a fresh connection).

Nothing here mocks the database or Redis: the faults are real process kills and real cluster restarts.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Self

import pandas as pd
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from shopsense.config import load_settings
from shopsense.domain import Item
from shopsense.ingest.batch import ingest_events
from shopsense.pipeline.train import train_models
from shopsense.service.server import wait_until_ready
from shopsense.storage import Database, open_database
from shopsense.storage.database import normalise_url
from shopsense.storage.keys import Role
from shopsense.storage.schema import events as events_table


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without ``SHOPSENSE_*`` settings (``SHOPSENSE_TEST_*`` stay), plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not (k.startswith("SHOPSENSE_") and not k.startswith("SHOPSENSE_TEST_"))}
    return {**env, **settings}


# --- the store ------------------------------------------------------------------------------------------


def prepare_store(database_url: str, *, items: int = 50, train_in: Path | None = None) -> tuple[str, str]:
    """Bring the schema up to date, add ``items`` catalogue items, return (admin secret, client secret).

    With ``train_in`` (a data directory) also store 2,000 seed events of 100 users (``fu0``…``fu99``) and
    train the default models there, so recommendations have something to serve.
    """
    db = open_database(database_url)
    try:
        db.catalog.upsert_items([
            Item(item_id(k), f"Fault test item {k}", category=("Shop", f"Category {k % 5}"), brand=f"brand{k % 3}",
                 price=10.0 + k, created_at=datetime(2026, 1, 1, tzinfo=UTC))
            for k in range(items)
        ])  # fmt: skip
        if train_in is not None:
            _seed_and_train(db, database_url, Path(train_in), items)
        _, admin = db.keys.create(Role.ADMIN, "fault admin")
        _, client = db.keys.create(Role.CLIENT, "fault client")
        return admin, client
    finally:
        db.close()


def _seed_and_train(db: Database, database_url: str, data_dir: Path, items: int) -> None:
    start = datetime(2026, 6, 1, tzinfo=UTC)
    rows = [{"event_id": f"seed-{n}", "user_id": f"fu{n % 100}", "type": ("view", "purchase")[n % 2],
             "item_id": item_id((n % 100 // 10 * 5 + n % 5) % items), "timestamp": (start + timedelta(minutes=n)).isoformat(),
             "value": 1 if n % 2 else None} for n in range(2_000)]  # fmt: skip
    ingest_events(db, pd.DataFrame(rows))
    train_models(db, load_settings(env={}, data_dir=data_dir, database_url=database_url))


def item_id(k: int) -> str:
    return f"fault-item-{k}"


def stored_event_ids(database_url: str, ids: Iterable[str], chunk: int = 5_000) -> set[str]:
    """The subset of ``ids`` that the store holds, read through a new engine (not the server's)."""
    wanted = list(ids)
    db = open_database(database_url, migrate=False)
    try:
        found: set[str] = set()
        with db.engine.connect() as connection:
            for start in range(0, len(wanted), chunk):
                part = wanted[start : start + chunk]
                found.update(connection.execute(select(events_table.c.event_id).where(events_table.c.event_id.in_(part))).scalars())
        return found
    finally:
        db.close()


# --- the server -----------------------------------------------------------------------------------------


class ServerProcess:
    """``shopsense serve`` in a subprocess over ``database_url``; stderr goes to ``log_path``."""

    def __init__(self, data_dir: Path, database_url: str, *, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.database_url = database_url
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = clean_environment(SHOPSENSE_TEXT_RECALL="0", **(env or {}))
        self.log_path = self.data_dir / f"server-{self.port}.log"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self, timeout_s: float = 60) -> float:
        """Start the server and wait until /health/ready answers 200; returns the seconds that took."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "shopsense.cli", "--data-dir", str(self.data_dir),
                   "--database-url", self.database_url, "serve", "--port", str(self.port)]  # fmt: skip
        started = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, env=self.env, stdout=log, stderr=log, start_new_session=True)
        self.starts += 1
        try:
            wait_until_ready(self.base, started + timeout_s, self.process)
        except RuntimeError as exc:
            self.stop()
            raise RuntimeError(f"{exc}\n--- server log ---\n{self.log_tail()}") from None
        return time.monotonic() - started

    def kill9(self) -> None:
        """SIGKILL the server's whole process group (uvicorn and anything it started): no cleanup at all."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """A graceful stop (SIGINT), SIGKILL after 15 s; safe to call twice."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill9()

    def unhandled_errors(self) -> Counter:
        """``"GET /path: ExceptionType: message"`` -> count, for each 500 the server logged."""
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return Counter()
        found: Counter = Counter()
        for n, line in enumerate(lines):
            if "unhandled error on " in line:
                where = line.split("unhandled error on ", 1)[1]
                what = next((x for x in lines[n + 1 :] if re.match(r"^[A-Za-z_][\w.]*(Error|Exception)\b", x)), "?")
                found[f"{where}: {what[:160]}"] += 1
        return found

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


# --- PostgreSQL -------------------------------------------------------------------------------------------


def postgres_bin() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` holding ``initdb`` and ``pg_ctl``, or None."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(x) for x in Path(p).parent.name.split(".") if x.isdigit()], reverse=True):  # fmt: skip
        if os.access(Path(candidate) / "initdb", os.X_OK) and os.access(Path(candidate) / "pg_ctl", os.X_OK):
            return Path(candidate)
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("initdb") else None


def postgres_cluster_unavailable() -> str | None:
    """Why this machine cannot run a private cluster (None when it can)."""
    if postgres_bin() is None:
        return "PostgreSQL binaries (initdb, pg_ctl) not found: apt-get install postgresql"
    if os.geteuid() != 0:
        return "starting a private PostgreSQL cluster needs root (initdb/pg_ctl run via `su postgres`)"
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        return "no `postgres` system user to run the cluster as"
    return None


class PostgresCluster:
    """A throw-away cluster in a temporary directory on 127.0.0.1:``port``; :meth:`destroy` removes it."""

    def __init__(self, port: int | None = None) -> None:
        why = postgres_cluster_unavailable()
        if why:
            raise RuntimeError(why)
        self.bin = postgres_bin()
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="shopsense-fault-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        subprocess.run(["chown", "postgres", str(self.dir)], check=True)
        self._as_postgres(f"{self.bin}/initdb -D {self.data} -A trust -U postgres -E UTF8 --locale=C.UTF-8")

    def _as_postgres(self, command: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(["su", "postgres", "-c", command], capture_output=True, text=True, timeout=120, check=False)
        if check and done.returncode != 0:
            raise RuntimeError(f"{command!r} failed ({done.returncode}): {done.stdout[-1500:]}{done.stderr[-1500:]}\n{self.log_tail()}")
        return done

    def start(self) -> None:
        """Start and wait until it accepts connections (``pg_ctl -w``)."""
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(f"{self.bin}/pg_ctl -D {self.data} -l {self.log} -w -t 60 -o '{options}' start")

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop -m fast|immediate|smart``: ``immediate`` aborts every backend without a checkpoint."""
        self._as_postgres(f"{self.bin}/pg_ctl -D {self.data} -m {mode} -w -t 60 stop")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._as_postgres(f"{self.bin}/pg_ctl -D {self.data} -m immediate -w -t 30 stop", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self, chars: int = 1500) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    @contextmanager
    def database(self, prefix: str = "fault") -> Iterator[str]:
        """A new database on this cluster, dropped on exit. Each statement uses a new connection
        (``NullPool``), since a cluster restart in between would leave a pooled one dead."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        admin = create_engine(normalise_url(self.url), isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            yield self.url.rsplit("/", 1)[0] + "/" + name
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.destroy()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.destroy()


# --- Redis -----------------------------------------------------------------------------------------------


class RedisProcess:
    """A private ``redis-server`` (no persistence) on 127.0.0.1:``port``; can be stopped and started again
    on the same port, as an outage and its end."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self, timeout_s: float = 10) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not start on port {self.port} within {timeout_s} s")

    def stop(self) -> None:
        """SIGKILL: the cache's contents are gone, as after a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def keys(self) -> int:
        """How many ShopSense keys Redis holds now."""
        import redis

        client = redis.Redis.from_url(self.url, socket_timeout=1)
        try:
            return sum(1 for _ in client.scan_iter(match="shopsense:*", count=1000))
        finally:
            client.close()
