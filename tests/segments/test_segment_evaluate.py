"""Evaluation semantics (missing fields, types, exists/not, nested groups) and reference/fast agreement."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shopsense.segments.evaluate import compile_rule, matches
from shopsense.segments.rules import parse_rule, validate_rule


def members(rule: dict, profiles: list) -> list[str]:
    """User ids matched by ``rule``, checking that the reference and the compiled evaluation agree."""
    parsed = parse_rule(rule)
    docs = [doc for _, doc in profiles]
    fast = list(map(compile_rule(parsed), docs))
    assert fast == [matches(parsed, d) for d in docs]
    return [uid for (uid, _), hit in zip(profiles, fast) if hit]


def cond(field: str | list, op: str, value: object = None) -> dict:
    return {"field": field, "op": op} | ({} if value is None else {"value": value})


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (cond("rfm.segment", "eq", "champions"), ["u1"]),
        (cond("rfm.segment", "in", ["champions", "loyal"]), ["u1", "u2"]),
        (cond("rfm.segment", "not_in", ["champions", "loyal"]), ["u3", "u4"]),  # u5 has no rfm: not matched
        (cond("rfm.segment", "ne", "champions"), ["u2", "u3", "u4"]),  # ne needs a value
        ({"not": cond("rfm.segment", "eq", "champions")}, ["u2", "u3", "u4", "u5"]),  # not includes the missing
        (cond("rfm.frequency", "ge", 6), ["u1", "u2"]),  # u4's frequency is text: not comparable
        (cond("rfm.frequency", "ne", 6), ["u1", "u3"]),
        (cond("rfm.frequency", "lt", 6.5), ["u2", "u3"]),
        (cond("rfm.frequency", "in", [1, 14.0]), ["u1", "u3"]),
        (cond("activity.by_type.purchase", "gt", 5), ["u1", "u2"]),
        (cond("activity.by_type.purchase", "exists"), ["u1", "u2"]),
        (cond("activity.by_type.purchase", "exists", False), ["u3", "u4", "u5"]),
        (cond("sentiment.mean", "exists"), []),  # null counts as missing
        (cond("affinities.category.Kitchen", "ge", 0.5), ["u1"]),
        (cond("affinities.category", "contains", "Toys"), ["u1", "u2"]),
        (cond("tags.tag", "contains", "price-sensitive"), ["u1"]),
        (cond("tags", "exists"), ["u1", "u4"]),  # an empty list is present
        (cond("tags.tag", "exists"), ["u1"]),  # ... but maps to nothing
        (cond("lifecycle.stage", "contains", "at"), ["u2"]),  # substring
        (cond("activity.last_seen", "ge", "2011-12-01"), ["u1", "u3"]),  # u4's is unreadable
        (cond("activity.last_seen", "lt", "2011-10-01T01:00:00+01:00"), []),  # same instant as u2's: not before it
        (cond("activity.last_seen", "le", "2011-10-01T01:00:00+01:00"), ["u2"]),
        (cond("scores.propensity.Kitchen", "gt", 0.5), ["u1"]),
        (cond("scores.churn_risk", "ge", 0.4), ["u2", "u3"]),
        (cond("attributes.vip", "eq", True), ["u1"]),  # 1 is not true
        (cond("attributes.vip", "eq", 1), ["u2"]),
        (cond("attributes.country", "gt", "G"), ["u1", "u3"]),  # text ordering on free-form fields
        (cond(["attributes", "country"], "eq", "France"), ["u2"]),
    ],
)
def test_condition_semantics(profiles: list, rule: dict, expected: list[str]) -> None:
    assert members(rule, profiles) == expected


def test_nested_groups(profiles: list) -> None:
    rule = {"all": [
        {"any": [cond("rfm.segment", "eq", "champions"), cond("scores.churn_risk", "gt", 0.5)]},
        {"not": {"all": [cond("attributes.country", "eq", "France"), cond("rfm.frequency", "lt", 10)]}},
    ]}  # fmt: skip
    assert members(rule, profiles) == ["u1"]
    assert members({"not": rule}, profiles) == ["u2", "u3", "u4", "u5"]
    assert members({"any": [rule, cond("lifecycle.stage", "eq", "new")]}, profiles) == ["u1", "u3"]


def test_list_index() -> None:
    docs = [("a", {"activity": {"hours": [0] * 13 + [5] + [0] * 10}}), ("b", {"activity": {"hours": [1, 2]}})]
    assert members(cond("activity.hours.13", "ge", 5), docs) == ["a"]
    assert members(cond("activity.hours", "contains", 2), docs) == ["b"]


_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.5, 2.0, -1.5]),
    st.sampled_from(["a", "b", "ab", "2011-01-01", "2011-06-01T00:00:00Z", "x"]),
    st.lists(st.sampled_from(["a", "b", 1, 2]), max_size=3),
    st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 2), max_size=2),
)  # fmt: skip
_DOCS = st.lists(
    st.fixed_dictionaries({}, optional={"attributes": st.dictionaries(st.sampled_from(["p", "q"]), _VALUES, max_size=2),
                                        "rfm": st.fixed_dictionaries({}, optional={"r": _VALUES, "segment": _VALUES}),
                                        "activity": st.fixed_dictionaries({}, optional={"last_seen": _VALUES})}),
    max_size=12,
)  # fmt: skip
_LEAVES = st.one_of(
    st.builds(cond, st.sampled_from(["attributes.p", "attributes.q"]),
              st.sampled_from(["eq", "ne", "lt", "ge", "contains"]), st.sampled_from([1, 2.0, "a", "ab", True])),
    st.builds(cond, st.sampled_from(["attributes.p", "rfm.r"]), st.sampled_from(["in", "not_in"]),
              st.sampled_from([[1, 2], [0.5], [-3, 3]])),
    st.builds(cond, st.just("rfm.segment"), st.sampled_from(["in", "not_in", "eq", "contains"]), st.just(["a", "x"])
              ).map(lambda c: c | {"value": c["value"] if c["op"] in ("in", "not_in") else "a"}),
    st.builds(cond, st.just("activity.last_seen"), st.sampled_from(["lt", "ge", "ne"]),
              st.sampled_from(["2011-03-01", "2011-06-01T00:00:00Z"])),
    st.builds(cond, st.sampled_from(["attributes.q", "rfm", "attributes"]), st.just("exists"), st.booleans()),
)  # fmt: skip
_RULES = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(st.builds(lambda rs: {"all": rs}, st.lists(inner, min_size=1, max_size=3)),
                            st.builds(lambda rs: {"any": rs}, st.lists(inner, min_size=1, max_size=3)),
                            st.builds(lambda r: {"not": r}, inner)),
    max_leaves=8,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(docs=_DOCS, rule=_RULES)
def test_compiled_evaluation_agrees_with_the_reference(docs: list, rule: dict) -> None:
    assume(not validate_rule(rule))  # e.g. ordering booleans is refused
    parsed = parse_rule(rule)
    assert list(map(compile_rule(parsed), docs)) == [matches(parsed, d) for d in docs]
