"""The scenarios a shop can ask for, each a set of recall sources and default rules.

| scenario | for | sources (fused by ``rank.fuse``) |
|---|---|---|
| for_you | home feed | every personal model on the recent items, text neighbours of them, the user's categories, popularity |
| similar | product page (``items=[the item]``) | item-item neighbours of the item, its text neighbours, its category |
| also_bought | product page / after purchase | neighbours under the purchase-only model (else itemknn) |
| complete_basket | cart (``items=`` the cart) | purchase neighbours of the cart, other categories first; popularity |
| trending | anywhere | popularity, the user's categories |
| new_arrivals | anywhere | items created in the last 30 days, the user's categories first; personal models on them |
| category | category page (``category=``) | personal models and popularity within the category |
| shops | "shops for you" | for_you's candidates, summed per shop |

A cold user (no recent item) gets popularity, the session's categories as soon as it has events, and
the attribute boost of ``rules``; a new item (no events yet) is reachable at once through its text
embedding (``for_you``, ``similar``; :mod:`content`) and its category (``category``, ``new_arrivals``,
``similar``) before any model knows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from shopsense.serving import sources
from shopsense.serving.models import ALSO_BOUGHT, NEIGHBOURS, SUPPORT_SLOTS, ServedModel
from shopsense.serving.rules import ScenarioRules
from shopsense.serving.snapshot import Snapshot
from shopsense.serving.sources import Proposal
from shopsense.serving.user import UserState, days_ago_ms

NEW_ARRIVAL_DAYS = 30
CONTENT_ANCHORS = 5  # the newest recent items whose text neighbours for_you adds


class ScenarioError(ValueError):
    """A scenario was asked for without what it needs (its items, its category)."""


@dataclass(frozen=True)
class Scope:
    """One request's inputs to a scenario's recall."""

    snapshot: Snapshot
    user: UserState
    models: dict[str, ServedModel]  # slot -> the version this request uses (experiment variants may pin one)
    anchors: np.ndarray  # catalogue rows of the request's items (product page item, cart)
    category: str | None
    depth: int  # rows per source
    now_ms: int

    def personal(self, candidates: np.ndarray | None = None) -> list[Proposal]:
        if self.user.cold:
            return []
        return [sources.from_model(m, self.user, self.depth, candidates) for s, m in sorted(self.models.items())
                if s not in SUPPORT_SLOTS]  # fmt: skip

    def item_model(self, *slots: str) -> ServedModel | None:
        return next((self.models[s] for s in slots if s in self.models), None)


def _content(scope: Scope, anchors: np.ndarray) -> list[Proposal]:
    """Items whose text embeds near ``anchors`` (none when the runtime serves no text embeddings)."""
    content = scope.snapshot.content
    return [] if content is None or len(anchors) == 0 else [content.proposal(anchors, scope.depth)]


def _for_you(scope: Scope) -> list[Proposal]:
    return [*scope.personal(), *_content(scope, scope.user.recent_rows[:CONTENT_ANCHORS]),
            sources.in_user_categories(scope.snapshot, scope.user, scope.depth),
            sources.popular(scope.snapshot, scope.depth)]  # fmt: skip


def _neighbours(scope: Scope, *slots: str) -> list[Proposal]:
    model = scope.item_model(*slots)
    return [] if model is None else [sources.neighbours(model, scope.anchors, scope.snapshot, scope.depth)]


def _similar(scope: Scope) -> list[Proposal]:
    anchor = int(scope.anchors[0])
    leaf = scope.snapshot.catalog.leaf[anchor]
    same = scope.snapshot.category_top.get(leaf, np.empty(0, dtype=np.int64))[: scope.depth]
    return [*_neighbours(scope, NEIGHBOURS), *_content(scope, scope.anchors[:1]),
            Proposal("category", "neighbours", same, scope.anchors[:1])]  # fmt: skip


def _complete_basket(scope: Scope) -> list[Proposal]:
    """Purchase neighbours of the cart with items of the cart's own leaf categories moved last (a basket
    wants complements, not a second of the same), then popular items (weight 0.1) to fill the list."""
    found = _neighbours(scope, ALSO_BOUGHT, NEIGHBOURS)
    catalog = scope.snapshot.catalog
    cart_leaves = {catalog.leaf[r] for r in scope.anchors if catalog.leaf[r]}
    out = []
    for p in found:
        same = np.fromiter((catalog.leaf[r] in cart_leaves for r in p.rows), dtype=bool, count=len(p.rows))
        out.append(Proposal(p.source, p.kind, np.concatenate([p.rows[~same], p.rows[same]]), p.anchors))
    return [*out, sources.popular(scope.snapshot, scope.depth)]


def _trending(scope: Scope) -> list[Proposal]:
    return [sources.popular(scope.snapshot, scope.depth), sources.in_user_categories(scope.snapshot, scope.user, scope.depth)]


def _new_arrivals(scope: Scope) -> list[Proposal]:
    catalog = scope.snapshot.catalog
    fresh = np.flatnonzero(catalog.created_ms >= days_ago_ms(scope.now_ms, NEW_ARRIVAL_DAYS))
    return [sources.newest(scope.snapshot, scope.user, fresh, scope.depth), *scope.personal(fresh)]


def _category(scope: Scope) -> list[Proposal]:
    inside = scope.snapshot.catalog.in_category(scope.category or "")
    return [*scope.personal(inside), sources.popular(scope.snapshot, scope.depth, inside)]


@dataclass(frozen=True)
class Scenario:
    name: str
    propose: Callable[[Scope], list[Proposal]]
    defaults: ScenarioRules
    needs_items: bool = False
    needs_category: bool = False
    per_shop: bool = False


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("for_you", _for_you, ScenarioRules(exclude_seen=True, source_weights={"popularity": 0.3, "category": 0.5})),
        Scenario("similar", _similar, ScenarioRules(exclude_purchased_days=None, source_weights={"category": 0.3}), needs_items=True),
        Scenario("also_bought", lambda s: _neighbours(s, ALSO_BOUGHT, NEIGHBOURS), ScenarioRules(), needs_items=True),
        Scenario("complete_basket", _complete_basket, ScenarioRules(source_weights={"popularity": 0.1}), needs_items=True),
        Scenario("trending", _trending, ScenarioRules(exclude_purchased_days=None, source_weights={"category": 0.5})),
        Scenario("new_arrivals", _new_arrivals, ScenarioRules(source_weights={"new": 2.0})),
        Scenario("category", _category, ScenarioRules(source_weights={"popularity": 0.5}), needs_category=True),
        Scenario("shops", _for_you, ScenarioRules(exclude_purchased_days=None, source_weights={"popularity": 0.3, "category": 0.5}), per_shop=True),
    )
}  # fmt: skip
