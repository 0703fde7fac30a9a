"""Profile hyper-parameters: typed, with defaults, saved with every profile model version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from shopsense.config import DEFAULT_EVENT_WEIGHTS

DAY_MS = 86_400_000


@dataclass(frozen=True)
class ProfileParams:
    """How profiles are computed. Changing a value takes effect for everyone at the next rebuild.

    * ``half_life_days`` h: an event ``d`` days older than the user's newest event weighs
      ``w_type · 2^(-d/h)`` in the affinities.
    * ``event_weights``: ``w_type`` per event type (the training weights of the settings).
    * ``active_days`` / ``churned_days``: lifecycle thresholds (see :mod:`shopsense.profiles.render`).
    * ``session_window_minutes``: events without a session id are grouped into fixed clock windows of
      this length, each window counting as one session.
    * ``recent_events``: how many of the user's latest category-bearing events are kept for the
      next-category prediction.
    """

    half_life_days: float = 30.0
    event_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_EVENT_WEIGHTS))
    active_days: float = 30.0
    churned_days: float = 90.0
    session_window_minutes: int = 30
    recent_events: int = 10

    def __post_init__(self) -> None:
        if self.half_life_days <= 0:
            raise ValueError("half_life_days must be positive")
        if not 0 < self.active_days < self.churned_days:
            raise ValueError("need 0 < active_days < churned_days")
        if self.session_window_minutes < 1 or self.recent_events < 1:
            raise ValueError("session_window_minutes and recent_events must be at least 1")

    @property
    def half_life_ms(self) -> float:
        return self.half_life_days * DAY_MS

    @property
    def session_window_ms(self) -> int:
        return self.session_window_minutes * 60_000

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "event_weights": dict(self.event_weights)}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> ProfileParams:
        return cls(**values)
