"""Fixtures over the hand-worked shop of ``handworked_shop``: loaded without a store, and in a store of each backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from handworked_shop import fill, tables

from shopsense.analytics.frame import EventLog, log_from_tables
from shopsense.storage import Database


@pytest.fixture
def log() -> Iterator[EventLog]:
    """The hand-worked shop, loaded without a store."""
    loaded = log_from_tables(*tables())
    yield loaded
    loaded.close()


@pytest.fixture
def shop(db: Database) -> Database:
    """The hand-worked shop in a store of each backend (``db`` comes from tests/conftest.py)."""
    return fill(db)
