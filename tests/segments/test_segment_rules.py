"""Validation of the segment rule language: every problem reported, each at its JSON path."""

from __future__ import annotations

import pytest

from shopsense.segments.fields import FieldType, field_type
from shopsense.segments.rules import AllOf, Condition, InvalidRule, Not, parse_rule, validate_rule

OPERATORS = "eq, ne, lt, le, gt, ge, in, not_in, exists, contains"


def messages(rule) -> list[str]:  # noqa: ANN001 - any JSON value
    return [str(p) for p in validate_rule(rule)]


def test_a_valid_rule_has_no_problems_and_parses_to_typed_nodes() -> None:
    rule = {"all": [
        {"field": "rfm.segment", "op": "in", "value": ["champions", "loyal"]},
        {"not": {"field": "scores.churn_risk", "op": "gt", "value": 0.5}},
        {"field": "activity.last_seen", "op": "ge", "value": "2011-11-01"},
    ]}  # fmt: skip
    assert validate_rule(rule) == []
    parsed = parse_rule(rule)
    assert isinstance(parsed, AllOf) and isinstance(parsed.rules[1], Not)
    assert parsed.rules[0] == Condition(("rfm", "segment"), "in", frozenset({"champions", "loyal"}), "text")
    assert parsed.rules[2].value == 1320105600.0  # 2011-11-01T00:00:00Z in epoch seconds
    assert parsed.rules[2].value_class == "time"


def test_unknown_operator_names_the_path_and_the_choices() -> None:
    rule = {"all": [{"field": "user_id", "op": "exists"}, {"field": "user_id", "op": "exists"},
                    {"field": "lifecycle.stage", "op": "equals", "value": "active"}]}  # fmt: skip
    assert messages(rule) == [f"all[2].op: unknown operator 'equals'; expected one of {OPERATORS}"]


def test_every_problem_is_reported_at_once() -> None:
    rule = {"any": [
        {"field": "rfm.segment", "op": "gt", "value": ["a"]},
        {"field": "rfm.frequency", "op": "gt", "value": [1, 2]},
        {"field": "rfm.frequency", "op": "eq", "value": "ten"},
        {"field": "rfm.segmnt", "op": "eq", "value": "x"},
        {"field": "activity.last_seen", "op": "gt", "value": "last week"},
        {"all": []},
        {"not": [1]},
        {"field": "scores.churn_risk", "op": "gt"},
        {"field": "tags.tag", "op": "eq", "value": "vip"},
        {"field": "tags", "op": "exists", "value": 1, "values": 2},
        {"field": "rfm.segment", "op": "in", "value": ["a", 3, None]},
        {"all": [], "any": []},
        5,
        {},
    ]}  # fmt: skip
    assert messages(rule) == [
        "any[0].op: 'gt' does not apply to 'rfm.segment', which holds text; use eq, ne, in, not_in, contains, exists",
        "any[1].value: 'gt' compares with a single number, text or boolean, not a list",
        "any[2].value: the value 'ten' is text, but 'rfm.frequency' holds numbers",
        "any[3].field: unknown field 'rfm.segmnt': no field 'segmnt' under 'rfm'; "
        "expected one of f, frequency, m, monetary, r, recency_days, segment",
        "any[4].value: 'activity.last_seen' holds times: 'last week' is not an ISO-8601 date or time "
        "such as '2011-11-01' or '2011-11-01T08:00:00Z'",
        "any[5].all: 'all' takes a non-empty list of rules",
        "any[6].not: a rule must be an object, not a list",
        "any[7]: missing 'value' (every operator but exists needs one)",
        "any[8].op: 'eq' does not apply to 'tags.tag', which holds lists of text; use contains, exists",
        "any[9].values: unknown key 'values'; a condition has field, op and value",
        "any[9].value: 'exists' takes true or false (or no value), not 1",
        "any[10].value[1]: the value 3 is a number, but 'rfm.segment' holds text",
        "any[10].value[2]: each value of 'in' must be a number, text or boolean, not null",
        "any[11]: a group has exactly one key (all, any or not); found all, any",
        "any[12]: a rule must be an object, not 5",
        "any[13]: empty rule: expected all, any, not or a condition {field, op, value}",
    ]


