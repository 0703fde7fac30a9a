"""DIGINETICA item views: a synthetic file with known answers, then the CIKM Cup sample (slow)."""

from __future__ import annotations

import pandas as pd
import pytest

from shopsense.data.diginetica import load_diginetica


def test_views_get_session_users_and_day_plus_offset_timestamps(tmp_path, assert_all_valid):
    path = tmp_path / "views.csv"
    path.write_text(
        "sessionId;userId;itemId;timeframe;eventdate\n"
        "1;NA;81766;526309;2016-05-09\n"
        "1;;31331;1000;2016-05-09\n"
        "48;2;24764;8863;2016-04-09\n"
        "49;;;1;2016-04-09\n"
        "50;;5;soon;2016-04-09\n"
        "51;;5;1;09/04/2016\n"
    )
    data = load_diginetica(path)
    events = data.events
    assert events.index.tolist() == [1, 2, 3]
    assert events["event_id"].tolist() == ["diginetica-1", "diginetica-2", "diginetica-3"]
    assert events["user_id"].tolist() == ["session-1", "session-1", "2"]
    assert events["session_id"].tolist() == ["1", "1", "48"]
    assert set(events["type"]) == {"view"}
    assert events["timestamp"].iloc[0] == pd.Timestamp("2016-05-09") + pd.Timedelta(milliseconds=526309)
    assert data.skipped.to_dict() == {
        4: "missing itemId",
        5: "timeframe 'soon' is not a non-negative number of ms",
        6: "eventdate '09/04/2016' is not a YYYY-MM-DD date",
    }
    assert {u.user_id: u.attributes for u in data.users} == {"session-1": {"anonymous": True}, "2": {}}
    assert [i.title for i in data.items] == ["item 81766", "item 31331", "item 24764"]
    assert_all_valid(events)


def test_snake_case_headers_are_read_too(tmp_path):
    path = tmp_path / "views.csv"
    path.write_text("session_id;user_id;item_id;timeframe;eventdate\n7;NA;1;0;2016-01-03\n")
    assert load_diginetica(path).events["user_id"].tolist() == ["session-7"]


def test_a_file_without_the_columns_is_refused(tmp_path):
    path = tmp_path / "views.csv"
    path.write_text("a;b\n1;2\n")
    with pytest.raises(ValueError, match="missing columns"):
        load_diginetica(path)


@pytest.mark.slow
def test_real_sample_matches_the_documented_counts(shared_data, assert_all_valid):
    data = load_diginetica(shared_data / "behavior" / "diginetica_sample_item_views.csv")
    assert len(data.events) == 12_391
    assert data.skipped.empty
    assert data.events["session_id"].nunique() == 2_986
    assert_all_valid(data.events)
