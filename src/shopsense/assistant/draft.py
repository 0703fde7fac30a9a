"""What an answer is made of before it is worded: fact lines, their sources, the items shown, and flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    kind: str  # catalog | orders | knowledge | co_purchase | search | recommender
    id: str
    title: str = ""


@dataclass(frozen=True)
class ShownItem:
    item_id: str
    title: str
    price: float | None
    currency: str
    in_stock: bool
    score: float
    source: str
    reason: str


@dataclass
class Draft:
    """``lines`` joined are the template answer; an LLM may reword them but gets nothing else."""

    lines: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    items: list[ShownItem] = field(default_factory=list)
    grounded: bool = True  # False: no fact was found, or we asked to clarify
    handoff: bool = False
    state: dict[str, Any] = field(default_factory=dict)  # what a follow-up may refer to

    @property
    def text(self) -> str:
        return "\n".join(self.lines)
