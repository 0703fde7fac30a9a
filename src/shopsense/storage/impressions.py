"""Impressions (one row per item shown in a recommendation list) and the events attributed to them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from shopsense.storage.schema import events, impressions, items
from shopsense.storage.sql import insert_tuples_new

IMPRESSION_COLUMNS: tuple[str, ...] = tuple(c.name for c in impressions.columns)


class ImpressionStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, rows: Sequence[tuple]) -> None:
        """Store impression rows (tuples in ``IMPRESSION_COLUMNS`` order) in one transaction, through the
        driver's executemany; re-sent rows are ignored."""
        if not rows:
            return
        with self._engine.begin() as connection:
            insert_tuples_new(connection, impressions, IMPRESSION_COLUMNS, rows)

    def shown(self, recomm_id: str) -> pd.DataFrame:
        """The rows of one list, by position."""
        query = select(impressions).where(impressions.c.recomm_id == recomm_id).order_by(impressions.c.position)
        return self._frame(query, IMPRESSION_COLUMNS)

    def of_experiment(self, experiment_id: str) -> pd.DataFrame:
        """Every impression row of an experiment (columns ``IMPRESSION_COLUMNS``)."""
        return self._frame(select(impressions).where(impressions.c.experiment_id == experiment_id), IMPRESSION_COLUMNS)

    def attributed_events(self, experiment_id: str) -> pd.DataFrame:
        """Events that carry the ``recomm_id`` of a list logged in the experiment, with the price of their
        item: columns user_id, type, item_id, value, recomm_id, position, ts_ms, price."""
        shown = select(impressions.c.recomm_id).distinct().where(impressions.c.experiment_id == experiment_id)
        columns = ("user_id", "type", "item_id", "value", "recomm_id", "position", "ts_ms", "price")
        query = (
            select(*(events.c[c] for c in columns[:-1]), items.c.price)
            .select_from(events.outerjoin(items, items.c.item_id == events.c.item_id))
            .where(events.c.recomm_id.in_(shown))
        )
        return self._frame(query, columns)

    def _frame(self, query: Any, columns: Sequence[str]) -> pd.DataFrame:
        with self._engine.connect() as connection:
            return pd.DataFrame(connection.execute(query).all(), columns=list(columns))
