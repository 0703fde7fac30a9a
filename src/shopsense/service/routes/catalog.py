"""Catalogue routes: batch upserts of items and users (admin), item reads (storefront) and a user's events (client)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from fastapi import APIRouter, Query, Request

from shopsense.service.auth import ADMIN, CLIENT, STOREFRONT
from shopsense.service.errors import ApiError
from shopsense.service.pseudonyms import stored_user_id
from shopsense.service.schemas import (
    EventOut,
    ItemBatch,
    ItemFlags,
    ItemOut,
    ShopBatch,
    UpsertResult,
    UserBatch,
    UserEvents,
)

router = APIRouter(prefix="/v1", tags=["catalogue"])


def _unique(ids: list[str], kind: str) -> None:
    seen: set[str] = set()
    repeated = sorted({i for i in ids if i in seen or seen.add(i)})
    if repeated:
        raise ApiError(422, f"{kind} ids repeated in one batch: {', '.join(repeated[:10])}")


@router.put("/items", response_model=UpsertResult, summary="Insert or replace items (at most 1,000)")
def put_items(batch: ItemBatch, request: Request, _key=ADMIN) -> UpsertResult:  # noqa: ANN001
    _unique([i.item_id for i in batch.items], "item")
    count = request.app.state.db.catalog.upsert_items([i.to_domain() for i in batch.items])
    return UpsertResult(upserted=count)


@router.get("/items/{item_id}", response_model=ItemOut)
def get_item(item_id: str, request: Request, _key=STOREFRONT) -> ItemOut:  # noqa: ANN001
    item = request.app.state.db.catalog.get_item(item_id)
    if item is None:
        raise ApiError(404, f"no item {item_id!r}")
    return ItemOut.of(item)


@router.patch("/items/{item_id}", response_model=ItemOut, summary="Hide/unhide an item or set it in/out of stock")
def patch_item(item_id: str, flags: ItemFlags, request: Request, _key=ADMIN) -> ItemOut:  # noqa: ANN001
    catalog = request.app.state.db.catalog
    if not catalog.set_item_flags(item_id, in_stock=flags.in_stock, hidden=flags.hidden):
        raise ApiError(404, f"no item {item_id!r}")
    return ItemOut.of(catalog.get_item(item_id))


@router.put("/users", response_model=UpsertResult, summary="Insert or replace users (at most 1,000)")
def put_users(batch: UserBatch, request: Request, _key=ADMIN) -> UpsertResult:  # noqa: ANN001
    _unique([u.user_id for u in batch.users], "user")
    found = [replace(u.to_domain(), user_id=stored_user_id(request, u.user_id)) for u in batch.users]
    count = request.app.state.db.catalog.upsert_users(found)
    return UpsertResult(upserted=count)


@router.put("/shops", response_model=UpsertResult, summary="Insert or replace shops (at most 1,000)")
def put_shops(batch: ShopBatch, request: Request, _key=ADMIN) -> UpsertResult:  # noqa: ANN001
    _unique([s.shop_id for s in batch.shops], "shop")
    count = request.app.state.db.catalog.upsert_shops([s.to_domain() for s in batch.shops])
    return UpsertResult(upserted=count)


@router.get("/users/{user_id}/events", response_model=UserEvents, summary="A user's events, newest first")
def get_user_events(
    user_id: str,
    request: Request,
    limit: int = Query(100, ge=1, le=1_000),
    before: datetime | None = Query(None, description="only events before this time (ISO-8601)"),
    _key=CLIENT,  # noqa: ANN001
) -> UserEvents:
    db = request.app.state.db
    if db.catalog.get_user(user_id) is None:
        raise ApiError(404, f"no user {user_id!r}")
    events = db.events.user_events(user_id, limit=limit, before=before)
    return UserEvents(user_id=user_id, events=[EventOut.of(e) for e in events])
