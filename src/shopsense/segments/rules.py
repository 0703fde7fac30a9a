"""The segment definition language: a JSON rule tree, validated into typed nodes.

Grammar::

    rule      := {"all": [rule, ...]} | {"any": [rule, ...]} | {"not": rule} | condition
    condition := {"field": PATH, "op": OP, "value": VALUE}        # "value" is optional for exists
    PATH      := "rfm.segment" | ["affinities", "brand", "Dr. Martens"]   # a list when a key has a dot

Operators, and the field types (:class:`~shopsense.segments.fields.FieldType`) they apply to:

* ``eq``, ``ne``, ``in``, ``not_in`` — numbers, text, booleans (``in``/``not_in`` take a list of values);
  ``eq``/``ne`` also times;
* ``lt``, ``le``, ``gt``, ``ge`` — numbers and times (ISO-8601: ``"2011-11-01"``, ``"2011-11-01T08:00:00Z"``),
  and text by code point on the free-form ``attributes.*`` fields;
* ``contains`` — a substring of text, an element of a list, a key of an object
  (``{"field": "affinities.category", "op": "contains", "value": "Kitchen"}``);
* ``exists`` — the field is present and not null (``"value": false`` inverts it).

Comparisons see only values of the rule value's type: a missing field, ``null`` or a value of another
type makes every operator but ``exists`` false — so ``ne`` is not ``not eq``; wrap a rule in ``not`` to
include users who lack the field. :func:`validate_rule` reports every problem at once, each with its
JSON path (``all[2].op: unknown operator 'equals'; …``); :func:`parse_rule` returns the typed tree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeAlias

from shopsense.segments.fields import FieldType, field_type

OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "exists", "contains")
ORDERING = frozenset({"lt", "le", "gt", "ge"})
MEMBERSHIP = frozenset({"in", "not_in"})
MAX_EXACT_INT = 2**53
_GROUPS = ("all", "any", "not")
_CONDITION_KEYS = ("field", "op", "value")
_F = FieldType
ALLOWED_OPS: dict[FieldType, tuple[str, ...]] = {
    _F.NUMBER: ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "exists"),
    _F.TIME: ("eq", "ne", "lt", "le", "gt", "ge", "exists"),
    _F.TEXT: ("eq", "ne", "in", "not_in", "contains", "exists"),
    _F.BOOLEAN: ("eq", "ne", "exists"),
    _F.TEXT_LIST: ("contains", "exists"),
    _F.NUMBER_LIST: ("contains", "exists"),
    _F.OBJECT_LIST: ("exists",),
    _F.OBJECT: ("contains", "exists"),
    _F.ANY: OPERATORS,
}
# the type a rule value must have for each field type (None: any scalar, checked per profile)
_VALUE_CLASS: dict[FieldType, str | None] = {
    _F.NUMBER: "number", _F.TIME: "time", _F.TEXT: "text", _F.BOOLEAN: "boolean", _F.TEXT_LIST: "text",
    _F.NUMBER_LIST: "number", _F.OBJECT: "text", _F.ANY: None,
}  # fmt: skip
_A = {"number": "a number", "text": "text", "boolean": "a boolean"}


@dataclass(frozen=True)
class Condition:
    path: tuple[str, ...]
    op: str
    value: Any  # number/str/bool; epoch seconds for times; frozenset for in/not_in; bool for exists
    value_class: str  # "number", "text", "boolean" or "time": the only type the condition can match


@dataclass(frozen=True)
class AllOf:
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class AnyOf:
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Not:
    rule: Rule


Rule: TypeAlias = Condition | AllOf | AnyOf | Not


@dataclass(frozen=True)
class Problem:
    path: str  # JSON path inside the rule, "" for the rule itself
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(rule)'}: {self.message}"


class InvalidRule(ValueError):
    """A segment definition with problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def parse_instant(text: str) -> float | None:
    """Epoch seconds of an ISO-8601 date or time (UTC when no offset is given); None when unreadable."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def scalar_class(value: Any) -> str | None:
    """``number`` (finite, not boolean, integers within ±2⁵³ so that floats hold them exactly), ``text``
    or ``boolean``; None for anything else."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "number" if abs(value) <= MAX_EXACT_INT else None
    if isinstance(value, float):
        return "number" if math.isfinite(value) else None
    return "text" if isinstance(value, str) else None


