"""Segment store: saved segment definitions (a JSON rule tree each, see ``shopsense.segments``) by name.

The store keeps whatever definition it is given; validation belongs to ``shopsense.segments``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Engine, delete, select

from shopsense.storage.codec import from_ms, load_json, now_ms, storable_id
from shopsense.storage.schema import segments
from shopsense.storage.sql import upsert


@dataclass(frozen=True)
class StoredSegment:
    name: str
    definition: Any
    description: str
    created_at: datetime
    updated_at: datetime


def _from_row(row: Any) -> StoredSegment:
    return StoredSegment(
        row.name, load_json(row.definition, None), row.description, from_ms(row.created_ms), from_ms(row.updated_ms)
    )


class SegmentStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def put(self, name: str, definition: Any, description: str = "") -> tuple[StoredSegment, bool]:
        """Create or replace the segment ``name`` (its creation time is kept); True when it is new."""
        stamp = now_ms()
        row = {"name": name, "definition": orjson.dumps(definition).decode(), "description": description,
               "created_ms": stamp, "updated_ms": stamp}  # fmt: skip
        with self._engine.begin() as connection:
            existed = connection.execute(select(segments.c.name).where(segments.c.name == name)).first() is not None
            upsert(connection, segments, [row], keep=("created_ms",))
            stored = connection.execute(select(segments).where(segments.c.name == name)).one()
        return _from_row(stored), not existed

    def get(self, name: str) -> StoredSegment | None:
        if not storable_id(name):
            return None
        with self._engine.connect() as connection:
            row = connection.execute(select(segments).where(segments.c.name == name)).first()
        return None if row is None else _from_row(row)

    def list(self) -> list[StoredSegment]:
        with self._engine.connect() as connection:
            return [_from_row(r) for r in connection.execute(select(segments).order_by(segments.c.name))]

    def delete(self, name: str) -> bool:
        if not storable_id(name):
            return False
        with self._engine.begin() as connection:
            return connection.execute(delete(segments).where(segments.c.name == name)).rowcount > 0
