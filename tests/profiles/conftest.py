"""Fixtures over the synthetic shop of ``profile_shop``: SQLite only, or every storage backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from profile_shop import catalogue, open_shop

from shopsense.storage import Database, open_database


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Database]:
    """An SQLite store with the synthetic catalogue and no events."""
    db = open_shop(tmp_path)
    yield db
    db.close()


@pytest.fixture
def shop_db(database_url: str) -> Iterator[Database]:
    """The synthetic catalogue on every storage backend (for what touches the store's SQL)."""
    db = open_database(database_url)
    db.catalog.upsert_items(catalogue())
    yield db
    db.close()
