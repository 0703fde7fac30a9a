"""Reads and small writes the recommendation server needs on every request or every few seconds.

Each request reads only the user's newest events through the ``(user_id, ts_ms)`` index and the
hidden/in-stock flags of the few items about to be returned (primary-key lookups); everything else the
server keeps in memory (``shopsense.serving``).

On PostgreSQL these per-request reads use a pool of their own in autocommit mode without a ping on
checkout: one network round trip per read instead of four (ping, BEGIN, the query, ROLLBACK). A pooled
connection that the server closed meanwhile (a restart) fails its read once; it is then discarded and
the read retried once on a new connection, so a recovered database is served at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select

from shopsense.storage.codec import dump_json, load_json, now_ms, storable_id
from shopsense.storage.database import hot_read_engine, is_unavailable_error
from shopsense.storage.schema import events, items, scenario_rules, users
from shopsense.storage.sql import upsert


@dataclass(frozen=True, slots=True)
class Action:
    """One past event of a user, as the server needs it."""

    type: str
    item_id: str | None
    ts_ms: int


class ServingReads:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._hot = hot_read_engine(engine)

    def close(self) -> None:
        if self._hot is not self._engine:
            self._hot.dispose()

    def _rows(self, sql: str, parameters: tuple) -> list[tuple]:
        """A hot-path read as plain driver SQL on a pooled DB-API connection (no statement compilation,
        no transaction bookkeeping); ``?`` marks parameters."""
        if self._hot.dialect.paramstyle != "qmark":
            sql = sql.replace("?", "%s")
        for attempt in (1, 2):
            connection = self._hot.raw_connection()
            try:
                cursor = connection.cursor()
                cursor.execute(sql, parameters)
                rows = cursor.fetchall()
                cursor.close()
                return rows
            except Exception as exc:
                if attempt == 2 or self._hot is self._engine or not is_unavailable_error(exc):
                    raise
                connection.invalidate()  # closed by the server meanwhile: retry once on a new connection
            finally:
                connection.close()
        raise AssertionError("unreachable")

    def recent_actions(self, user_id: str, limit: int = 100) -> list[Action]:
        """The user's newest ``limit`` events, newest first (a range scan of the (user_id, ts_ms) index)."""
        if not storable_id(user_id):
            return []
        sql = f"SELECT type, item_id, ts_ms FROM {events.name} WHERE user_id = ? ORDER BY ts_ms DESC, event_id DESC LIMIT ?"
        return [Action(*row) for row in self._rows(sql, (user_id, limit))]

    def recommendable(self, item_ids: Sequence[str]) -> set[str]:
        """Which of ``item_ids`` exist, are in stock and not hidden right now (primary-key lookups)."""
        wanted = [i for i in item_ids if storable_id(i)]
        if not wanted:
            return set()
        marks = ", ".join("?" * len(wanted))
        sql = f"SELECT item_id FROM {items.name} WHERE item_id IN ({marks}) AND in_stock AND NOT hidden"
        return {row[0] for row in self._rows(sql, tuple(wanted))}

    def user_attributes(self, user_id: str) -> dict[str, Any]:
        """The user's stored attributes ({} for unknown users): one primary-key read."""
        if not storable_id(user_id):
            return {}
        found = self._rows(f"SELECT attributes FROM {users.name} WHERE user_id = ?", (user_id,))
        return load_json(found[0][0] if found else None, {})

    def catalogue_version(self) -> tuple[int, int]:
        """(number of items, newest ``updated_ms``): changes whenever an item is added or changed."""
        with self._engine.connect() as connection:
            count, newest = connection.execute(select(func.count(), func.max(items.c.updated_ms))).one()
        return int(count), int(newest or 0)

    def scenario_rules(self) -> dict[str, Any]:
        """Every scenario's stored rules document, by scenario."""
        with self._engine.connect() as connection:
            rows = connection.execute(select(scenario_rules)).all()
        return {row.scenario: load_json(row.rules, {}) for row in rows}

    def put_scenario_rules(self, scenario: str, rules: dict[str, Any]) -> None:
        row = {"scenario": scenario, "rules": dump_json(rules) or "{}", "updated_ms": now_ms()}
        with self._engine.begin() as connection:
            upsert(connection, scenario_rules, [row])
