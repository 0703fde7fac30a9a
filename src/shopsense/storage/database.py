"""Open a database by URL, tune it, and bring its schema up to date with Alembic.

``sqlite:///path`` (embedded default, WAL journal) and ``postgresql://…`` (production) run the same code.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from shopsense.storage.catalog import Catalog
from shopsense.storage.events import EventStore
from shopsense.storage.keys import KeyStore
from shopsense.storage.profiles import ProfileStore
from shopsense.storage.registry import ModelRegistry
from shopsense.storage.segments import SegmentStore

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseURLError(ValueError):
    """The database URL names no supported backend."""


# "Cannot serve now, try again" rather than "this statement is wrong": PostgreSQL SQLSTATE classes 08
# (connection exception), 53 (insufficient resources), 57 (operator intervention: shutdown, crash
# recovery, "cannot connect now"), 58 (system error); SQLite busy or locked past the busy timeout.
_UNAVAILABLE_SQLSTATE_CLASSES = frozenset({"08", "53", "57", "58"})
_UNAVAILABLE_SQLITE_ERRORS = frozenset({"SQLITE_BUSY", "SQLITE_LOCKED"})


def is_unavailable_error(exc: BaseException) -> bool:
    """True when ``exc`` says the database cannot be used right now (down, restarting, connection lost,
    no pooled connection free in time): the request may succeed when retried, so it is a 503, not a 500.

    Takes SQLAlchemy's wrapped errors and the bare driver errors that ``engine.raw_connection()`` users
    (the serving hot path) see.
    """
    if isinstance(exc, PoolTimeoutError):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        exc = exc.orig
    import psycopg  # a dependency; imported here so that SQLite-only processes never load it

    if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
        # sqlstate is None when no server answered (refused, closed mid-way)
        return exc.sqlstate is None or exc.sqlstate[:2] in _UNAVAILABLE_SQLSTATE_CLASSES
    return isinstance(exc, sqlite3.OperationalError) and getattr(exc, "sqlite_errorname", "") in _UNAVAILABLE_SQLITE_ERRORS


def normalise_url(url: str) -> str:
    """Accept the common spellings of a PostgreSQL URL and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _switch_to_wal(cursor: sqlite3.Cursor, attempts: int = 100) -> None:
    """Turn on the WAL journal. On a brand-new file several connections may race to do it, and SQLite
    answers the losers "database is locked" at once (no busy wait for this pragma): retry briefly."""
    for attempt in range(attempts):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05)


def _tune_sqlite(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API connection
    dbapi_connection.isolation_level = None  # transactions are begun by _begin_sqlite below
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable across process kills; fsync at checkpoints
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _begin_sqlite(connection) -> None:  # noqa: ANN001 - SQLAlchemy Connection
    """BEGIN for readers; BEGIN IMMEDIATE (take the write lock up front) for ``write_lock=True`` connections."""
    immediate = connection.get_execution_options().get("write_lock", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_db_engine(url: str) -> Engine:
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseURLError(f"cannot parse database URL {url!r}: {exc}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _tune_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    if backend == "postgresql":
        # an unreachable host fails a request in seconds (503), not after the kernel's TCP timeout
        timeout = {} if "connect_timeout" in parsed.query else {"connect_timeout": 5}
        return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, pool_timeout=10, connect_args=timeout)
    raise DatabaseURLError(f"unsupported database backend {backend!r}: use sqlite:/// or postgresql://")


def hot_read_engine(engine: Engine) -> Engine:
    """For per-request reads: PostgreSQL gets its own small pool in autocommit mode without a ping on
    checkout (the caller retries a read once on a dropped connection; see ``storage.serving``); SQLite
    reads are local calls already, so the engine itself is returned."""
    if engine.dialect.name != "postgresql":
        return engine
    timeout = {} if "connect_timeout" in engine.url.query else {"connect_timeout": 5}
    return create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_size=10, max_overflow=20, pool_timeout=10,
                         connect_args=timeout)  # fmt: skip


_MIGRATION_LOCK = 7_317_001  # PostgreSQL advisory lock key: one migrator at a time


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Apply every pending Alembic migration (never drops data), one process at a time.

    Concurrent openers of a fresh store queue on a lock (SQLite: the write lock taken at BEGIN
    IMMEDIATE; PostgreSQL: a transaction-level advisory lock); the later ones then find the schema at
    head and do nothing.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect().execution_options(write_lock=True) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@dataclass
class Database:
    """The engine plus one store per concern, all sharing it."""

    engine: Engine
    catalog: Catalog
    events: EventStore
    keys: KeyStore
    registry: ModelRegistry
    profiles: ProfileStore
    segments: SegmentStore

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def is_ready(self) -> bool:
        """True when the database answers and the schema is in place."""
        try:
            return inspect(self.engine).has_table("events")
        except Exception:  # noqa: BLE001 - any driver failure means "not ready"
            return False

    def close(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, migrate: bool = True) -> Database:
    engine = create_db_engine(url)
    if migrate:
        upgrade_schema(engine)
    return Database(
        engine=engine,
        catalog=Catalog(engine),
        events=EventStore(engine),
        keys=KeyStore(engine),
        registry=ModelRegistry(engine),
        profiles=ProfileStore(engine),
        segments=SegmentStore(engine),
    )
