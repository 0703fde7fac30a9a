"""Catalogue store: items, users and shops, with batch upserts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine, func, select

from shopsense.domain import Item, Shop, User
from shopsense.storage.codec import dump_json, from_ms, load_json, now_ms, storable_id, to_ms
from shopsense.storage.schema import items, shops, users
from shopsense.storage.sql import insert_new, upsert

_BATCH = 2_000


def _chunks(rows: Sequence[dict[str, Any]], size: int = _BATCH) -> Iterable[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def item_row(item: Item, stamp: int) -> dict[str, Any]:
    return {
        "item_id": item.item_id,
        "title": item.title,
        "description": item.description,
        "category": dump_json(list(item.category)),
        "brand": item.brand,
        "price": item.price,
        "currency": item.currency,
        "shop_id": item.shop_id,
        "attributes": dump_json(item.attributes),
        "in_stock": item.in_stock,
        "hidden": item.hidden,
        "created_ms": to_ms(item.created_at) if item.created_at else stamp,
        "updated_ms": stamp,
    }


def item_from_row(row: Any) -> Item:
    return Item(
        item_id=row.item_id,
        title=row.title,
        description=row.description,
        category=tuple(load_json(row.category, [])),
        brand=row.brand,
        price=row.price,
        currency=row.currency,
        shop_id=row.shop_id,
        attributes=load_json(row.attributes, {}),
        in_stock=bool(row.in_stock),
        hidden=bool(row.hidden),
        created_at=from_ms(row.created_ms),
    )


def _user_from_row(row: Any) -> User:
    return User(user_id=row.user_id, attributes=load_json(row.attributes, {}), created_at=from_ms(row.created_ms))


class Catalog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def upsert_items(self, batch: Sequence[Item]) -> int:
        """Insert or replace items (``created_at`` of an existing item is kept). Atomic per call."""
        stamp = now_ms()
        rows = [item_row(item, stamp) for item in batch]
        keep = ("created_ms",)
        with self._engine.begin() as connection:
            for chunk in _chunks(rows):
                upsert(connection, items, chunk, keep=keep)
        return len(rows)

    def get_item(self, item_id: str) -> Item | None:
        found = self.get_items([item_id])
        return found.get(item_id)

    def get_items(self, item_ids: Sequence[str]) -> dict[str, Item]:
        result: dict[str, Item] = {}
        item_ids = [i for i in item_ids if storable_id(i)]
        with self._engine.connect() as connection:
            for start in range(0, len(item_ids), _BATCH):
                wanted = list(item_ids[start : start + _BATCH])
                for row in connection.execute(select(items).where(items.c.item_id.in_(wanted))):
                    result[row.item_id] = item_from_row(row)
        return result

    def iter_items(self) -> Iterable[Item]:
        with self._engine.connect() as connection:
            for row in connection.execute(select(items).order_by(items.c.item_id)):
                yield item_from_row(row)

    def set_item_flags(self, item_id: str, *, in_stock: bool | None = None, hidden: bool | None = None) -> bool:
        if not storable_id(item_id):
            return False
        changes: dict[str, Any] = {"updated_ms": now_ms()}
        if in_stock is not None:
            changes["in_stock"] = in_stock
        if hidden is not None:
            changes["hidden"] = hidden
        with self._engine.begin() as connection:
            result = connection.execute(items.update().where(items.c.item_id == item_id).values(**changes))
        return result.rowcount > 0

    def upsert_users(self, batch: Sequence[User]) -> int:
        stamp = now_ms()
        rows = [
            {
                "user_id": user.user_id,
                "attributes": dump_json(user.attributes),
                "created_ms": to_ms(user.created_at) if user.created_at else stamp,
            }
            for user in batch
        ]
        with self._engine.begin() as connection:
            for chunk in _chunks(rows):
                upsert(connection, users, chunk, keep=("created_ms",))
        return len(rows)

    def get_user(self, user_id: str) -> User | None:
        if not storable_id(user_id):
            return None
        with self._engine.connect() as connection:
            row = connection.execute(select(users).where(users.c.user_id == user_id)).first()
        return None if row is None else _user_from_row(row)

    def upsert_shops(self, batch: Sequence[Shop]) -> int:
        stamp = now_ms()
        rows = [
            {"shop_id": s.shop_id, "name": s.name, "attributes": dump_json(s.attributes), "created_ms": stamp}
            for s in batch
        ]
        with self._engine.begin() as connection:
            upsert(connection, shops, rows, keep=("created_ms",))
        return len(rows)

    def get_shop(self, shop_id: str) -> Shop | None:
        if not storable_id(shop_id):
            return None
        with self._engine.connect() as connection:
            row = connection.execute(select(shops).where(shops.c.shop_id == shop_id)).first()
        if row is None:
            return None
        return Shop(shop_id=row.shop_id, name=row.name, attributes=load_json(row.attributes, {}))

    def counts(self) -> dict[str, int]:
        with self._engine.connect() as connection:
            return {
                name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in (("items", items), ("users", users), ("shops", shops))
            }


def ensure_users(connection: Any, first_seen_ms: dict[str, int]) -> None:
    """Create bare user rows for ids first seen in events (inside the caller's transaction)."""
    rows = [{"user_id": uid, "attributes": None, "created_ms": ms} for uid, ms in first_seen_ms.items()]
    for chunk in _chunks(rows):
        insert_new(connection, users, chunk)
