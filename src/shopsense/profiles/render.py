"""Presentable profile fields, derived from a user's state and the active profile model.

The reference time T (``as_of``) is the newest event in the store at the model's rebuild, moved
forward to the user's own newest event when that is later; so historical data sets give meaningful
recency and lifecycle values, and a periodic rebuild keeps a live store current.

* activity: first/last seen, days inactive = (T − last seen) / 1 day, events by type, sessions, and
  activity counts per UTC hour and weekday (Monday first).
* lifecycle, by days inactive d and days since first seen a (thresholds from the model's parameters):
  churned if d > ``churned_days``; at risk if d > ``active_days``; new if a ≤ ``active_days``; else active.
* rfm: :mod:`shopsense.profiles.rfm`.
* affinities: per kind (category, brand, shop, price band) the decayed sums s_k clipped at 0 and
  normalised, a_k = s_k / Σ s (sums ≤ 1e-9 count as 0; price bands always list all four bands).
* purchase_cycle: median gap in days between consecutive distinct purchase days, overall (≥ 2
  purchase days) and per category (≥ 3 purchase days in it).
* sentiment: number of scored reviews, their mean score and label; ratings and their mean.
* interests: the last category visits (latest first) and the predicted next categories
  (:mod:`shopsense.profiles.transitions`).
* tags: :mod:`shopsense.profiles.tags`.
"""

from __future__ import annotations

import time
from functools import lru_cache
from statistics import median
from typing import Any

from shopsense.profiles import rfm as rfm_rules
from shopsense.profiles.items import BANDS
from shopsense.profiles.model import ProfileModel
from shopsense.profiles.params import DAY_MS, ProfileParams
from shopsense.profiles.sentiment import sentiment_label
from shopsense.profiles.tags import tags
from shopsense.profiles.transitions import LAST_VISITS

NEGLIGIBLE = 1e-9


def iso(ms: int | None) -> str | None:
    """ISO-8601 UTC text to the second: ``2011-12-09T12:50:00Z``."""
    return None if ms is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms // 1000))


def as_of_ms(state: dict, model: ProfileModel) -> int | None:
    reference, last = model.reference_ms, state["last_ms"]
    return last if reference is None else reference if last is None else max(reference, last)


def _days(later: int | None, earlier: int | None) -> float | None:
    return None if later is None or earlier is None else round((later - earlier) / DAY_MS, 2)


@lru_cache(maxsize=64)
def _rule(stage: str, active: float, churned: float) -> str:
    return {
        "churned": f"no activity for more than {churned:g} days",
        "at risk": f"no activity for {active:g} to {churned:g} days",
        "new": f"first seen within {active:g} days",
        "active": f"active within {active:g} days, first seen earlier",
    }[stage]


def lifecycle(days_inactive: float | None, days_known: float | None, params: ProfileParams) -> dict[str, str | None]:
    if days_inactive is None or days_known is None:
        return {"stage": None, "rule": "no events yet"}
    if days_inactive > params.churned_days:
        stage = "churned"
    elif days_inactive > params.active_days:
        stage = "at risk"
    else:
        stage = "new" if days_known <= params.active_days else "active"
    return {"stage": stage, "rule": _rule(stage, params.active_days, params.churned_days)}


def normalised(sums: dict[str, float]) -> dict[str, float]:
    """Positive sums as shares of their total, largest first (ties by key)."""
    if not sums:
        return {}
    kept = {k: v for k, v in sums.items() if v > NEGLIGIBLE}
    total = sum(kept.values())
    return {k: round(v / total, 4) for k, v in sorted(kept.items(), key=lambda kv: (-kv[1], kv[0]))}


def _gap(days: list[int]) -> float | None:
    return float(median(b - a for a, b in zip(days, days[1:]))) if len(days) >= 2 else None


def last_visits(recent: list[list]) -> list[str]:
    """Categories of the latest visits, latest first (consecutive events in one category are one visit)."""
    visits: list[str] = []
    for _, _, category in recent:
        if not visits or visits[-1] != category:
            visits.append(category)
    return visits[::-1][:LAST_VISITS]


def _rfm(state: dict, as_of: int | None, model: ProfileModel) -> dict[str, Any]:
    values = rfm_rules.raw_values(state, as_of)
    recency, frequency, monetary = values
    scored = rfm_rules.scores(values, model.rfm_bounds)
    r, f, m = scored or (None, None, None)
    name = rfm_rules.PROSPECT if frequency == 0 else rfm_rules.segment(r, f) if scored else None
    return {"recency_days": None if recency is None else round(recency, 2), "frequency": frequency,
            "monetary": round(monetary, 2), "r": r, "f": f, "m": m, "segment": name}  # fmt: skip


def render(state: dict, model: ProfileModel) -> dict[str, Any]:
    """Every presentable section of the profile document (see docs/profile-schema.md)."""
    as_of = as_of_ms(state, model)
    inactive, known = _days(as_of, state["last_ms"]), _days(as_of, state["first_ms"])
    affinity = state["affinity"]
    bands = normalised(affinity["price_band"])
    visits = last_visits(state["recent"])
    reviews, ratings = state["reviews"], state["ratings"]
    mean = round(state["review_score"] / reviews, 3) if reviews else None
    doc: dict[str, Any] = {
        "activity": {
            "first_seen": iso(state["first_ms"]), "last_seen": iso(state["last_ms"]), "days_inactive": inactive,
            "events": state["events"], "sessions": len(state["sessions"]), "by_type": dict(sorted(state["by_type"].items())),
            "hours": state["hours"], "weekdays": state["weekdays"],
        },
        "rfm": _rfm(state, as_of, model),
        "lifecycle": lifecycle(inactive, known, model.params),
        "affinities": {
            "category": normalised(affinity["category"]), "brand": normalised(affinity["brand"]),
            "shop": normalised(affinity["shop"]), "price_band": {b: bands.get(b, 0.0) for b in BANDS} if bands else {},
        },
        "purchase_cycle": {
            "overall_days": _gap(state["purchase_days"]),
            "by_category": {c: _gap(d) for c, d in sorted(state["category_days"].items()) if len(d) >= 3},
        },
        "sentiment": {
            "reviews": reviews, "mean": mean, "label": sentiment_label(mean),
            "ratings": ratings, "rating_mean": round(state["rating_sum"] / ratings, 3) if ratings else None,
        },
        "interests": {
            "recent_categories": visits,
            "next_categories": [{"category": c, "probability": round(p, 4)} for c, p in model.transitions.predict(visits)],
        },
    }  # fmt: skip
    doc["tags"] = tags(state, doc, model)
    doc["as_of"] = iso(as_of)
    return doc
