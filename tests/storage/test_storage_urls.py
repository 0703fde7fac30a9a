"""Backends are chosen by URL; anything else is refused with a clear error."""

from __future__ import annotations

import pytest

from shopsense.storage import DatabaseURLError, open_database
from shopsense.storage.database import create_db_engine


@pytest.mark.parametrize("url", ["mysql://user@host/db", "oracle://x", "not a url at all"])
def test_unsupported_or_unparsable_urls_are_refused(url: str) -> None:
    with pytest.raises(DatabaseURLError):
        open_database(url)


@pytest.mark.parametrize("prefix", ["postgres://", "postgresql://", "postgresql+psycopg2://"])
def test_postgresql_spellings_all_use_psycopg3(prefix: str) -> None:
    engine = create_db_engine(prefix + "user@127.0.0.1:1/db")  # no connection is made
    try:
        assert engine.dialect.name == "postgresql"
        assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()


def test_sqlite_file_is_created_with_its_directory_in_wal_mode(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "deep" / "er" / "store.db"
    db = open_database(f"sqlite:///{path}")
    try:
        assert path.is_file()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        db.close()
