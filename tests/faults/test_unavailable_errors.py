"""``is_unavailable_error`` tells "the database cannot serve now" (503, retry) from a faulty statement (500)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fault_kit import free_port
from sqlalchemy import create_engine, text

from shopsense.storage import Database
from shopsense.storage.database import is_unavailable_error, normalise_url


def _raised(call) -> BaseException:
    with pytest.raises(Exception) as caught:
        call()
    return caught.value


def test_a_refused_postgresql_connection_is_unavailable_wrapped_or_bare() -> None:
    engine = create_engine(normalise_url(f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"))  # nothing listens
    try:
        assert is_unavailable_error(_raised(engine.connect))  # sqlalchemy.exc.OperationalError
        assert is_unavailable_error(_raised(engine.raw_connection))  # bare psycopg error (serving hot path)
    finally:
        engine.dispose()


def test_a_locked_sqlite_database_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    try:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        assert is_unavailable_error(_raised(lambda: other.execute("BEGIN IMMEDIATE")))
        other.close()
    finally:
        holder.close()


def test_a_faulty_statement_is_not_unavailable(db: Database) -> None:  # both backends
    with db.engine.connect() as connection:
        assert not is_unavailable_error(_raised(lambda: connection.execute(text("SELECT nope FROM no_such_table"))))
    assert not is_unavailable_error(ValueError("not a database error"))
