"""The small shared helpers of ``shopsense.data.dataset`` used by every loader."""

from __future__ import annotations

import pandas as pd
import pytest

from shopsense.data.dataset import EVENT_FRAME_COLUMNS, event_frame, first_reason, read_lines, untitled_items


def test_event_frame_fills_absent_columns_with_missing_values():
    index = pd.RangeIndex(1, 3)
    frame = event_frame(index, event_id=pd.Series(["a", "b"], index=index))
    assert tuple(frame.columns) == EVENT_FRAME_COLUMNS
    assert frame["event_id"].tolist() == ["a", "b"]
    assert frame.drop(columns="event_id").isna().all().all()
    assert frame["value"].dtype == "float64"


def test_event_frame_refuses_unknown_fields():
    with pytest.raises(ValueError, match="not event fields"):
        event_frame(pd.RangeIndex(1, 2), price=[1.0])


def test_first_reason_keeps_the_first_matching_rule():
    index = pd.RangeIndex(1, 4)
    reason = first_reason(index, [
        (pd.Series([True, False, False], index=index), "first"),
        (pd.Series([True, True, None], index=index), pd.Series(["x1", "x2", "x3"], index=index)),
    ])  # fmt: skip
    assert reason.tolist()[:2] == ["first", "x2"]
    assert pd.isna(reason[3])


def test_read_lines_numbers_lines_from_one_and_keeps_blank_ones(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"a b\r\n\nc\n")
    lines = read_lines(path)
    assert lines.to_dict() == {1: "a b", 2: "", 3: "c"}


def test_untitled_items_name_items_by_id_with_optional_category():
    items = untitled_items(["7", "8"], "shop", {"7": "42"})
    assert [(i.item_id, i.title, i.category, i.shop_id) for i in items] == [
        ("7", "item 7", ("42",), "shop"),
        ("8", "item 8", (), "shop"),
    ]
