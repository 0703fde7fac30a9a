"""Scenarios: cold start (attributes, session events), new items, baskets, shops, reasons."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import ShopApi
from serving_shop import event, item_id

from shopsense.domain import Item, User


def test_cold_start_uses_popularity_then_the_session_and_attributes(shop: ShopApi) -> None:
    cold = shop.recommend("brand-new")["items"]
    assert cold and all(i["source"] == "popularity" for i in cold)
    shop.db.catalog.upsert_items([Item("c2-i9", "Trail shoe", category=("Shop", "Running shoes"), attributes={"fit": "wide"})])
    shop.db.catalog.upsert_users([User("wide-feet", {"fit": "wide"})])
    shop.http.app.state.serving.refresh()
    boosted = shop.ids("wide-feet", scenario="category", category="Running shoes", n=3)
    plain = shop.ids("brand-new", scenario="category", category="Running shoes", n=7)
    assert "c2-i9" in boosted and boosted.index("c2-i9") < plain.index("c2-i9")
    shop.send(event(1, "session-42", "view", item_id(3, 0), datetime.now(UTC)))
    assert shop.ids("session-42", n=3)[0].startswith("c3-")  # the session's one event already counts


def test_a_new_item_is_recommendable_at_once_through_its_category(shop: ShopApi) -> None:
    shop.db.catalog.upsert_items([Item("fresh", "Silicone phone case", category=("Shop", "Phone cases"))])
    shop.http.app.state.serving.refresh()
    arrivals = shop.recommend("u0", scenario="new_arrivals")["items"]
    assert [i["item_id"] for i in arrivals] == ["fresh"] and arrivals[0]["reason"] == "New in Phone cases"
    assert "fresh" in shop.ids("u0", scenario="category", category="Phone cases", n=10)
    similar = shop.http.get("/v1/items/c0-i1/similar", params={"n": 10}, headers=shop.client).json()["items"]
    assert "fresh" in [i["item_id"] for i in similar]


def test_basket_item_pages_and_shops(shop: ShopApi) -> None:
    basket = shop.recommend("u1", scenario="complete_basket", items=["c0-i1", "c0-i2"], n=5)["items"]
    assert basket and not {"c0-i1", "c0-i2"} & {i["item_id"] for i in basket}
    bought = shop.http.get("/v1/items/c0-i1/also_bought", params={"n": 3}, headers=shop.client).json()["items"]
    assert bought and all(i["reason"] == "Often bought with Phone case 1" for i in bought)
    similar = shop.http.get("/v1/items/c1-i0/similar", params={"n": 3}, headers=shop.client).json()["items"]
    assert all(i["item_id"].startswith("c1-") and i["reason"].startswith("Similar to Charger 0") for i in similar)
    shop.db.catalog.upsert_items([Item("x1", "Vintage case", category=("Shop", "Phone cases"), shop_id="vintage")])
    shop.http.app.state.serving.refresh()
    shops = shop.recommend("u0", scenario="shops", n=2)["items"]
    assert [s["shop_id"] for s in shops][:1] == ["default"] and shops[0]["reason"].startswith("Has ")
    trending = shop.recommend("u1", scenario="trending", n=3)["items"]
    assert all(i["reason"] == "Popular in Chargers this week" for i in trending)
