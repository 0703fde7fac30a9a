"""Dialect-aware bulk statements: insert-if-absent and upsert, for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def _insert(connection: Connection, table: Table):  # noqa: ANN202 - dialect-specific Insert
    dialect = connection.dialect.name
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"no bulk insert for dialect {dialect!r}")


def insert_new(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], *, returning: str | None = None
) -> list[Any]:
    """Insert rows whose primary key is not yet stored; return the inserted keys when ``returning``."""
    if not rows:
        return []
    statement = _insert(connection, table).on_conflict_do_nothing()
    if returning is None:
        connection.execute(statement, list(rows))
        return []
    result = connection.execute(statement.returning(table.c[returning]), list(rows))
    return list(result.scalars())


def insert_tuples_new(connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Bulk insert-if-absent through the driver's ``executemany`` (bound parameters, no per-row overhead).

    The hot path for event ingestion; ``insert_new`` is its simple reference (a test checks they agree).
    """
    if not rows:
        return
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    keys = ", ".join(c.name for c in table.primary_key.columns)
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))}) "
        f"ON CONFLICT ({keys}) DO NOTHING"
    )
    connection.exec_driver_sql(sql, list(rows))


def stored_keys(connection: Connection, table: Table, column: str, values: Sequence[str]) -> set[str]:
    """Which of ``values`` are already stored in ``table.column``, in one round trip with one parameter."""
    if not values:
        return set()
    if connection.dialect.name == "sqlite":
        sql = f"SELECT {column} FROM {table.name} WHERE {column} IN (SELECT value FROM json_each(?))"
        parameter: Any = (orjson.dumps(list(values)).decode(),)
    else:
        sql = f"SELECT {column} FROM {table.name} WHERE {column} = ANY(%s)"
        parameter = (list(values),)
    return {row[0] for row in connection.exec_driver_sql(sql, parameter)}


def upsert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]], *, keep: Sequence[str] = ()) -> None:
    """Insert rows, or overwrite every non-key column of existing ones except those named in ``keep``."""
    if not rows:
        return
    statement = _insert(connection, table)
    keys = [c.name for c in table.primary_key.columns]
    updated = {
        name: statement.excluded[name]
        for name in rows[0]
        if name not in keys and name not in keep
    }
    connection.execute(statement.on_conflict_do_update(index_elements=keys, set_=updated), list(rows))
