"""Business rules: per-scenario settings a merchandiser stores, and per-request filters.

Applied after fusion, on catalogue rows with their fused scores s(i):

* eligibility: in stock, not hidden, not bought within ``exclude_purchased_days``, not among the
  request's own items (the product page's item, the cart), not recently seen when ``exclude_seen``;
  and the request's filters (category anywhere on the path, price range, shop, attribute equality);
* boosts: s(i) ← s(i) · factor for every boost matching the item (item id, category, brand or shop);
* popularity bias: s(i) ← s(i) · exp(-β · p(i)), p(i) = pop(i) / max_j pop(j) ∈ [0, 1]: β > 0 pushes
  popular items down (long tail), β < 0 pulls them up;
* cold start: an item whose attributes share a key/value pair with the user's attributes gets
  s(i) ← s(i) · (1 + attribute_boost);
* pins: the item is placed at its 0-based position (when eligible), whatever its score.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import numpy as np

from shopsense.serving.catalog import CatalogSnapshot

BOOST_FIELDS = ("item_id", "category", "brand", "shop")


class RulesError(ValueError):
    """A rules document or a filter has a value that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Boost:
    field: str  # one of BOOST_FIELDS
    value: str
    factor: float

    def matches(self, catalog: CatalogSnapshot, rows: np.ndarray) -> np.ndarray:
        if self.field == "item_id":
            return catalog.ids[rows] == self.value
        if self.field == "brand":
            return catalog.brand[rows] == self.value
        if self.field == "shop":
            return catalog.shop[rows] == self.value
        return np.fromiter((self.value in catalog.paths[r] for r in rows), dtype=bool, count=len(rows))


@dataclass(frozen=True)
class ScenarioRules:
    """What a scenario does beyond scoring; stored per scenario, overridable per experiment variant."""

    exclude_purchased_days: float | None = 30.0  # None: bought items may come back at once
    exclude_seen: bool = False  # also leave out items in the user's recent history
    boosts: tuple[Boost, ...] = ()
    pins: tuple[tuple[str, int], ...] = ()  # (item id, 0-based position)
    diversity: float = 0.0  # MMR strength in [0, 1]; 0 keeps the relevance order
    max_per_category: int | None = None  # at most this many items of one leaf category
    popularity_bias: float = 0.0  # β above
    attribute_boost: float = 0.2
    source_weights: dict[str, float] = field(default_factory=dict)  # source -> weight in the fusion (default 1)

    def merged(self, doc: Any) -> ScenarioRules:
        """These rules with the fields named in ``doc`` (a JSON object) replaced, validated; RulesError
        names the bad field."""
        if not isinstance(doc, dict):
            raise RulesError("rules must be a JSON object")
        unknown = sorted(set(doc) - {f.name for f in fields(self)})
        if unknown:
            raise RulesError(f"unknown rule fields: {', '.join(unknown)}")
        return replace(self, **{name: _parse(name, value) for name, value in doc.items()})

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["pins"] = [{"item_id": i, "position": p} for i, p in self.pins]
        return doc


def _number(name: str, value: Any, low: float = -math.inf, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise RulesError(f"{name} must be a number between {low} and {high}")
    return float(value)


def _parse(name: str, value: Any) -> Any:  # noqa: C901 - one branch per field, each small
    if name == "exclude_purchased_days":
        return None if value is None else _number(name, value, 0)
    if name == "exclude_seen":
        if not isinstance(value, bool):
            raise RulesError("exclude_seen must be true or false")
        return value
    if name == "boosts":
        if not isinstance(value, list):
            raise RulesError("boosts must be a list of {field, value, factor}")
        boosts = []
        for entry in value:
            if not isinstance(entry, dict) or set(entry) != {"field", "value", "factor"}:
                raise RulesError("each boost is an object with exactly field, value and factor")
            if entry["field"] not in BOOST_FIELDS or not isinstance(entry["value"], str):
                raise RulesError(f"boost field must be one of {', '.join(BOOST_FIELDS)} and value a string")
            boosts.append(Boost(entry["field"], entry["value"], _number("boost factor", entry["factor"], 0, 1e6)))
        return tuple(boosts)
    if name == "pins":
        if not isinstance(value, list) or any(
            not isinstance(p, dict) or set(p) != {"item_id", "position"} or not isinstance(p["item_id"], str)
            or isinstance(p["position"], bool) or not isinstance(p["position"], int) or p["position"] < 0
            for p in value
        ):  # fmt: skip
            raise RulesError("pins must be a list of {item_id: string, position: integer ≥ 0}")
        return tuple((p["item_id"], p["position"]) for p in value)
    if name == "diversity":
        return _number(name, value, 0, 1)
    if name == "max_per_category":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise RulesError("max_per_category must be a positive integer or null")
        return value
    if name == "popularity_bias":
        return _number(name, value, -10, 10)
    if name == "attribute_boost":
        return _number(name, value, 0, 100)
    if not isinstance(value, dict):
        raise RulesError("source_weights must be an object {source: weight ≥ 0}")
    return {str(k): _number(f"source_weights.{k}", v, 0, 1e6) for k, v in value.items()}


@dataclass(frozen=True)
class RequestFilters:
    """Restrictions a caller puts on one request."""

    category: str | None = None  # anywhere on the item's category path
    price_min: float | None = None
    price_max: float | None = None
    shop: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()  # item attribute key = value (compared as strings)

    def __post_init__(self) -> None:
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise RulesError("price_min must not exceed price_max")

    def keep(self, catalog: CatalogSnapshot, rows: np.ndarray) -> np.ndarray:
        """(len(rows),) bool: which rows pass every filter."""
        keep = np.ones(len(rows), dtype=bool)
        if self.category is not None:
            keep &= np.isin(rows, catalog.in_category(self.category))
        if self.price_min is not None:
            keep &= catalog.price[rows] >= self.price_min
        if self.price_max is not None:
            keep &= catalog.price[rows] <= self.price_max
        if self.shop is not None:
            keep &= catalog.shop[rows] == self.shop
        for key, value in self.attributes:
            keep &= np.fromiter(
                (str(catalog.attributes[r].get(key)) == value for r in rows), dtype=bool, count=len(rows)
            )
        return keep


def adjust_scores(
    scores: np.ndarray, rows: np.ndarray, rules: ScenarioRules, catalog: CatalogSnapshot,
    popularity: np.ndarray, user_attributes: dict[str, Any],
) -> np.ndarray:  # fmt: skip
    """Boosts, popularity bias and the attribute boost of the module docstring; ``popularity`` is (n_catalogue,) p(i)."""
    scores = scores.astype(np.float64, copy=True)
    for boost in rules.boosts:
        scores[boost.matches(catalog, rows)] *= boost.factor
    if rules.popularity_bias:
        scores *= np.exp(-rules.popularity_bias * popularity[rows])
    if rules.attribute_boost and user_attributes:
        wanted = {(k, str(v)) for k, v in user_attributes.items()}
        hit = np.fromiter(
            (any((k, str(v)) in wanted for k, v in catalog.attributes[r].items()) for r in rows), dtype=bool,
            count=len(rows),
        )  # fmt: skip
        scores[hit] *= 1 + rules.attribute_boost
    return scores


def place_pins(ranked: list[int], pins: list[tuple[int, int]], n: int) -> list[int]:
    """``ranked`` rows with each (row, position) pin moved to its position; the list keeps length ≤ n."""
    pinned = {row for row, _ in pins}
    rest = [r for r in ranked if r not in pinned]
    for row, position in sorted(pins, key=lambda p: p[1]):
        rest.insert(min(position, len(rest)), row)
    return rest[:n]
