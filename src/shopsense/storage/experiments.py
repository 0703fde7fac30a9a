"""Experiment store: A/B test definitions (a JSON document each, see ``shopsense.serving.experiments``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from shopsense.storage.codec import dump_json, from_ms, load_json, now_ms
from shopsense.storage.schema import experiments
from shopsense.storage.sql import insert_new


@dataclass(frozen=True)
class StoredExperiment:
    experiment_id: str
    definition: dict[str, Any]
    status: str  # running | stopped
    created_at: datetime
    updated_at: datetime


def _from_row(row: Any) -> StoredExperiment:
    return StoredExperiment(
        row.experiment_id, load_json(row.definition, {}), row.status, from_ms(row.created_ms), from_ms(row.updated_ms)
    )


class ExperimentStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def create(self, experiment_id: str, definition: dict[str, Any]) -> bool:
        """Store a new running experiment; False when the id is taken."""
        stamp = now_ms()
        row = {"experiment_id": experiment_id, "definition": dump_json(definition), "status": "running",
               "created_ms": stamp, "updated_ms": stamp}  # fmt: skip
        with self._engine.begin() as connection:
            return bool(insert_new(connection, experiments, [row], returning="experiment_id"))

    def get(self, experiment_id: str) -> StoredExperiment | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(experiments).where(experiments.c.experiment_id == experiment_id)).first()
        return None if row is None else _from_row(row)

    def list(self, status: str | None = None) -> list[StoredExperiment]:
        query = select(experiments).order_by(experiments.c.created_ms, experiments.c.experiment_id)
        if status is not None:
            query = query.where(experiments.c.status == status)
        with self._engine.connect() as connection:
            return [_from_row(r) for r in connection.execute(query)]

    def set_status(self, experiment_id: str, status: str) -> bool:
        with self._engine.begin() as connection:
            result = connection.execute(
                experiments.update().where(experiments.c.experiment_id == experiment_id)
                .values(status=status, updated_ms=now_ms())
            )  # fmt: skip
        return result.rowcount > 0
