"""The one interface every recommender implements (ARCHITECTURE.md, house style 1)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Self

from shopsense.data.interactions import Interactions
from shopsense.domain import Candidate


@dataclass(frozen=True)
class UserContext:
    """What the caller knows about the user at request time; recent history counts at once."""

    user_id: str | None = None
    recent_items: Sequence[str] = ()  # oldest first
    attributes: dict = field(default_factory=dict)


class Recommender(Protocol):
    name: str

    def fit(self, interactions: Interactions, *, seed: int = 0) -> Self: ...

    def recommend(
        self, user: UserContext, k: int, *, exclude: Collection[str] = (), candidates: Collection[str] | None = None
    ) -> list[Candidate]: ...

    def save(self, directory: Path) -> None: ...

    @classmethod
    def load(cls, directory: Path) -> Self: ...
