"""Model registry: one row per trained model version, exactly one active version per model name.

Artifacts live in a directory per version (``params.json`` + ``.npy`` files, never pickle); the registry
row points at it. Activation flips the active flag inside one transaction, so readers see either the
old or the new version, never none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from shopsense.storage.codec import dump_json, from_ms, load_json, now_ms
from shopsense.storage.schema import model_versions


@dataclass(frozen=True)
class ModelVersion:
    name: str
    version: str
    path: Path
    metrics: dict[str, Any]
    created_at: datetime
    active: bool


def _from_row(row: Any) -> ModelVersion:
    return ModelVersion(
        row.name, row.version, Path(row.path), load_json(row.metrics, {}), from_ms(row.created_ms), bool(row.active)
    )


class ModelRegistry:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def register(self, name: str, version: str, path: Path, metrics: dict[str, Any], *, activate: bool = True) -> None:
        """Add a version; its ``created_ms`` is kept strictly after the previous one's, so order = registration."""
        table = model_versions
        with self._engine.connect().execution_options(write_lock=True) as connection, connection.begin():
            latest = connection.execute(select(func.max(table.c.created_ms)).where(table.c.name == name)).scalar()
            stamp = max(now_ms(), (latest or 0) + 1)
            connection.execute(
                table.insert().values(
                    name=name, version=version, path=str(path), metrics=dump_json(metrics), created_ms=stamp, active=False
                )
            )
        if activate:
            self.activate(name, version)

    def activate(self, name: str, version: str) -> bool:
        """Make ``version`` the only active one; False (nothing changed) when it does not exist."""
        table = model_versions
        # read then write: take SQLite's write lock up front, or a concurrent writer fails the upgrade at once
        with self._engine.connect().execution_options(write_lock=True) as connection, connection.begin():
            exists = connection.execute(
                select(table.c.version).where(table.c.name == name, table.c.version == version)
            ).first()
            if exists is None:
                return False
            connection.execute(table.update().where(table.c.name == name).values(active=False))
            connection.execute(table.update().where(table.c.name == name, table.c.version == version).values(active=True))
        return True

    def versions(self, name: str | None = None) -> list[ModelVersion]:
        query = select(model_versions).order_by(model_versions.c.created_ms, model_versions.c.version)
        if name is not None:
            query = query.where(model_versions.c.name == name)
        with self._engine.connect() as connection:
            return [_from_row(r) for r in connection.execute(query)]

    def active(self, name: str) -> ModelVersion | None:
        return next((v for v in self.versions(name) if v.active), None)

    def rollback(self, name: str) -> ModelVersion | None:
        """Activate the version registered just before the active one; None when there is none."""
        history = self.versions(name)
        current = next((i for i, v in enumerate(history) if v.active), None)
        if not current:
            return None
        previous = history[current - 1]
        self.activate(name, previous.version)
        return previous
