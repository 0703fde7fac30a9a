"""Throw-away PostgreSQL databases (benchmarks, tests): created on a server, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shopsense.storage.database import normalise_url


@contextmanager
def scratch_postgres_database(server_url: str, prefix: str = "shopsense_scratch") -> Iterator[str]:
    """Yield the URL of a new empty database on the server of ``server_url``; drop it on exit."""
    url = make_url(normalise_url(server_url))
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
