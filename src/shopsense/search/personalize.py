"""Personal re-ranking of search results by the user's profile ("user portrait").

For a result i with relevance r_i (the ranker score, min-max scaled to [0, 1] over the results), the
personal score is

    s_i = r_i + λ · (a_cat(c_i) + a_brand(b_i) + a_band(p_i) + ρ · [c_i ∈ recent categories])

with the profile's normalised affinities a (0..1, from ``profiles``), ρ = 0.5 and λ the strength
(0 gives exactly the unpersonalised order). Every boosted result says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shopsense.search.facts import ItemFacts

RECENT_WEIGHT = 0.5
MIN_REASON = 0.05  # a boost below this is not worth a reason


@dataclass(frozen=True)
class Taste:
    categories: Mapping[str, float] = field(default_factory=dict)
    brands: Mapping[str, float] = field(default_factory=dict)
    bands: Mapping[str, float] = field(default_factory=dict)
    recent_categories: frozenset[str] = frozenset()

    @classmethod
    def of(cls, profile: Mapping[str, Any] | None) -> Taste:
        """From a rendered profile document (``GET /v1/users/{id}/profile``); empty without one."""
        if not profile:
            return cls()
        affinities = profile.get("affinities", {})
        return cls(
            categories=affinities.get("category", {}), brands=affinities.get("brand", {}),
            bands=affinities.get("price_band", {}),
            recent_categories=frozenset(profile.get("interests", {}).get("recent_categories", [])),
        )  # fmt: skip

    def __bool__(self) -> bool:
        return bool(self.categories or self.brands or self.bands or self.recent_categories)


def personal_boosts(taste: Taste, facts: ItemFacts, rows: np.ndarray, strength: float) -> tuple[np.ndarray, list[str]]:
    """(len(rows),) boosts λ·(…) and a reason per row ("" when not boosted)."""
    boosts = np.zeros(len(rows))
    reasons = [""] * len(rows)
    if strength == 0 or not taste:
        return boosts, reasons
    for j, row in enumerate(rows):
        category, brand, band = facts.category[row], facts.brand[row], facts.band[row]
        parts = [
            (taste.categories.get(category, 0.0), f"you often shop {category}"),
            (taste.brands.get(brand, 0.0), f"you like {brand}"),
            (taste.bands.get(band, 0.0) if band else 0.0, f"in your usual {band} price range"),
            (RECENT_WEIGHT if category and category in taste.recent_categories else 0.0, f"you recently viewed {category}"),
        ]
        boosts[j] = strength * sum(w for w, _ in parts)
        reasons[j] = "; ".join(text for w, text in parts if strength * w >= MIN_REASON)
    return boosts, reasons
