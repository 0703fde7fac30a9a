"""Several openers of the same fresh store at once (API workers starting together, ``serve`` beside ``import``)."""

from __future__ import annotations

import threading

from alembic.migration import MigrationContext

from shopsense.storage import open_database

OPENERS = 4


def test_concurrent_first_opens_all_succeed(database_url: str) -> None:
    """Each opener migrates under a lock; the later ones find the schema at head and do nothing.

    Without the lock the losers failed (SQLite: 'database is locked' from a stale read snapshot despite
    busy_timeout; PostgreSQL: UniqueViolation on pg_type), as 4 concurrent `shopsense init` processes showed.
    """
    start = threading.Barrier(OPENERS)
    errors: list[BaseException] = []

    def open_once() -> None:
        start.wait()
        try:
            open_database(database_url).close()
        except BaseException as exc:  # noqa: BLE001 - collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_once, daemon=True) for _ in range(OPENERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an opener is stuck"  # unlocked migrations could hang
    assert errors == []
    db = open_database(database_url)
    try:
        assert db.is_ready()
        with db.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() is not None
            assert len(connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()) == 1
    finally:
        db.close()
