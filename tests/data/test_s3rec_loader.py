"""S3-Rec sequence files: synthetic files with known answers, then Beauty and LastFM (slow)."""

from __future__ import annotations

import json

import pytest

from shopsense.data.s3rec import SYNTHETIC_EPOCH, load_s3rec, read_item_attributes, read_sequences


@pytest.fixture
def toy(tmp_path):
    path = tmp_path / "Toy.txt"
    path.write_text("1 5 6 7\n2 6 8\n3 9\n")
    return path


def test_each_item_in_a_line_is_one_purchase_in_file_order(toy, assert_all_valid):
    data = load_s3rec(toy)
    events = data.events
    assert data.name == "toy"
    assert events.index.tolist() == [1, 2, 3, 4, 5, 6]
    assert events["event_id"].tolist() == ["toy-1-1", "toy-1-2", "toy-1-3", "toy-2-1", "toy-2-2", "toy-3-1"]
    assert events["user_id"].tolist() == ["1", "1", "1", "2", "2", "3"]
    assert events["item_id"].tolist() == ["5", "6", "7", "6", "8", "9"]
    assert set(events["type"]) == {"purchase"}
    assert events["timestamp"].tolist() == [SYNTHETIC_EPOCH + n for n in range(1, 7)]
    assert events["context"].tolist() == ['{"line":1}'] * 3 + ['{"line":2}'] * 2 + ['{"line":3}']
    assert [i.item_id for i in data.items] == ["5", "6", "7", "8", "9"]
    assert [u.user_id for u in data.users] == ["1", "2", "3"]
    assert data.skipped.empty
    assert_all_valid(events)


def test_name_prefixes_event_ids_and_is_the_shop(toy):
    data = load_s3rec(toy, name="beauty")
    assert data.events["event_id"].iloc[0] == "beauty-1-1"
    assert {i.shop_id for i in data.items} == {"beauty"}


def test_item_attributes_are_attached_when_given(toy, tmp_path):
    attributes = tmp_path / "Toy_item2attributes.json"
    attributes.write_text(json.dumps({"5": [1, 2], "9": [3], "99": [4]}))
    items = {i.item_id: i.attributes for i in load_s3rec(toy, attributes_path=attributes).items}
    assert items == {"5": {"attribute_ids": [1, 2]}, "6": {}, "7": {}, "8": {}, "9": {"attribute_ids": [3]}}
    assert read_item_attributes(attributes)["99"] == [4]


def test_a_user_on_a_second_line_is_skipped_with_the_reason(tmp_path, assert_all_valid):
    path = tmp_path / "Dup.txt"
    path.write_text("1 5 6\n2 7\n1 8 9\n")
    data = load_s3rec(path)
    assert data.events.index.tolist() == [1, 2, 3]
    assert data.skipped.to_dict() == {4: "user 1 already listed on line 1", 5: "user 1 already listed on line 1"}
    assert data.source_rows == 5
    assert_all_valid(data.events)
    with pytest.raises(ValueError, match="user 1 on line 3 and line 1"):
        read_sequences(path)


def test_read_sequences_returns_each_users_items_in_order(toy):
    assert read_sequences(toy) == {"1": ["5", "6", "7"], "2": ["6", "8"], "3": ["9"]}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("folder", "stem", "users", "items", "interactions"),
    [("beauty", "Beauty", 22_363, 12_101, 198_502), ("lastfm", "LastFM", 1_090, 3_646, 52_551)],
)
def test_real_files_match_the_documented_counts(shared_data, assert_all_valid, folder, stem, users, items, interactions):
    base = shared_data / "rec" / folder
    data = load_s3rec(base / f"{stem}.txt", attributes_path=base / f"{stem}_item2attributes.json")
    assert (len(data.users), len(data.items), len(data.events)) == (users, items, interactions)
    assert data.skipped.empty
    assert all(i.attributes["attribute_ids"] for i in data.items)
    assert_all_valid(data.events)
    sequences = read_sequences(base / f"{stem}.txt")
    assert len(sequences) == users
    assert sum(map(len, sequences.values())) == interactions
