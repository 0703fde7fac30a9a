"""Every analysis by name: the names of ``GET /v1/analytics/{name}`` and the sections of the report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shopsense.analytics.activity import heatmap, overview, sessions
from shopsense.analytics.clusters import clusters
from shopsense.analytics.common import clean
from shopsense.analytics.copurchase import co_purchase
from shopsense.analytics.frame import EventLog
from shopsense.analytics.funnel import funnel
from shopsense.analytics.popularity import popularity
from shopsense.analytics.retention import cohorts, repeat_purchase
from shopsense.analytics.rfm import rfm

Analysis = Callable[[EventLog], dict[str, Any]]

ANALYSES: dict[str, Analysis] = {
    "overview": overview,
    "funnel": funnel,
    "cohorts": cohorts,
    "repeat-purchase": repeat_purchase,
    "rfm": rfm,
    "clusters": clusters,
    "popularity": popularity,
    "co-purchase": co_purchase,
    "heatmap": heatmap,
    "sessions": sessions,
}


def compute(log: EventLog, name: str) -> dict[str, Any]:
    """The JSON-ready result of analysis ``name`` (a key of ``ANALYSES``) over ``log``."""
    if name not in ANALYSES:
        raise KeyError(f"unknown analysis {name!r}; known: {', '.join(ANALYSES)}")
    return clean(ANALYSES[name](log))
