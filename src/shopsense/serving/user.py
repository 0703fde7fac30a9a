"""What a request knows about its user: the newest events, read from the store at request time."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from shopsense.models.base import UserContext
from shopsense.serving.catalog import CatalogSnapshot
from shopsense.storage.serving import Action

POSITIVE = frozenset({"view", "click", "add_to_cart", "favorite", "purchase", "rating", "review"})
_DAY_MS = 86_400_000


@dataclass(frozen=True)
class UserState:
    user_id: str
    history: tuple[Action, ...]  # newest first
    context: UserContext  # recent positive items, oldest first, for the models
    recent_rows: np.ndarray  # catalogue rows of the recent positive items, newest first, unique
    attributes: dict = field(default_factory=dict)

    @classmethod
    def of(cls, user_id: str, history: list[Action], catalog: CatalogSnapshot, attributes: dict | None = None) -> UserState:
        items = [a.item_id for a in history if a.type in POSITIVE and a.item_id is not None]
        ordered = list(dict.fromkeys(items))  # newest first, unique
        rows = catalog.rows(ordered)
        context = UserContext(user_id=user_id, recent_items=tuple(reversed(items)), attributes=attributes or {})
        return cls(user_id, tuple(history), context, rows, attributes or {})

    @property
    def cold(self) -> bool:
        return len(self.recent_rows) == 0

    def purchased_since(self, since_ms: int) -> set[str]:
        return {a.item_id for a in self.history if a.type == "purchase" and a.ts_ms >= since_ms and a.item_id}

    def acted_on(self, item_id: str) -> str:
        """The verb for the user's newest positive event on ``item_id`` ("viewed", "bought", …)."""
        kind = next((a.type for a in self.history if a.item_id == item_id and a.type in POSITIVE), "view")
        return {"purchase": "bought", "add_to_cart": "added to your cart", "favorite": "saved", "rating": "rated",
                "review": "reviewed", "click": "viewed"}.get(kind, "viewed")  # fmt: skip

    def category_shares(self, catalog: CatalogSnapshot, last: int = 20) -> dict[str, float]:
        """Share of each leaf category among the newest ``last`` recent items (empty categories left out)."""
        leaves = [catalog.leaf[r] for r in self.recent_rows[:last] if catalog.leaf[r]]
        if not leaves:
            return {}
        names, counts = np.unique(np.asarray(leaves, dtype=object), return_counts=True)
        return {str(n): float(c) / len(leaves) for n, c in zip(names, counts)}


def days_ago_ms(now_ms: int, days: float) -> int:
    return now_ms - int(days * _DAY_MS)
