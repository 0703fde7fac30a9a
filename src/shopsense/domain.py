"""Plain domain types shared by every layer (the data model of ARCHITECTURE.md).

Nothing here touches storage or the network: these are the values that move between layers.
Timestamps are timezone-aware UTC ``datetime`` objects; ids are strings chosen by the shop.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

DEFAULT_SHOP_ID = "default"


class EventType(str, enum.Enum):
    """Every kind of behaviour a shop can send. Training weights per type live in configuration."""

    VIEW = "view"
    CLICK = "click"
    ADD_TO_CART = "add_to_cart"
    REMOVE_FROM_CART = "remove_from_cart"
    FAVORITE = "favorite"
    PURCHASE = "purchase"
    REFUND = "refund"
    RATING = "rating"
    REVIEW = "review"
    SEARCH = "search"
    IMPRESSION = "impression"

    @property
    def needs_item(self) -> bool:
        """Every type but ``search`` refers to one item (an impression names the item shown)."""
        return self is not EventType.SEARCH


EVENT_TYPE_VALUES: frozenset[str] = frozenset(t.value for t in EventType)


@dataclass(frozen=True, slots=True)
class Shop:
    shop_id: str
    name: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Item:
    item_id: str
    title: str
    description: str = ""
    category: tuple[str, ...] = ()  # category path, root first: ("Home", "Kitchen", "Mugs")
    brand: str = ""
    price: float | None = None
    currency: str = ""
    shop_id: str = DEFAULT_SHOP_ID
    attributes: dict[str, Any] = field(default_factory=dict)
    in_stock: bool = True
    hidden: bool = False
    created_at: datetime | None = None

    @property
    def recommendable(self) -> bool:
        return self.in_stock and not self.hidden


@dataclass(frozen=True, slots=True)
class User:
    user_id: str
    attributes: dict[str, Any] = field(default_factory=dict)  # age band, gender, region ... all optional
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One piece of behaviour. ``event_id`` is the client's idempotency key."""

    event_id: str
    user_id: str
    type: EventType
    timestamp: datetime
    item_id: str | None = None
    session_id: str | None = None
    value: float | None = None  # rating 1-5, quantity, amount
    query: str | None = None  # search text
    recomm_id: str | None = None  # the result list a click came from
    position: int | None = None
    context: dict[str, Any] = field(default_factory=dict)  # device, page, review text ...


@dataclass(frozen=True, slots=True)
class Candidate:
    """One scored suggestion with where it came from and why, ready to show a shopper."""

    item_id: str
    score: float
    source: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    user_id: str | None = None
    filters: dict[str, Any] = field(default_factory=dict)
    page: int = 1
    page_size: int = 20
