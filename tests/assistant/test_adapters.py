"""The seams filled by the real product search (shopsense.search) and recommendation serving (shopsense.serving)."""

from __future__ import annotations

from pathlib import Path

from shopsense.assistant.adapters import ServingRelated, ShopSearchFinder
from shopsense.assistant.prices import PriceLimits
from shopsense.assistant.products import CoPurchases
from shopsense.search.live import SearchService
from shopsense.serving.runtime import Runtime
from shopsense.storage import Database


def test_product_search_applies_the_price_limits_as_filters(shop: Database, tmp_path: Path) -> None:
    finder = ShopSearchFinder(SearchService(shop, tmp_path, dense=False))
    found = finder.find("ceramic coffee mug", PriceLimits(None, 9.0), 5)
    assert [c.item_id for c in found] == ["MUG-RED"]  # the blue one costs £9.50
    assert {c.item_id for c in finder.find("ceramic coffee mug", PriceLimits(), 5)} == {"MUG-RED", "MUG-BLUE"}


def test_related_items_fall_back_to_co_purchases_without_a_served_model(shop: Database) -> None:
    related = ServingRelated(Runtime(shop), CoPurchases(shop.engine))
    assert [c.item_id for c in related.related("TEAPOT-1", 3)][:1] == ["MUG-RED"]