def test_parse_rule_raises_with_every_problem() -> None:
    with pytest.raises(InvalidRule) as caught:
        parse_rule({"all": [{"field": "nope", "op": "eq", "value": 1}, {"field": "rfm.r", "op": "between"}]})
    assert [p.path for p in caught.value.problems] == ["all[0].field", "all[1].op"]
    assert "all[0].field: unknown field 'nope'" in str(caught.value)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("rfm.segment", "(rule): a rule must be an object, not 'rfm.segment'"),
        ({"field": "", "op": "exists"}, "field: field must be a dotted path such as 'rfm.segment' or a list of keys"),
        ({"field": "rfm..r", "op": "exists"}, "field: field must be a dotted path such as 'rfm.segment' or a list of keys"),
        ({"field": "rfm.r", "op": "eq", "value": float("inf")}, "value: 'eq' compares with a single number, text or "
                                                                 "boolean, not inf"),
        ({"field": "rfm.r", "op": "eq", "value": 2**60}, "value: 1152921504606846976 is too large: integers are "
                                                          "limited to ±2^53 (9007199254740992)"),
        ({"field": "rfm.r", "op": "in", "value": []}, "value: 'in' takes a non-empty list of values, not an empty list"),
        ({"field": "rfm.r", "op": "eq", "value": True}, "value: the value True is a boolean, but 'rfm.r' holds numbers"),
        ({"field": "attributes.age", "op": "in", "value": [1, "a"]}, "value: 'in' values must all have one type; "
                                                                      "found number, text"),
        ({"field": "attributes.vip", "op": "gt", "value": True}, "value: 'gt' orders numbers or text, not booleans"),
        ({"field": "activity.by_type.buy", "op": "gt", "value": 1}, "field: unknown field 'activity.by_type.buy': no field "
         "'buy' under 'activity.by_type'; expected one of add_to_cart, click, favorite, impression, purchase, rating, "
         "refund, remove_from_cart, review, search, view"),
        ({"field": "rfm.segment.x", "op": "exists"}, "field: unknown field 'rfm.segment.x': 'rfm.segment' holds a value, "
                                                     "not an object with keys"),
        ({"field": "affinities.category", "op": "contains", "value": 3}, "value: the value 3 is a number, but "
                                                                         "'affinities.category' holds objects"),
    ],
)  # fmt: skip
def test_single_problems(rule, expected: str) -> None:  # noqa: ANN001
    assert messages(rule) == [expected]


def test_depth_and_size_limits() -> None:
    leaf = {"field": "user_id", "op": "exists"}
    deep = leaf
    for _ in range(9):
        deep = {"not": deep}
    assert messages(deep) == ["not.not.not.not.not.not.not.not: rules nest deeper than 8 levels"]
    assert validate_rule(deep, max_depth=9) == []
    wide = {"any": [leaf] * 250}
    assert messages(wide) == ["(rule): more than 200 rules and groups (the limit)"]
    assert messages({"field": "rfm.r", "op": "in", "value": list(range(1_001))}) == [
        "value: 'in' lists 1001 values; the limit is 1000"
    ]


def test_a_field_may_be_a_list_of_keys_when_a_key_has_a_dot() -> None:
    rule = parse_rule({"field": ["affinities", "brand", "Dr. Martens"], "op": "ge", "value": 0.5})
    assert rule.path == ("affinities", "brand", "Dr. Martens")


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("rfm.segment", FieldType.TEXT),
        ("activity.by_type.purchase", FieldType.NUMBER),
        ("affinities.category.Kitchen", FieldType.NUMBER),
        ("affinities.category", FieldType.OBJECT),
        ("scores.propensity.any", FieldType.NUMBER),
        ("activity.hours", FieldType.NUMBER_LIST),
        ("activity.hours.13", FieldType.NUMBER),
        ("tags.tag", FieldType.TEXT_LIST),
        ("attributes.anything.nested", FieldType.ANY),
        ("lifecycle.stage", FieldType.TEXT),
        ("updated_at", FieldType.TIME),
    ],
)
def test_field_catalogue_follows_the_profile_schema(path: str, kind: FieldType) -> None:
    assert field_type(path.split(".")) is kind
