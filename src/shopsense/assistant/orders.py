"""A user's orders, read only from their events: purchases and refunds grouped by ``session_id``.

The event log knows what was bought and what was refunded, not parcels or carriers, so an order's state
is one of: ``purchased`` (purchase events only), ``refunded`` (refund events only, e.g. a cancellation
invoice) or ``partly refunded`` (both). Unit prices come from the event context (``unit_price``) when
the shop sent them; quantities from ``value``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from shopsense.domain import Event, EventType
from shopsense.storage.events import EventStore

ORDER_TYPES = (EventType.PURCHASE, EventType.REFUND)
STATES = {"purchased": "已购买", "refunded": "已退款", "partly refunded": "部分退款"}


@dataclass(frozen=True)
class OrderLine:
    item_id: str
    quantity: float | None
    unit_price: float | None
    refund: bool


@dataclass(frozen=True)
class Order:
    order_id: str
    placed_at: datetime  # the newest event of the order
    lines: tuple[OrderLine, ...]

    @property
    def state(self) -> str:
        refunds = {line.refund for line in self.lines}
        return "partly refunded" if refunds == {True, False} else "refunded" if True in refunds else "purchased"


def user_orders(events: EventStore, user_id: str, *, scan: int = 1000) -> list[Order]:
    """The user's orders, newest first, from their latest ``scan`` events."""
    grouped: dict[str, list[Event]] = {}
    for event in events.user_events(user_id, limit=scan):
        if event.type in ORDER_TYPES and event.item_id:
            grouped.setdefault(event.session_id or event.event_id, []).append(event)
    orders = [
        Order(
            order_id,
            max(e.timestamp for e in group),
            tuple(
                OrderLine(e.item_id, e.value, _unit_price(e), e.type is EventType.REFUND)
                for e in sorted(group, key=lambda e: (e.timestamp, e.event_id))
            ),
        )
        for order_id, group in grouped.items()
    ]
    return sorted(orders, key=lambda o: (o.placed_at, o.order_id), reverse=True)


def _unit_price(event: Event) -> float | None:
    price = event.context.get("unit_price") if isinstance(event.context, dict) else None
    return float(price) if isinstance(price, (int, float)) and not isinstance(price, bool) else None


def find_order(orders: list[Order], text: str) -> Order | None:
    """The order whose id the message mentions, else the newest one."""
    for order in orders:
        if re.search(rf"(?<![\w-]){re.escape(order.order_id)}(?![\w-])", text, re.IGNORECASE):
            return order
    return orders[0] if orders else None
