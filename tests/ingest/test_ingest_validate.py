"""Event validation: every rejection reason with its exact message, the accepted spellings, and a property test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopsense.domain import EVENT_TYPE_VALUES
from shopsense.ingest.validate import (
    EVENT_FIELDS,
    Limits,
    parse_timestamps,
    validate_events,
)
from shopsense.storage.events import EVENT_COLUMNS

NOW = datetime(2024, 1, 1, tzinfo=UTC)
WHEN = "2023-05-01T10:00:00Z"
WHEN_MS = 1_682_935_200_000
TYPES = "add_to_cart, click, favorite, impression, purchase, rating, refund, remove_from_cart, review, search, view"


def good(**changes: object) -> dict:
    return {"event_id": "e1", "user_id": "u1", "type": "view", "item_id": "i1", "timestamp": WHEN, **changes}


def check(*rows: dict, limits: Limits | None = None):  # noqa: ANN201 - ValidatedBatch
    return validate_events(pd.DataFrame(list(rows)), limits or Limits(), now=NOW)


def reason_of(row: dict, limits: Limits | None = None) -> str | None:
    """The rejection reason for one row (next to a valid row, so columns have realistic dtypes)."""
    checked = check(good(event_id="anchor"), {**row, "event_id": row.get("event_id", "probe")}, limits=limits)
    assert "anchor" in checked.valid["event_id"].tolist()
    return checked.rejected.get(1)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (good(type="bogus"), f"unknown event type 'bogus' (expected one of {TYPES})"),
        (good(type="PURCHASED"), "unknown event type 'purchased' (expected one of " + TYPES + ")"),
        (good(user_id=None), "missing user_id"),
        (good(user_id="   "), "missing user_id"),
        (good(event_id=None), "missing event_id"),
        (good(type=None), "missing type"),
        (good(timestamp=None), "missing timestamp"),
        (good(item_id=None), "missing item_id (required for type view)"),
        (good(type="purchase", item_id=None, value=1), "missing item_id (required for type purchase)"),
        (good(timestamp="yesterday"), "bad timestamp 'yesterday' (expected ISO-8601 or epoch seconds)"),
        (good(timestamp="2023-13-45T99:00:00Z"), "bad timestamp '2023-13-45T99:00:00Z' (expected ISO-8601 or epoch seconds)"),
        (good(timestamp="2024-01-02T00:00:01Z"), "timestamp more than 1 day in the future"),
        (good(timestamp="1989-12-31T23:59:59Z"), "timestamp before 1990-01-01"),
        (good(type="rating", value=6), "rating 6.0 out of range 1-5"),
        (good(type="rating", value=0), "rating 0.0 out of range 1-5"),
        (good(type="rating"), "rating needs a value from 1 to 5"),
        (good(value="abc"), "value 'abc' is not a number"),
        (good(value=float("inf")), "value is not finite"),
        (good(type="purchase", value=-2), "quantity must not be negative"),
        (good(text="x" * 5_001), "text has 5001 characters (limit 5000)"),
        (good(context='{"text": "' + "x" * 5_001 + '"}'), "text has 5001 characters (limit 5000)"),
        (good(context={"text": "x" * 5_001}), "text has 5001 characters (limit 5000)"),
        (good(context="[1, 2]"), "context must be a JSON object"),
        (good(context='"just text"'), "context must be a JSON object"),
        (good(context='{"device": '), "context is not valid JSON: unexpected end of data: line 1 column 12 (char 11)"),
        (good(context="{'device': 'ios'}"), "context is not valid JSON: unexpected character, expected a string key: line 1 column 2 (char 1)"),
        (good(context='{"a": "' + "x" * 20_000 + '"}'), "context is 20008 bytes (limit 16384)"),
        (good(position=-1), "position '-1.0' is not a non-negative integer"),
        (good(position=1.5), "position '1.5' is not a non-negative integer"),
        (good(position="top"), "position 'top' is not a non-negative integer"),
        (good(position=2**31), "position '2147483648.0' is not a non-negative integer"),
        (good(position=1e20), "position '1e+20' is not a non-negative integer"),
        (good(type="search", item_id=None), "search needs a query"),
        (good(type="search", item_id=None, query="  "), "search needs a query"),
        (good(type="search", item_id=None, query="q" * 5_001), "query longer than 5000 characters"),
        (good(event_id="x" * 129), "event_id longer than 128 characters"),
        (good(user_id="u" * 129), "user_id longer than 128 characters"),
        (good(item_id="i" * 129), "item_id longer than 128 characters"),
        (good(session_id="s" * 129), "session_id longer than 128 characters"),
        (good(recomm_id="r" * 129), "recomm_id longer than 128 characters"),
        (good(user_id="a\x00b"), "user_id contains a NUL character"),
        (good(event_id="e\x00"), "event_id contains a NUL character"),
        (good(item_id="\x00i"), "item_id contains a NUL character"),
        (good(type="search", item_id=None, query="mug\x00"), "query contains a NUL character"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 40 else None,
)
def test_rejections_name_the_problem(row: dict, message: str) -> None:
    assert reason_of(row) == message


def test_the_first_problem_of_a_row_is_reported() -> None:
    assert reason_of(good(user_id=None, type="bogus", timestamp="never")) == "missing user_id"


def test_limits_are_configurable() -> None:
    assert reason_of(good(text="x" * 11), Limits(max_text_chars=10)) == "text has 11 characters (limit 10)"
    assert reason_of(good(text="x" * 10), Limits(max_text_chars=10)) is None


def test_each_row_is_judged_on_its_own() -> None:
    checked = check(good(event_id="a"), good(event_id="b", type="bogus"), good(event_id="c"), good(event_id="d", user_id=None))
    assert checked.valid["event_id"].tolist() == ["a", "c"]
    assert checked.valid.index.tolist() == [0, 2]
    assert checked.rejected.index.tolist() == [1, 3]
    assert list(checked.valid.columns) == list(EVENT_COLUMNS)


def test_row_numbers_come_from_the_input_index() -> None:
    frame = pd.DataFrame([good(event_id="a"), good(event_id="b", type="nope")], index=[41, 42])
    checked = validate_events(frame, now=NOW)
    assert checked.valid.index.tolist() == [41]
    assert checked.rejected.index.tolist() == [42]


# ---- accepted spellings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timestamp", "expected_ms"),
    [
        ("2023-05-01T10:00:00Z", WHEN_MS),
        ("2023-05-01T12:00:00+02:00", WHEN_MS),
        ("2023-05-01T05:00:00-05:00", WHEN_MS),
        ("2023-05-01T10:00:00", WHEN_MS),  # no offset: UTC
        ("2023-05-01 10:00:00", WHEN_MS),
        ("2023-05-01T10:00:00.250Z", WHEN_MS + 250),
        ("2023-05-01", WHEN_MS - 10 * 3_600_000),
        (1_682_935_200, WHEN_MS),  # epoch seconds
        (1_682_935_200.5, WHEN_MS + 500),
        (1_682_935_200_000, WHEN_MS),  # epoch milliseconds
        ("1682935200", WHEN_MS),
        ("1682935200000", WHEN_MS),
        (datetime(2023, 5, 1, 10, tzinfo=UTC), WHEN_MS),
        (datetime(2023, 5, 1, 18, tzinfo=timezone(timedelta(hours=8))), WHEN_MS),
        ("2024-01-01T23:59:59Z", 1_704_153_599_000),  # within the one day of slack for clock skew
    ],
)
def test_timestamp_spellings(timestamp: object, expected_ms: int) -> None:
    checked = check(good(timestamp=timestamp))
    assert checked.rejected.empty, checked.rejected.tolist()
    assert checked.valid["ts_ms"].tolist() == [expected_ms]


def test_datetime_columns_naive_and_aware() -> None:
    naive = pd.Series(pd.to_datetime(["2023-05-01 10:00:00", None]))
    aware = pd.Series(pd.to_datetime(["2023-05-01 12:00:00+02:00"], utc=False))
    assert parse_timestamps(naive).tolist() == [WHEN_MS, pd.NA]
    assert parse_timestamps(aware).tolist() == [WHEN_MS]


def test_numeric_ids_become_canonical_text_and_text_ids_stay_as_given() -> None:
    numbers = validate_events(
        pd.DataFrame({"event_id": [1, 2.0, 3.5], "user_id": [10, 20, 30], "type": "view", "item_id": [12.0, 6.5, 7],
                      "timestamp": 1_682_935_200}), now=NOW)  # fmt: skip
    assert numbers.rejected.empty
    assert numbers.valid["event_id"].tolist() == ["1", "2", "3.5"]
    assert numbers.valid["user_id"].tolist() == ["10", "20", "30"]
    assert numbers.valid["item_id"].tolist() == ["12", "6.5", "7"]
    texts = check(good(event_id="12.0", user_id="007"))
    assert texts.valid[["event_id", "user_id"]].values.tolist() == [["12.0", "007"]]  # strings are opaque ids


def test_type_is_trimmed_and_lower_cased() -> None:
    assert check(good(type="  Add_To_Cart ")).valid["type"].tolist() == ["add_to_cart"]


def test_review_text_is_folded_into_context() -> None:
    checked = check(good(type="review", text="Great mug", context='{"device": "ios"}'))
    assert checked.valid["context"].tolist() == ['{"device":"ios","text":"Great mug"}']


@pytest.mark.parametrize(
    ("context", "stored"),
    [
        (None, None),
        ("{}", None),
        ({}, None),
        ('{"device": "ios"}', '{"device": "ios"}'),  # already JSON text: kept as sent
        ({"page": "home", "device": "ios"}, '{"device":"ios","page":"home"}'),
        (b'{"a": 1}', '{"a": 1}'),
    ],
)
def test_context_is_stored_as_json_text(context: object, stored: str | None) -> None:
    checked = check(good(context=context))
    assert checked.rejected.empty
    assert checked.valid["context"].tolist() == [stored]


def test_every_event_type_is_accepted() -> None:
    rows = [good(event_id=t, type=t, value=3, query="mug" if t == "search" else None) for t in sorted(EVENT_TYPE_VALUES)]
    checked = check(*rows)
    assert checked.rejected.empty, checked.rejected.to_dict()
    assert set(checked.valid["type"]) == EVENT_TYPE_VALUES


def test_search_needs_no_item() -> None:
    checked = check(good(type="search", item_id=None, query="blue mug"))
    assert checked.valid[["type", "item_id", "query"]].values.tolist() == [["search", None, "blue mug"]]


def test_in_batch_duplicates_keep_the_first_occurrence() -> None:
    checked = check(good(event_id="a"), good(event_id="b"), good(event_id="a", type="click"), good(event_id="a", type="x"))
    assert checked.valid["event_id"].tolist() == ["a", "b"]
    assert checked.valid.loc[0, "type"] == "view"
    assert checked.in_batch_duplicates.tolist() == [2]
    assert checked.rejected.index.tolist() == [3]  # invalid rows are rejected, not counted as duplicates


def test_an_empty_batch_is_fine() -> None:
    checked = validate_events(pd.DataFrame(), now=NOW)
    assert checked.valid.empty and checked.rejected.empty and len(checked.in_batch_duplicates) == 0


@pytest.mark.parametrize("timestamp", [1e20, -1e20, 2**70, 9.3e18, "1e400", float("inf")])
def test_absurd_numeric_timestamps_are_rejected_not_raised(timestamp: object) -> None:
    reason = reason_of(good(timestamp=timestamp))
    assert reason is not None and reason.startswith("bad timestamp "), reason


def test_a_context_with_a_huge_integer_is_rejected_not_raised() -> None:
    """Found by the property test below: orjson cannot encode integers beyond 64 bits (it used to raise)."""
    reason = reason_of(good(context={"n": -(2**63) - 1}))
    assert reason == "context cannot be stored as JSON: Integer exceeds 64-bit range"


# ---- property: the validator never raises and accounts for every row ---------------------------------------

def _scalars(integers: st.SearchStrategy[int]) -> st.SearchStrategy[object]:
    return st.one_of(
        st.none(), st.booleans(), integers, st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
        st.datetimes(min_value=datetime(1, 1, 2), timezones=st.none() | st.just(UTC)),
    )  # fmt: skip


_nested = _scalars(st.integers() | st.integers(-(2**64), 2**64))
_values = st.one_of(
    _scalars(st.integers()),
    st.lists(_nested, max_size=3),
    st.dictionaries(st.text(max_size=5), _nested, max_size=3),
)
_plausible = {
    "event_id": st.text(min_size=1, max_size=4) | st.integers(0, 20),
    "user_id": st.sampled_from(["u1", "u2", "", " "]) | st.integers(0, 3),
    "type": st.sampled_from(sorted(EVENT_TYPE_VALUES)) | st.text(max_size=8),
    "item_id": st.sampled_from(["i1", "i2"]) | st.none(),
    "timestamp": st.sampled_from([WHEN, "2023-05-01T12:00:00+02:00", 1_682_935_200, 1_682_935_200_000, "bad", None]),
    "value": st.integers(-2, 7) | st.none() | st.text(max_size=3),
    "query": st.text(max_size=5) | st.none(),
    "position": st.integers(-2, 5) | st.floats(0, 3) | st.none(),
    "context": st.sampled_from([None, "{}", '{"a": 1}', "[1]", "{bad", '{"text": "hi"}']) | st.dictionaries(st.text(max_size=3), _nested, max_size=2),
    "text": st.text(max_size=8) | st.none(),
}  # fmt: skip
_field_value = st.sampled_from([*EVENT_FIELDS, "unknown_extra"]).flatmap(
    lambda name: st.tuples(st.just(name), st.one_of(_plausible.get(name, _values), _values))
)
_rows = st.lists(st.lists(_field_value, max_size=12).map(dict), min_size=1, max_size=8)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows)
def test_validator_never_raises_and_accounts_for_every_row(rows: list[dict]) -> None:
    frame = pd.DataFrame(rows, index=range(1, len(rows) + 1))
    checked = validate_events(frame, now=NOW)
    valid, rejected, repeated = set(checked.valid.index), set(checked.rejected.index), set(checked.in_batch_duplicates)
    assert valid | rejected | repeated == set(frame.index)
    assert len(valid) + len(rejected) + len(repeated) == len(frame)  # each row in exactly one outcome
    assert checked.valid["event_id"].is_unique
    assert all(isinstance(reason, str) and reason for reason in checked.rejected)
    if len(checked.valid):
        assert set(checked.valid["type"]) <= EVENT_TYPE_VALUES
        assert checked.valid["user_id"].map(lambda u: isinstance(u, str) and u.strip() != "").all()
        ts = checked.valid["ts_ms"].astype("int64")
        assert ((ts >= 631_152_000_000) & (ts <= int((NOW + timedelta(days=1)).timestamp() * 1000))).all()
