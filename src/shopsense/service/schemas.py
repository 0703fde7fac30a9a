"""API schemas (separate from storage rows and domain types); handlers translate between them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Self

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from shopsense.domain import DEFAULT_SHOP_ID, Event, EventType, Item, Shop, User
from shopsense.storage.schema import ID_LENGTH


def _check_id(value: str) -> str:
    if value != value.strip():
        raise ValueError("ids must not start or end with whitespace")
    return value


Id = Annotated[str, StringConstraints(min_length=1, max_length=ID_LENGTH), AfterValidator(_check_id)]
MAX_BATCH = 1_000


_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(2999, 12, 31, tzinfo=UTC)


def _strings(value: Any) -> list[str]:
    """Every string in a JSON value, keys included; iterative, so any nesting depth is fine."""
    found, pending = [], [value]
    while pending:
        current = pending.pop()
        if isinstance(current, str):
            found.append(current)
        elif isinstance(current, dict):
            pending.extend(current.keys())
            pending.extend(current.values())
        elif isinstance(current, (list, tuple)):
            pending.extend(current)
    return found


class StrictIn(BaseModel):
    """A request body: unknown fields, NUL characters and unstorable JSON are refused (422)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _no_nul(self) -> Self:
        """NUL characters cannot be stored as text by PostgreSQL; refuse them on every backend."""
        for name in type(self).model_fields:
            value = getattr(self, name)
            if any("\x00" in s for s in _strings(value)):
                raise ValueError(f"{name} contains a NUL character")
            if isinstance(value, dict):
                try:
                    orjson.dumps(value)
                except (TypeError, orjson.JSONEncodeError) as exc:
                    raise ValueError(f"{name} cannot be stored as JSON: {exc}") from None
            if isinstance(value, datetime) and not _EARLIEST <= (value if value.tzinfo else value.replace(tzinfo=UTC)) <= _LATEST:
                raise ValueError(f"{name} must be between {_EARLIEST.year} and {_LATEST.year}")
        return self


class ItemIn(StrictIn):
    item_id: Id
    title: str = Field(min_length=1, max_length=1_000)
    description: str = Field(default="", max_length=20_000)
    category: list[str] = Field(default_factory=list, max_length=10, description="category path, root first")
    brand: str = Field(default="", max_length=200)
    price: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    currency: str = Field(default="", max_length=8)
    shop_id: str = Field(default=DEFAULT_SHOP_ID, min_length=1, max_length=ID_LENGTH)
    attributes: dict[str, Any] = Field(default_factory=dict)
    in_stock: bool = True
    hidden: bool = False
    created_at: datetime | None = None

    @field_validator("category")
    @classmethod
    def _category_names(cls, path: list[str]) -> list[str]:
        if any(not name.strip() or len(name) > 200 for name in path):
            raise ValueError("category names must be non-empty and at most 200 characters")
        return path

    def to_domain(self) -> Item:
        return Item(**{**self.model_dump(), "category": tuple(self.category)})


class ItemOut(BaseModel):
    item_id: str
    title: str
    description: str
    category: list[str]
    brand: str
    price: float | None
    currency: str
    shop_id: str
    attributes: dict[str, Any]
    in_stock: bool
    hidden: bool
    created_at: datetime | None

    @classmethod
    def of(cls, item: Item) -> ItemOut:
        return cls(**{**{f: getattr(item, f) for f in cls.model_fields if f != "category"}, "category": list(item.category)})


class ItemFlags(StrictIn):
    in_stock: bool | None = None
    hidden: bool | None = None


class UserIn(StrictIn):
    user_id: Id
    attributes: dict[str, Any] = Field(default_factory=dict, description="age band, gender, region … all optional")
    created_at: datetime | None = None

    def to_domain(self) -> User:
        return User(**self.model_dump())


class ShopIn(StrictIn):
    shop_id: Id
    name: str = Field(default="", max_length=500)
    attributes: dict[str, Any] = Field(default_factory=dict)

    def to_domain(self) -> Shop:
        return Shop(**self.model_dump())


class ShopBatch(StrictIn):
    shops: list[ShopIn] = Field(max_length=MAX_BATCH)


class ItemBatch(StrictIn):
    items: list[ItemIn] = Field(max_length=MAX_BATCH)


class UserBatch(StrictIn):
    users: list[UserIn] = Field(max_length=MAX_BATCH)


class UpsertResult(BaseModel):
    upserted: int


class EventOut(BaseModel):
    event_id: str
    user_id: str
    session_id: str | None
    type: str
    item_id: str | None
    value: float | None
    query: str | None
    recomm_id: str | None
    position: int | None
    timestamp: datetime
    context: dict[str, Any]

    @classmethod
    def of(cls, event: Event) -> EventOut:
        return cls(**{f: getattr(event, f) for f in cls.model_fields if f != "type"}, type=event.type.value)


class UserEvents(BaseModel):
    user_id: str
    events: list[EventOut]


class EventResult(BaseModel):
    index: int = Field(description="position of the event in the request's list, from 0")
    event_id: str | None
    status: Literal["accepted", "duplicate", "rejected"]
    reason: str | None = None


class EventBatchResult(BaseModel):
    accepted: int
    duplicate: int
    rejected: int
    results: list[EventResult]


EVENT_BATCH_SCHEMA = {
    "type": "object",
    "required": ["events"],
    "additionalProperties": False,
    "properties": {
        "events": {
            "type": "array",
            "maxItems": MAX_BATCH,
            "description": "Each event is checked on its own; invalid ones are rejected with a reason, the rest stored.",
            "items": {
                "type": "object",
                "required": ["event_id", "user_id", "type", "timestamp"],
                "properties": {
                    "event_id": {"type": "string", "description": "idempotency key"},
                    "user_id": {"type": "string"},
                    "session_id": {"type": "string"},
                    "type": {"type": "string", "enum": sorted(t.value for t in EventType)},
                    "item_id": {"type": "string", "description": "required for every type but search"},
                    "value": {"type": "number", "description": "rating 1-5, quantity, amount"},
                    "query": {"type": "string"},
                    "recomm_id": {"type": "string"},
                    "position": {"type": "integer", "minimum": 0},
                    "timestamp": {"type": ["string", "number"], "description": "ISO-8601 or epoch seconds"},
                    "context": {"type": "object"},
                    "text": {"type": "string", "description": "review text (stored as context.text)"},
                },
            },
        }
    },
}
