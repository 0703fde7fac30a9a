"""Storage contract: the catalogue (items, users, shops) with batch upserts and item flags."""

from __future__ import annotations

from datetime import UTC, datetime

from shopsense.domain import Item, Shop, User
from shopsense.storage import Database

T1 = datetime(2023, 3, 1, 12, 0, tzinfo=UTC)
T2 = datetime(2024, 6, 1, 8, 30, tzinfo=UTC)


def _mug(**changes: object) -> Item:
    base = dict(
        item_id="mug-1", title="Blue mug", description="Stoneware, 300 ml", category=("Home", "Kitchen", "Mugs"),
        brand="Acme", price=9.5, currency="EUR", shop_id="shop-a", attributes={"colour": "blue", "sizes": [1, 2]},
        created_at=T1,
    )  # fmt: skip
    return Item(**{**base, **changes})


def test_items_round_trip_every_field(db: Database) -> None:
    assert db.catalog.upsert_items([_mug()]) == 1
    assert db.catalog.get_item("mug-1") == _mug()


def test_upsert_replaces_fields_but_keeps_created_at(db: Database) -> None:
    db.catalog.upsert_items([_mug()])
    db.catalog.upsert_items([_mug(title="Red mug", price=None, category=(), attributes={}, created_at=None)])
    stored = db.catalog.get_item("mug-1")
    assert stored.title == "Red mug"
    assert stored.price is None
    assert stored.category == ()
    assert stored.attributes == {}
    assert stored.created_at == T1
    db.catalog.upsert_items([_mug(created_at=T2)])  # a later created_at does not rewrite history either
    assert db.catalog.get_item("mug-1").created_at == T1
    assert db.catalog.counts()["items"] == 1


def test_new_item_without_created_at_gets_the_upsert_time(db: Database) -> None:
    before = datetime.now(UTC)
    db.catalog.upsert_items([_mug(created_at=None)])
    created = db.catalog.get_item("mug-1").created_at
    assert before.replace(microsecond=0) <= created <= datetime.now(UTC)


def test_set_item_flags_hides_and_marks_out_of_stock(db: Database) -> None:
    db.catalog.upsert_items([_mug()])
    assert db.catalog.get_item("mug-1").recommendable

    assert db.catalog.set_item_flags("mug-1", hidden=True)
    stored = db.catalog.get_item("mug-1")
    assert (stored.hidden, stored.in_stock, stored.recommendable) == (True, True, False)

    assert db.catalog.set_item_flags("mug-1", in_stock=False)  # hidden stays as it was
    stored = db.catalog.get_item("mug-1")
    assert (stored.hidden, stored.in_stock) == (True, False)

    assert db.catalog.set_item_flags("mug-1", hidden=False, in_stock=True)
    assert db.catalog.get_item("mug-1").recommendable
    assert db.catalog.get_item("mug-1").title == "Blue mug"  # flags touch nothing else


def test_set_item_flags_on_an_unknown_item_reports_false(db: Database) -> None:
    assert db.catalog.set_item_flags("nope", hidden=True) is False
    assert db.catalog.get_item("nope") is None


def test_upserting_flags_back_in_overrides_them(db: Database) -> None:
    db.catalog.upsert_items([_mug(hidden=True, in_stock=False)])
    stored = db.catalog.get_item("mug-1")
    assert (stored.hidden, stored.in_stock) == (True, False)
    db.catalog.upsert_items([_mug()])
    stored = db.catalog.get_item("mug-1")
    assert (stored.hidden, stored.in_stock) == (False, True)


def test_get_items_returns_only_stored_ids_across_query_chunks(db: Database) -> None:
    items = [Item(f"i{n:05d}", f"Item {n}", price=float(n)) for n in range(2_500)]  # more than one 2,000-id chunk
    assert db.catalog.upsert_items(items) == 2_500
    wanted = [f"i{n:05d}" for n in range(0, 2_500, 7)] + ["missing-1", "missing-2"]
    found = db.catalog.get_items(wanted)
    assert set(found) == set(wanted) - {"missing-1", "missing-2"}
    assert found["i00007"].price == 7.0
    assert db.catalog.get_items([]) == {}
    assert [i.item_id for i in db.catalog.iter_items()] == sorted(i.item_id for i in items)


def test_batch_upsert_mixes_inserts_and_replacements(db: Database) -> None:
    db.catalog.upsert_items([Item("a", "A"), Item("b", "B")])
    db.catalog.upsert_items([Item("b", "B2"), Item("c", "C")])
    assert {i.item_id: i.title for i in db.catalog.iter_items()} == {"a": "A", "b": "B2", "c": "C"}


def test_unicode_and_json_attributes_survive(db: Database) -> None:
    item = _mug(item_id="杯子", title="蓝色马克杯 ☕", attributes={"材质": "陶瓷", "nested": {"a": [1, None, True]}})
    db.catalog.upsert_items([item])
    assert db.catalog.get_item("杯子") == item


def test_users_upsert_keeps_created_at_and_replaces_attributes(db: Database) -> None:
    db.catalog.upsert_users([User("u1", {"age_band": "25-34"}, created_at=T1), User("u2")])
    assert db.catalog.get_user("u1") == User("u1", {"age_band": "25-34"}, created_at=T1)
    db.catalog.upsert_users([User("u1", {"region": "EU"}, created_at=T2)])
    assert db.catalog.get_user("u1") == User("u1", {"region": "EU"}, created_at=T1)
    assert db.catalog.get_user("u2").attributes == {}
    assert db.catalog.get_user("ghost") is None
    assert db.catalog.counts()["users"] == 2


def test_shops_upsert_and_counts(db: Database) -> None:
    db.catalog.upsert_shops([Shop("s1", "First", {"country": "DE"})])
    db.catalog.upsert_shops([Shop("s1", "Renamed"), Shop("s2")])
    assert db.catalog.get_shop("s1") == Shop("s1", "Renamed", {})
    assert db.catalog.get_shop("nope") is None
    assert db.catalog.counts() == {"items": 0, "users": 0, "shops": 2}
