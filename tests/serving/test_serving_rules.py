"""Business rules: hidden and out-of-stock items never appear; filters, exclusions, pins, boosts, diversity."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import ShopApi
from serving_shop import event, item_id

SCENARIO_CALLS = [
    {"scenario": "for_you"}, {"scenario": "trending"}, {"scenario": "shops"},
    {"scenario": "category", "category": "Phone cases"}, {"scenario": "complete_basket", "items": "c0-i1"},
    {"scenario": "also_bought", "items": "c0-i1"}, {"scenario": "similar", "items": "c0-i1"},
]  # fmt: skip


def _everything(shop: ShopApi, users: list[str]) -> set[str]:
    shown = set()
    for user in users:
        for params in SCENARIO_CALLS:
            if params["scenario"] != "shops":
                shown |= set(shop.ids(user, n=24, **params))
    for item in ("c0-i1", "c1-i2"):
        for kind in ("similar", "also_bought"):
            response = shop.http.get(f"/v1/items/{item}/{kind}", params={"n": 24}, headers=shop.client)
            shown |= {i["item_id"] for i in response.json()["items"]}
    return shown


def test_hidden_and_out_of_stock_items_never_appear(shop: ShopApi) -> None:
    users = [f"u{u}" for u in range(8)] + ["stranger"]
    before = _everything(shop, users)
    banned = {item_id(0, 0), item_id(0, 2), item_id(1, 0)}
    assert banned <= before  # they did appear, so the test can fail
    for n, item in enumerate(sorted(banned)):
        flags = {"hidden": True} if n % 2 else {"in_stock": False}
        assert shop.http.patch(f"/v1/items/{item}", json=flags, headers=shop.admin).status_code == 200
    # at once (before the catalogue snapshot is rebuilt: the final list is re-checked in the store) ...
    assert not banned & _everything(shop, users)
    # ... and after the rebuild
    shop.http.app.state.serving.refresh()
    assert not shop.http.app.state.serving.snapshot.catalog.recommendable[
        shop.http.app.state.serving.snapshot.catalog.rows(sorted(banned))
    ].any()
    assert not banned & _everything(shop, users)


def test_filters_by_category_price_shop_and_attribute(shop: ShopApi) -> None:
    assert {i[:2] for i in shop.ids("u1", n=24, category="Cookbooks")} == {"c3"}
    priced = shop.recommend("u1", n=24, scenario="trending", price_min=12, price_max=13)["items"]
    assert priced and {i["item_id"][-1] for i in priced} <= {"2", "3"}
    assert shop.ids("u1", shop="nowhere") == []
    assert shop.ids("u1", attr="colour:red") == []


def test_bought_items_are_excluded_within_the_window(shop: ShopApi) -> None:
    trending = shop.ids("u5", scenario="trending", n=24)
    bought = trending[0]
    shop.send(event(1, "u5", "purchase", bought, datetime.now(UTC)))
    assert bought not in shop.ids("u5", scenario="for_you", n=24, exclude_seen=False)
    assert shop.http.put("/v1/scenarios/for_you/rules", json={"exclude_purchased_days": None, "exclude_seen": False},
                         headers=shop.admin).status_code == 200  # fmt: skip
    assert bought in shop.ids("u5", scenario="for_you", n=24)


def test_pins_and_boosts_per_scenario(shop: ShopApi) -> None:
    rules = {"pins": [{"item_id": "c3-i5", "position": 0}], "boosts": [{"field": "category", "value": "Running shoes", "factor": 100}]}
    response = shop.http.put("/v1/scenarios/trending/rules", json=rules, headers=shop.admin)
    assert response.status_code == 200, response.text
    items = shop.recommend("u1", scenario="trending", n=5)["items"]
    assert items[0]["item_id"] == "c3-i5" and items[0]["reason"] == "Featured" and items[0]["source"] == "pinned"
    assert all(i["item_id"].startswith("c2-") for i in items[1:])  # boosted category first
    assert shop.recommend("u1", scenario="for_you", n=5)["items"][0]["item_id"] != "c3-i5"  # other scenarios untouched


def test_diversity_caps_categories_and_popularity_bias_reorders(shop: ShopApi) -> None:
    plain = shop.ids("u1", n=8, exclude_seen=False)
    assert max(sum(i.startswith(f"c{c}-") for i in plain) for c in range(4)) > 2
    shop.http.put("/v1/scenarios/for_you/rules", json={"max_per_category": 2}, headers=shop.admin)
    capped = shop.ids("u1", n=8, exclude_seen=False)
    assert max(sum(i.startswith(f"c{c}-") for i in capped) for c in range(4)) <= 2
    mmr = shop.ids("u1", n=4, diversity=1.0, exclude_seen=False)
    assert len({i[:2] for i in mmr}) == 4  # full strength: one per category first
    popular_first = shop.ids("stranger", scenario="trending", n=24, popularity_bias=-5)
    tail_first = shop.ids("stranger", scenario="trending", n=24, popularity_bias=5)
    assert popular_first != tail_first


@pytest.mark.parametrize(
    ("params", "status", "part"),
    [({"scenario": "nope"}, 422, "unknown scenario"), ({"n": 0}, 422, "n"), ({"diversity": 2}, 422, "diversity"),
     ({"price_min": 5, "price_max": 1}, 422, "price_min"), ({"scenario": "similar"}, 422, "needs items"),
     ({"attr": "novalue"}, 422, "KEY:VALUE")],
)  # fmt: skip
def test_bad_requests_get_clear_errors(shop: ShopApi, params: dict, status: int, part: str, error_of) -> None:  # noqa: ANN001
    response = shop.http.get("/v1/users/u1/recommendations", params=params, headers=shop.client)
    error_of(response, status, "invalid_input", part)


def test_bad_rules_and_unknown_items(shop: ShopApi, error_of) -> None:  # noqa: ANN001
    put = shop.http.put("/v1/scenarios/for_you/rules", json={"diversity": 3}, headers=shop.admin)
    error_of(put, 422, "invalid_input", "diversity")
    error_of(shop.http.put("/v1/scenarios/for_you/rules", json={"pins": [{"item_id": 1}]}, headers=shop.admin), 422, "invalid_input", "pins")
    error_of(shop.http.put("/v1/scenarios/nope/rules", json={}, headers=shop.admin), 404, "not_found", "no scenario")
    error_of(shop.http.put("/v1/scenarios/for_you/rules", json={}, headers=shop.client), 403, "forbidden")
    error_of(shop.http.get("/v1/items/missing/similar", headers=shop.client), 404, "not_found", "no item")
    error_of(shop.http.get("/v1/users/u1/recommendations"), 401, "unauthorized")
