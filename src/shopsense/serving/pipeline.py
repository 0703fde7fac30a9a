"""One recommendation request, end to end: recall → fuse → rules → diversity → explain (→ impressions).

The caller (``runtime.Runtime.recommend``) passes the current Snapshot; everything here reads that one
value plus the store's ``ServingReads`` (the user's newest events, and the flags of the items about to be
returned), so it is safe to run in many threads while a new Snapshot is being built.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shopsense.serving.diversity import diversify
from shopsense.serving.experiments import Variant
from shopsense.serving.explain import reasons
from shopsense.serving.rank import Fused, fuse
from shopsense.serving.rules import (
    RequestFilters,
    ScenarioRules,
    adjust_scores,
    place_pins,
)
from shopsense.serving.scenarios import SCENARIOS, ScenarioError, Scope
from shopsense.serving.snapshot import Snapshot
from shopsense.serving.sources import Proposal
from shopsense.serving.user import UserState, days_ago_ms
from shopsense.storage.serving import ServingReads

HISTORY = 100  # newest events read per request
COLD_EVENTS = 5  # below this many events the user's attributes are read too (cold start)


@dataclass(frozen=True)
class RecommendationRequest:
    user_id: str
    scenario: str = "for_you"
    n: int = 10
    items: tuple[str, ...] = ()  # the product page's item, or the cart
    filters: RequestFilters = field(default_factory=RequestFilters)
    overrides: dict[str, Any] = field(default_factory=dict)  # ScenarioRules fields for this request only


@dataclass(frozen=True)
class Recommended:
    id: str  # an item id (a shop id for the "shops" scenario)
    score: float
    source: str
    reason: str
    title: str


@dataclass(frozen=True)
class Recommendations:
    recomm_id: str
    scenario: str
    user_id: str
    items: list[Recommended]
    experiment_id: str | None = None
    variant: str | None = None
    models: dict[str, str] = field(default_factory=dict)  # slot -> version used


def _models(snapshot: Snapshot, variant: Variant | None) -> dict:
    models = dict(snapshot.models)
    for slot, version in (variant.models if variant else {}).items():
        pinned = snapshot.model(slot, version)
        if pinned is not None:  # a pinned version that cannot be loaded falls back to the active one
            models[slot] = pinned
    return models


def recommend(snapshot: Snapshot, reads: ServingReads, request: RecommendationRequest) -> Recommendations:
    scenario = SCENARIOS[request.scenario]
    catalog = snapshot.catalog
    anchors = catalog.rows(request.items)
    if scenario.needs_items and len(anchors) == 0:
        raise ScenarioError(f"scenario {scenario.name} needs items= naming at least one catalogue item")
    if scenario.needs_category and request.filters.category is None:
        raise ScenarioError(f"scenario {scenario.name} needs category=")
    experiment = snapshot.experiment_for(scenario.name)
    variant = experiment.assign(request.user_id) if experiment else None
    rules = snapshot.rules[scenario.name]
    for overrides in (variant.rules if variant else {}, request.overrides):
        rules = rules.merged(overrides) if overrides else rules
    now_ms = int(time.time() * 1000)
    history = reads.recent_actions(request.user_id, HISTORY)
    attributes = reads.user_attributes(request.user_id) if len(history) < COLD_EVENTS else {}
    user = UserState.of(request.user_id, history, catalog, attributes)
    models = _models(snapshot, variant)
    scope = Scope(snapshot, user, models, anchors, request.filters.category, max(50, 5 * request.n), now_ms)
    proposals = scenario.propose(scope)
    rows, scores, origin = _ranked(snapshot, user, anchors, fuse(proposals, rules.source_weights), rules, request, now_ms)
    if scenario.per_shop:
        items = _per_shop(snapshot, rows, scores, request.n)
    else:
        items = _final(snapshot, reads, user, rows, scores, [proposals[o] for o in origin], rules, request)
    return Recommendations(
        secrets.token_hex(12), scenario.name, request.user_id, items,
        experiment.experiment_id if variant else None, variant.name if variant else None,
        {slot: m.version for slot, m in models.items()},
    )  # fmt: skip


def _ranked(
    snapshot: Snapshot, user: UserState, anchors: np.ndarray, fused: Fused, rules: ScenarioRules,
    request: RecommendationRequest, now_ms: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """The eligible fused rows with their adjusted scores and main-source indices, best first."""
    catalog = snapshot.catalog
    excluded = [anchors]
    if rules.exclude_purchased_days is not None:
        excluded.append(catalog.rows(user.purchased_since(days_ago_ms(now_ms, rules.exclude_purchased_days))))
    if rules.exclude_seen:
        excluded.append(user.recent_rows)
    keep = catalog.recommendable[fused.rows] & ~np.isin(fused.rows, np.concatenate(excluded))
    keep &= request.filters.keep(catalog, fused.rows)
    rows, origin = fused.rows[keep], fused.origin[keep]
    scores = adjust_scores(fused.scores[keep], rows, rules, catalog, snapshot.popularity, user.attributes)
    order = np.argsort(-scores, kind="stable")
    return rows[order], scores[order], origin[order]


def _final(
    snapshot: Snapshot, reads: ServingReads, user: UserState, rows: np.ndarray, scores: np.ndarray,
    sources: list[Proposal], rules: ScenarioRules, request: RecommendationRequest,
) -> list[Recommended]:  # fmt: skip
    """Diversify, place the pins, drop items hidden or sold out since the snapshot, explain."""
    catalog = snapshot.catalog
    slack = request.n + 10  # room for items hidden since the catalogue snapshot was taken
    picked = diversify(catalog, rows, scores, slack, strength=rules.diversity, max_per_category=rules.max_per_category)
    pins = [(int(r), p) for i, p in rules.pins for r in catalog.rows([i])]
    pins = [(r, p) for r, p in pins if request.filters.keep(catalog, np.array([r]))[0]]
    ranked = place_pins(picked.tolist(), pins, slack)
    live = reads.recommendable(catalog.ids[ranked].tolist()) if ranked else set()
    final = [r for r in ranked if catalog.ids[r] in live][: request.n]
    position = {r: k for k, r in enumerate(rows.tolist())}
    pinned = {r for r, _ in pins}
    origins = [None if r in pinned else sources[position[r]] for r in final]
    explained = reasons(snapshot, user, final, origins, request.scenario)
    return [
        Recommended(str(catalog.ids[r]), float(scores[position[r]]) if r in position else 0.0,
                    p.source if p else "pinned", why, catalog.title(r))
        for r, p, why in zip(final, origins, explained)
    ]  # fmt: skip


def _per_shop(snapshot: Snapshot, rows: np.ndarray, scores: np.ndarray, n: int) -> list[Recommended]:
    """Shops ranked by the summed scores of their candidate items; the reason names the best item."""
    catalog = snapshot.catalog
    shops = catalog.shop[rows]
    names, inverse = np.unique(shops, return_inverse=True) if len(rows) else (np.empty(0, dtype=object), rows)
    totals = np.bincount(inverse, weights=scores, minlength=len(names))
    out = []
    for k in np.argsort(-totals, kind="stable")[:n]:
        top = int(rows[np.flatnonzero(inverse == k)[0]])  # rows are sorted by score: the first is the best
        out.append(Recommended(str(names[k]), float(totals[k]), "shops", f"Has {catalog.title(top)} and more for you", str(names[k])))
    return out
