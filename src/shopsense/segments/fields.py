"""The fields a segment rule may address: dotted paths into the profile document and their types.

The catalogue mirrors ``docs/profile-schema.md`` and ``shopsense.profiles.render`` (the internal
``state`` section is not addressable). A pattern segment is a literal key, ``*`` (any key:
a category, brand or shop name), ``#`` (a list index: ``activity.hours.13``), ``**`` (any remainder:
shop-supplied ``attributes`` are free-form) or a set of allowed keys (event types). Every proper
prefix of a pattern is an object (``affinities.category`` holds ``{name: weight}``).

Resolution (:func:`resolve`) walks objects by key and lists by index; a non-index key applied to a
list of objects maps over the elements and flattens, so ``tags.tag`` is the list of a user's tag
names. A path that leads nowhere, or to ``null``, resolves to :data:`MISSING`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from shopsense.domain import EVENT_TYPE_VALUES


class FieldType(str, enum.Enum):
    """What a field holds (the values read well in messages: "'rfm.segment' holds text")."""

    NUMBER = "numbers"
    TEXT = "text"
    TIME = "times"  # ISO-8601 text, compared as instants
    BOOLEAN = "booleans"
    TEXT_LIST = "lists of text"
    NUMBER_LIST = "lists of numbers"
    OBJECT_LIST = "lists of objects"
    OBJECT = "objects"
    ANY = "values of any type"  # shop-supplied: checked per profile, not when a rule is saved


class _Missing:
    """The value of a path that leads nowhere (distinct from every JSON value)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

_ANY_KEY, _INDEX, _REST = "*", "#", "**"
_N, _T, _TL = FieldType.NUMBER, FieldType.TEXT, FieldType.TEXT_LIST
_PATTERNS: tuple[tuple[tuple[str | frozenset[str], ...], FieldType], ...] = (
    (("user_id",), _T),
    *(((key,), FieldType.TIME) for key in ("updated_at", "as_of")),
    (("attributes", _REST), FieldType.ANY),
    *((("activity", key), FieldType.TIME) for key in ("first_seen", "last_seen")),
    *((("activity", key), _N) for key in ("events", "sessions", "days_inactive")),
    (("activity", "by_type", EVENT_TYPE_VALUES), _N),
    *((("activity", key), FieldType.NUMBER_LIST) for key in ("hours", "weekdays")),
    *((("activity", key, _INDEX), _N) for key in ("hours", "weekdays")),
    *((("rfm", key), _N) for key in ("recency_days", "frequency", "monetary", "r", "f", "m")),
    (("rfm", "segment"), _T),
    *((("lifecycle", key), _T) for key in ("stage", "rule")),
    (("affinities", frozenset({"category", "brand", "shop", "price_band"}), _ANY_KEY), _N),
    (("purchase_cycle", "overall_days"), _N),
    (("purchase_cycle", "by_category", _ANY_KEY), _N),
    *((("sentiment", key), _N) for key in ("reviews", "mean", "ratings", "rating_mean")),
    (("sentiment", "label"), _T),
    (("interests", "recent_categories"), _TL),
    (("interests", "next_categories"), FieldType.OBJECT_LIST),
    (("interests", "next_categories", "category"), _TL),
    (("interests", "next_categories", "probability"), FieldType.NUMBER_LIST),
    (("tags",), FieldType.OBJECT_LIST),
    *((("tags", key), _TL) for key in ("tag", "evidence")),
    *((("scores", key), _N) for key in ("churn_risk", "horizon_days")),
    (("scores", "as_of"), FieldType.TIME),
    (("scores", "propensity", _ANY_KEY), _N),
)


def _accepts(pattern: str | frozenset[str], key: str) -> bool:
    if isinstance(pattern, frozenset):
        return key in pattern
    if pattern == _INDEX:
        return key.isdigit()
    return pattern in (_ANY_KEY, _REST) or pattern == key


def _label(pattern: str | frozenset[str]) -> str:
    if isinstance(pattern, frozenset):
        return ", ".join(sorted(pattern))
    return {_ANY_KEY: "<name>", _INDEX: "<index>", _REST: "<any key>"}.get(pattern, pattern)


def field_type(path: Sequence[str]) -> FieldType | str:
    """The type of the field at ``path``, or a message saying why no such field exists."""
    candidates = list(_PATTERNS)
    for depth, key in enumerate(path):
        step = [(p, t) for p, t in candidates if len(p) > depth and _accepts(p[depth], key)]
        if not step:
            where = f"under '{'.'.join(path[:depth])}'" if depth else "at the top of a profile"
            expected = sorted({_label(p[depth]) for p, _ in candidates if len(p) > depth})
            if not expected:
                return f"'{'.'.join(path[:depth])}' holds a value, not an object with keys"
            return f"no field '{key}' {where}; expected one of {', '.join(expected)}"
        if any(p[depth] == _REST for p, _ in step):
            return FieldType.ANY
        candidates = step
    exact = [t for p, t in candidates if len(p) == len(path)]
    return exact[0] if exact else FieldType.OBJECT


def resolve(document: Any, path: Sequence[str]) -> Any:
    """The value at ``path`` in ``document``, or ``MISSING`` (see the module docstring)."""
    node = document
    for position, key in enumerate(path):
        if isinstance(node, dict):
            node = node.get(key, MISSING)
        elif isinstance(node, list):
            if key.isdigit():
                index = int(key)
                node = node[index] if index < len(node) else MISSING
            else:
                return _map_over(node, path[position:])
        else:
            return MISSING
        if node is None or node is MISSING:
            return MISSING
    return node


def _map_over(elements: list, path: Sequence[str]) -> Any:
    found: list = []
    for element in elements:
        value = resolve(element, path) if isinstance(element, dict) else MISSING
        if isinstance(value, list):
            found.extend(value)
        elif value is not MISSING:
            found.append(value)
    return found or MISSING
