"""Taobao UserBehavior loader: synthetic files with known answers, then the real head file (slow)."""

from __future__ import annotations

import pytest

from shopsense.data.taobao import load_taobao

CLEAN = "1,10,100,pv,1511544070\n1,11,100,cart,1511544080\n2,10,100,fav,1511544090\n2,12,200,buy,1511544100\n"


def test_each_behavior_maps_to_its_event_type(tmp_path, assert_all_valid):
    path = tmp_path / "ub.csv"
    path.write_text(CLEAN)
    data = load_taobao(path)
    events = data.events
    assert data.name == "taobao"
    assert events.index.tolist() == [1, 2, 3, 4]
    assert events["type"].tolist() == ["view", "add_to_cart", "favorite", "purchase"]
    assert events["event_id"].tolist() == ["taobao-1", "taobao-2", "taobao-3", "taobao-4"]
    assert events["user_id"].tolist() == ["1", "1", "2", "2"]
    assert events["item_id"].tolist() == ["10", "11", "10", "12"]
    assert events["timestamp"].tolist() == [1511544070, 1511544080, 1511544090, 1511544100]
    assert data.skipped.empty
    assert sorted(u.user_id for u in data.users) == ["1", "2"]
    assert {i.item_id: (i.title, i.category, i.shop_id) for i in data.items} == {
        "10": ("item 10", ("100",), "taobao"),
        "11": ("item 11", ("100",), "taobao"),
        "12": ("item 12", ("200",), "taobao"),
    }
    assert_all_valid(events)


def test_unreadable_rows_are_skipped_with_their_reason(tmp_path, assert_all_valid):
    path = tmp_path / "ub.csv"
    path.write_text(
        "1,10,100,pv,1511544070\n"  # 1 ok
        "1,10,100,click,1511544070\n"  # 2 unknown behavior
        "1,10,100,pv\n"  # 3 too few fields
        "1,10,100,pv,1511544070,x\n"  # 4 too many fields
        "\n"  # 5 blank
        "1,10,100,pv,yesterday\n"  # 6 bad timestamp
        ",10,100,pv,1511544070\n"  # 7 no user
        "2,13,300,buy,1511544099\n"  # 8 ok
    )
    data = load_taobao(path)
    assert data.events.index.tolist() == [1, 8]
    assert data.skipped.to_dict() == {
        2: "unknown behavior 'click' (expected pv, cart, fav, buy)",
        3: "expected 5 comma-separated fields, found 4",
        4: "expected 5 comma-separated fields, found 6",
        5: "blank line",
        6: "timestamp 'yesterday' is not an integer (epoch seconds)",
        7: "missing user",
    }
    assert data.source_rows == 8
    assert [i.item_id for i in data.items] == ["10", "13"]
    assert_all_valid(data.events)


def test_a_header_line_is_dropped_and_rows_count_from_the_next_line(tmp_path):
    path = tmp_path / "ub.csv"
    path.write_text("user,item,category,behavior,timestamp\n" + CLEAN)
    data = load_taobao(path)
    assert data.events["event_id"].tolist() == ["taobao-1", "taobao-2", "taobao-3", "taobao-4"]
    assert data.skipped.empty


def test_an_item_gets_its_most_frequent_category(tmp_path):
    path = tmp_path / "ub.csv"
    path.write_text("1,10,7,pv,1511544070\n1,10,5,pv,1511544071\n2,10,5,pv,1511544072\n")
    assert load_taobao(path).items[0].category == ("5",)


def test_loading_twice_gives_the_same_event_ids(tmp_path):
    path = tmp_path / "ub.csv"
    path.write_text(CLEAN)
    assert load_taobao(path).events.equals(load_taobao(path).events)


@pytest.mark.slow
def test_real_head_file_matches_the_documented_counts(shared_data, assert_all_valid):
    data = load_taobao(shared_data / "behavior" / "taobao_userbehavior_head.csv")
    assert len(data.events) == 84_475
    assert data.skipped.empty
    assert len(data.users) == 815
    assert len(data.items) == 55_368
    assert len({i.category for i in data.items}) <= 2_914
    assert set(data.events["type"]) == {"view", "add_to_cart", "favorite", "purchase"}
    assert_all_valid(data.events)