def _show(value: Any) -> str:
    if value is None or isinstance(value, (list, dict)):
        return {type(None): "null", list: "a list" if value else "an empty list", dict: "an object"}[type(value)]
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class _Parser:
    def __init__(self, max_depth: int, max_nodes: int, max_values: int) -> None:
        self.max_depth, self.max_nodes, self.max_values = max_depth, max_nodes, max_values
        self.problems: list[Problem] = []
        self.nodes = 0

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def rule(self, raw: Any, path: str, depth: int) -> Rule | None:
        self.nodes += 1
        if self.nodes > self.max_nodes:
            return None
        if not isinstance(raw, dict):
            self.fail(path, f"a rule must be an object, not {_show(raw)}")
            return None
        groups = [k for k in _GROUPS if k in raw]
        if not groups:
            return self.condition(raw, path)
        if len(raw) > 1:
            keys = ", ".join(sorted(map(str, raw)))
            self.fail(path, f"a group has exactly one key (all, any or not); found {keys}")
            return None
        key = groups[0]
        if depth >= self.max_depth:
            self.fail(path, f"rules nest deeper than {self.max_depth} levels")
            return None
        if key == "not":
            inner = self.rule(raw["not"], _join(path, "not"), depth + 1)
            return None if inner is None else Not(inner)
        children = raw[key]
        if not isinstance(children, list) or not children:
            self.fail(_join(path, key), f"'{key}' takes a non-empty list of rules")
            return None
        parsed = [self.rule(child, _join(_join(path, key), i), depth + 1) for i, child in enumerate(children)]
        if any(p is None for p in parsed):
            return None
        return (AllOf if key == "all" else AnyOf)(tuple(parsed))

    def condition(self, raw: dict, path: str) -> Condition | None:
        if not raw:
            self.fail(path, "empty rule: expected all, any, not or a condition {field, op, value}")
            return None
        before = len(self.problems)
        for key in sorted(set(map(str, raw)) - set(_CONDITION_KEYS)):
            self.fail(_join(path, key), f"unknown key '{key}'; a condition has field, op and value")
        for key in ("field", "op"):
            if key not in raw:
                self.fail(path, f"missing '{key}'")
        field_path, kind = self.field(raw["field"], _join(path, "field")) if "field" in raw else (None, None)
        op = raw.get("op")
        usable = False
        if "op" in raw and op not in OPERATORS:
            self.fail(_join(path, "op"), f"unknown operator {_show(op)}; expected one of {', '.join(OPERATORS)}")
        elif kind is not None and op is not None and op not in ALLOWED_OPS[kind]:
            shown = ".".join(field_path)
            self.fail(_join(path, "op"), f"'{op}' does not apply to '{shown}', which holds {kind.value}; "
                                         f"use {', '.join(ALLOWED_OPS[kind])}")  # fmt: skip
        elif op is not None and "value" not in raw and op != "exists":
            self.fail(path, "missing 'value' (every operator but exists needs one)")
        else:
            usable = kind is not None and op is not None
        if not usable:
            return None
        value, value_class = self.value(raw.get("value"), op, kind, field_path, _join(path, "value"))
        return None if len(self.problems) > before else Condition(field_path, op, value, value_class)

    def field(self, raw: Any, path: str) -> tuple[tuple[str, ...] | None, FieldType | None]:
        keys = raw.split(".") if isinstance(raw, str) else raw
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and k for k in keys):
            self.fail(path, "field must be a dotted path such as 'rfm.segment' or a list of keys")
            return None, None
        if len(keys) > 10 or any(len(k) > 200 for k in keys):
            self.fail(path, "field paths have at most 10 keys of at most 200 characters")
            return None, None
        kind = field_type(keys)
        if not isinstance(kind, FieldType):
            self.fail(path, f"unknown field '{'.'.join(keys)}': {kind}")
            return None, None
        return tuple(keys), kind

    def value(self, raw: Any, op: str, kind: FieldType, field: tuple[str, ...], path: str) -> tuple[Any, str]:
        if op == "exists":
            if raw is not None and not isinstance(raw, bool):
                self.fail(path, f"'exists' takes true or false (or no value), not {_show(raw)}")
            return raw is not False, "boolean"
        if op not in MEMBERSHIP:
            return self.scalar(raw, op, kind, field, path)
        if not isinstance(raw, list) or not raw:
            self.fail(path, f"'{op}' takes a non-empty list of values, not {_show(raw)}")
            return None, ""
        if len(raw) > self.max_values:
            self.fail(path, f"'{op}' lists {len(raw)} values; the limit is {self.max_values}")
            return None, ""
        checked = [self.scalar(v, op, kind, field, _join(path, i)) for i, v in enumerate(raw)]
        classes = {c for _, c in checked if c}
        if len(classes) > 1:
            self.fail(path, f"'{op}' values must all have one type; found {', '.join(sorted(classes))}")
        return frozenset(v for v, _ in checked), min(classes, default="")

    def scalar(self, raw: Any, op: str, kind: FieldType, field: tuple[str, ...], path: str) -> tuple[Any, str]:
        found = scalar_class(raw)
        if isinstance(raw, int) and not isinstance(raw, bool) and found is None:
            self.fail(path, f"{raw} is too large: integers are limited to ±2^53 (9007199254740992)")
            return None, ""
        if found is None:
            if op in MEMBERSHIP:
                self.fail(path, f"each value of '{op}' must be a number, text or boolean, not {_show(raw)}")
            else:
                self.fail(path, f"'{op}' compares with a single number, text or boolean, not {_show(raw)}")
            return None, ""
        wanted = _VALUE_CLASS[kind]
        if wanted is None:  # a free-form field: the value decides what the condition can match
            if op in ORDERING and found == "boolean":
                self.fail(path, f"'{op}' orders numbers or text, not booleans")
            return raw, found
        if wanted == "time":
            instant = parse_instant(raw) if found == "text" else None
            if instant is None:
                self.fail(path, f"'{'.'.join(field)}' holds times: {_show(raw)} is not an ISO-8601 date or time "
                                "such as '2011-11-01' or '2011-11-01T08:00:00Z'")  # fmt: skip
            return instant, "time"
        if found != wanted:
            self.fail(path, f"the value {_show(raw)} is {_A[found]}, but '{'.'.join(field)}' holds {kind.value}")
        return raw, wanted


def _check(raw: Any, max_depth: int, max_nodes: int, max_values: int) -> tuple[Rule | None, list[Problem]]:
    parser = _Parser(max_depth, max_nodes, max_values)
    rule = parser.rule(raw, "", 0)
    if parser.nodes > max_nodes:
        parser.problems.insert(0, Problem("", f"more than {max_nodes} rules and groups (the limit)"))
    return rule, parser.problems


def validate_rule(raw: Any, *, max_depth: int = 8, max_nodes: int = 200, max_values: int = 1_000) -> list[Problem]:
    """Every problem of the rule tree ``raw`` (decoded JSON), each with its JSON path; [] when valid."""
    return _check(raw, max_depth, max_nodes, max_values)[1]


def parse_rule(raw: Any, *, max_depth: int = 8, max_nodes: int = 200, max_values: int = 1_000) -> Rule:
    """The typed rule tree of ``raw``; raises :class:`InvalidRule` listing every problem."""
    rule, problems = _check(raw, max_depth, max_nodes, max_values)
    if problems or rule is None:
        raise InvalidRule(problems)
    return rule
