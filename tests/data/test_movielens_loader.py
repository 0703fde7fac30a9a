"""MovieLens in RecBole atomic files: synthetic files with known answers, then ml-100k (slow)."""

from __future__ import annotations

import pytest

from shopsense.data.movielens import load_movielens, read_atomic

INTER = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t10\t4\t881250949\n2\t10\t5\t881250950\n2\t11\t1\t881250951\n"
ITEM = "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n10\tToy Story\t1995\tAnimation Comedy\n11\tOdd One\t\tDrama\n"
USER = "user_id:token\tage:token\tgender:token\toccupation:token\tzip_code:token\n1\t24\tM\ttechnician\t85711\n2\t53\tF\tother\t\n"


@pytest.fixture
def files(tmp_path):
    paths = {}
    for suffix, text in (("inter", INTER), ("item", ITEM), ("user", USER)):
        paths[suffix] = tmp_path / f"ml.{suffix}"
        paths[suffix].write_text(text)
    return paths


def test_read_atomic_drops_the_types_from_the_header(files):
    frame = read_atomic(files["item"])
    assert frame.columns.tolist() == ["item_id", "movie_title", "release_year", "class"]
    assert frame.index.tolist() == [1, 2]


def test_ratings_become_rating_events(files, assert_all_valid):
    data = load_movielens(files["inter"], files["item"], files["user"])
    events = data.events
    assert data.name == "movielens"
    assert events["event_id"].tolist() == ["movielens-1", "movielens-2", "movielens-3"]
    assert set(events["type"]) == {"rating"}
    assert events["value"].tolist() == [4.0, 5.0, 1.0]
    assert events["timestamp"].tolist() == [881250949, 881250950, 881250951]
    assert events["user_id"].tolist() == ["1", "2", "2"]
    assert_all_valid(events)


def test_items_and_users_carry_their_attributes(files):
    data = load_movielens(files["inter"], files["item"], files["user"])
    items = {i.item_id: (i.title, i.category, i.attributes) for i in data.items}
    assert items == {
        "10": ("Toy Story", ("Animation", "Comedy"), {"year": 1995}),
        "11": ("Odd One", ("Drama",), {}),
    }
    users = {u.user_id: u.attributes for u in data.users}
    assert users == {
        "1": {"age": 24, "gender": "M", "occupation": "technician", "zip": "85711"},
        "2": {"age": 53, "gender": "F", "occupation": "other"},
    }


def test_without_item_and_user_files_ids_alone_are_kept(files):
    data = load_movielens(files["inter"])
    assert [(i.item_id, i.title) for i in data.items] == [("10", "item 10"), ("11", "item 11")]
    assert [(u.user_id, u.attributes) for u in data.users] == [("1", {}), ("2", {})]


def test_unreadable_rows_are_skipped_with_their_reason(tmp_path, assert_all_valid):
    path = tmp_path / "bad.inter"
    path.write_text(
        "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
        "1\t10\t4\t881250949\n\t10\t4\t881250949\n1\t\t4\t881250949\n1\t10\tgood\t881250949\n1\t10\t4\tlater\n"
    )
    data = load_movielens(path)
    assert data.events.index.tolist() == [1]
    assert data.skipped.to_dict() == {
        2: "missing user_id",
        3: "missing item_id",
        4: "rating 'good' is not a number",
        5: "timestamp 'later' is not a number",
    }
    assert_all_valid(data.events)


@pytest.mark.slow
def test_ml_100k_matches_the_documented_counts(shared_data, assert_all_valid):
    base = shared_data / "rec" / "ml-100k" / "ml-100k"
    data = load_movielens(f"{base}.inter", f"{base}.item", f"{base}.user")
    assert len(data.events) == 100_000
    assert data.skipped.empty
    assert len(data.items) == 1_682
    assert len(data.users) == 943
    assert set(data.events["value"]) == {1.0, 2.0, 3.0, 4.0, 5.0}
    assert data.events["user_id"].nunique() == 943
    toy_story = next(i for i in data.items if i.item_id == "1")
    assert (toy_story.title, toy_story.attributes) == ("Toy Story", {"year": 1995})
    assert set(data.users[0].attributes) == {"age", "gender", "occupation", "zip"}
    assert_all_valid(data.events)
