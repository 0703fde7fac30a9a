"""Rule evaluation: :func:`matches` (the reference interpreter) and :func:`compile_rule` (the fast path).

Segments are evaluated while profile documents stream out of the store, one document at a time, so
memory stays flat and no batch of decoded documents is kept alive. :func:`compile_rule` turns the
rule tree into nested closures once: each condition gets its field reader (plain key lookups, falling
back to :func:`~shopsense.segments.fields.resolve` for lists and missing keys), its converter and its
comparison bound in advance, and groups short-circuit. A property test checks both agree.

A column-at-a-time NumPy evaluator was measured and dropped: on decoded JSON the cost is reading the
fields (Python dict lookups), which vectorising cannot remove, and holding batches of documents made
the garbage collector rescan them (slower than streaming overall).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from shopsense.segments.fields import MISSING, resolve
from shopsense.segments.rules import AllOf, AnyOf, Condition, Not, Rule, parse_instant, scalar_class

Predicate = Callable[[Mapping[str, Any]], bool]
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge,
}  # fmt: skip


def comparable(value: Any, value_class: str) -> Any:
    """``value`` as a ``value_class`` ("number", "text", "boolean", "time" as epoch seconds), else None."""
    if value_class == "time":
        return parse_instant(value) if isinstance(value, str) else None
    return value if scalar_class(value) == value_class else None


def _contains(haystack: Any, needle: Any, value_class: str) -> bool:
    if isinstance(haystack, str):
        return value_class == "text" and needle in haystack
    if isinstance(haystack, list):
        return any(comparable(element, value_class) == needle for element in haystack)
    if isinstance(haystack, dict):
        return value_class == "text" and needle in haystack
    return False


def _test(rule: Condition, found: Any) -> bool:
    if rule.op == "exists":
        return (found is not MISSING) == rule.value
    if rule.op == "contains":
        return _contains(found, rule.value, rule.value_class)
    value = comparable(found, rule.value_class)
    if value is None:
        return False
    if rule.op == "in":
        return value in rule.value
    if rule.op == "not_in":
        return value not in rule.value
    return _COMPARE[rule.op](value, rule.value)


def matches(rule: Rule, document: Mapping[str, Any]) -> bool:
    """Whether one profile document satisfies ``rule`` (the simple reference for :func:`compile_rule`)."""
    if isinstance(rule, AllOf):
        return all(matches(r, document) for r in rule.rules)
    if isinstance(rule, AnyOf):
        return any(matches(r, document) for r in rule.rules)
    if isinstance(rule, Not):
        return not matches(rule.rule, document)
    return _test(rule, resolve(document, rule.path))


def _reader(path: tuple[str, ...]) -> Callable[[Mapping[str, Any]], Any]:
    """``resolve(document, path)``, by plain indexing when every step is a present dict key."""

    def read(document: Mapping[str, Any]) -> Any:
        node: Any = document
        try:
            for key in path:
                node = node[key]
        except (KeyError, TypeError, IndexError):  # a list, a scalar or a missing key on the way
            return resolve(document, path)
        return MISSING if node is None else node

    return read


def _condition(rule: Condition) -> Predicate:
    read, value, value_class = _reader(rule.path), rule.value, rule.value_class
    if rule.op == "exists":
        return lambda d: (read(d) is not MISSING) == value
    if rule.op == "contains":
        return lambda d: _contains(read(d), value, value_class)
    if rule.op in ("in", "not_in"):
        inside = rule.op == "in"
        return lambda d: (x := comparable(read(d), value_class)) is not None and (x in value) == inside
    compare = _COMPARE[rule.op]
    return lambda d: (x := comparable(read(d), value_class)) is not None and compare(x, value)


def compile_rule(rule: Rule) -> Predicate:
    """A function document -> bool equivalent to ``matches(rule, document)``, built once per rule."""
    if isinstance(rule, Condition):
        return _condition(rule)
    if isinstance(rule, Not):
        inner = compile_rule(rule.rule)
        return lambda d: not inner(d)
    parts = tuple(compile_rule(r) for r in rule.rules)
    if isinstance(rule, AllOf):
        return lambda d: all(p(d) for p in parts)
    return lambda d: any(p(d) for p in parts)
