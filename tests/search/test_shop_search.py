"""Filters, facets, sorting, pagination, the zero-results fallback, click learning and personalisation."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
from search_fixtures import CATALOGUE, make_shop

from shopsense.search.filters import FilterError, Filters, filter_mask, parse_filters
from shopsense.search.personalize import Taste
from shopsense.search.shop import SearchRequest, ShopSearch


def ids(result) -> list[str]:
    return [h.item_id for h in result.hits]


def test_chinese_english_and_mixed_queries_find_their_items(shop: ShopSearch) -> None:
    assert ids(shop.search(SearchRequest("连衣裙"))) and set(ids(shop.search(SearchRequest("连衣裙")))) == {"p3", "p4"}
    assert ids(shop.search(SearchRequest("iPhone 15 手机壳")))[0] == "p1"
    assert ids(shop.search(SearchRequest("cordless drills")))[:2] in (["p5", "p6"], ["p6", "p5"])


def test_hidden_items_never_show(shop: ShopSearch) -> None:
    assert "p9" not in ids(shop.search(SearchRequest("cordless drill", n=100)))


def test_spelling_correction_is_used_and_reported(shop: ShopSearch) -> None:
    result = shop.search(SearchRequest("cordles dril"))
    assert result.parsed.corrected == "cordless drill"
    assert set(ids(result)) == {"p5", "p6"} and "spelling" in result.hits[0].reason


def test_parse_filters_and_errors() -> None:
    f = parse_filters("category:Tools|Garden; brand:Bosch|Makita; price:10..100; in_stock:true; shop:default")
    assert f == Filters(("Tools", "Garden"), ("Bosch", "Makita"), ("default",), 10.0, 100.0, True)
    assert parse_filters("price:..50").price_max == 50.0 and parse_filters(None) == Filters()
    for bad in ("colour:red", "brand", "price:50", "price:a..b", "price:9..1", "in_stock:maybe", "brand:;brand:x", "brand:a;brand:b"):
        with pytest.raises(FilterError):
            parse_filters(bad)


def test_filters_restrict_results(shop: ShopSearch) -> None:
    def search(q: str, filters: str) -> list[str]:
        return ids(shop.search(SearchRequest(q, filters=parse_filters(filters))))

    assert search("cordless drill", "brand:makita") == ["p6"]  # brand is case-insensitive
    assert search("cordless drill", "price:..100") == ["p5"]
    assert set(search("case", "category:Electronics")) == {"p1", "p2"}  # a category and everything under it
    assert search("case", "category:Electronics > Audio") != ["p1", "p2"]
    assert "p10" not in search("hose", "in_stock:true") and search("hose", "in_stock:false") == ["p10"]
    outside = shop.search(SearchRequest("phone case", filters=parse_filters("category:Clothing")))
    assert outside.fallback == "popular_in_category" and set(ids(outside)) <= {"p3", "p4"}


def test_query_constraints_filter_only_known_violations(shop: ShopSearch) -> None:
    result = shop.search(SearchRequest("连衣裙 200元以下"))
    assert ids(result) == ["p3"]  # p4 costs 299
    assert ids(shop.search(SearchRequest("红色连衣裙"))) == ["p3"]  # p4 declares blue
    mask = filter_mask(shop.facts, Filters(), shop.engine.parse("hose under $5"))
    assert mask[shop.facts.item_ids.index("p10")]  # no price known: kept


def test_facets_count_all_matches_not_just_the_page(shop: ShopSearch) -> None:
    result = shop.search(SearchRequest("cordless drill", n=1))
    assert len(result.hits) == 1 and result.total == 2
    assert result.facets["brand"] == {"Bosch": 1, "Makita": 1}
    assert result.facets["category"] == {"Tools > Drills": 2}
    assert result.facets["price"] == {"50..100": 1, "100..250": 1}
    assert result.facets["in_stock"] == {"true": 2, "false": 0}


def test_sorting_and_pagination(shop: ShopSearch) -> None:
    def order(sort: str) -> list[str]:
        return ids(shop.search(SearchRequest("cordless drill", sort=sort)))

    assert order("price_asc") == ["p5", "p6"] and order("price_desc") == ["p6", "p5"]
    assert order("newest") == ["p6", "p5"]
    first, second = (ids(shop.search(SearchRequest("cordless drill", page=p, n=1))) for p in (1, 2))
    assert first + second == order("relevance")
    assert ids(shop.search(SearchRequest("cordless drill", page=3, n=1))) == []
    with pytest.raises(ValueError):
        shop.search(SearchRequest("drill", sort="cheapest"))


def test_best_selling_sort_uses_sales() -> None:
    shop = replace(make_shop(), sales={"p5": 1, "p6": 7})
    assert ids(shop.search(SearchRequest("cordless drill", sort="best_selling"))) == ["p6", "p5"]


def test_zero_results_fallback_chain() -> None:
    shop = make_shop()
    relaxed = shop.search(SearchRequest("cordless drill television lawn"))  # 4 tokens, none has 3 of them
    assert relaxed.fallback == "relaxed_terms" and relaxed.hits
    popular = replace(shop, sales={"p8": 5, "p7": 9}).search(SearchRequest("qwxyz"))
    assert popular.fallback == "popular_in_category"
    assert ids(popular)[:2] == ["p7", "p8"] and popular.hits[0].source == "popular"
    assert "popular" in popular.hits[0].reason


def test_dense_only_fallback_says_so() -> None:
    shop = make_shop(dense=True)
    result = shop.search(SearchRequest("qwxyz"))
    assert result.fallback == "dense_only"
    assert result.hits and all(h.source == "search:dense" for h in result.hits)


def test_clicks_after_searches_boost_results() -> None:
    shop = make_shop()
    before = ids(shop.search(SearchRequest("cordless drill")))
    loser = before[-1]
    clicked = replace(shop, clicks={"cordless drill": Counter({loser: 20})}, click_weight=5.0)
    result = clicked.search(SearchRequest("cordless drill"))
    assert ids(result)[0] == loser and "often chosen" in result.hits[0].reason


TASTE = Taste(categories={"Electronics > Phone Cases": 1.0}, brands={"Apple": 1.0}, bands={},
              recent_categories=frozenset({"Electronics > Phone Cases"}))  # fmt: skip


def test_personalization_strength_zero_is_the_unpersonalized_order(shop: ShopSearch) -> None:
    for query in ("case", "phone case", "cordless drill", "连衣裙", "Electronics"):
        plain = shop.search(SearchRequest(query, n=50))
        off = shop.search(SearchRequest(query, n=50, strength=0.0), TASTE)
        assert [(h.item_id, h.score, h.reason) for h in off.hits] == [(h.item_id, h.score, h.reason) for h in plain.hits]


def test_personalization_boosts_and_explains(shop: ShopSearch) -> None:
    plain = shop.search(SearchRequest("case", n=50))
    assert ids(plain)[0] == "p2"  # "case" in its title and category
    personal = shop.search(SearchRequest("case", n=50, strength=2.0), TASTE)
    top = personal.hits[0]
    assert top.item_id == "p1" and "you like Apple" in top.reason and "recently viewed" in top.reason
    assert top.score > personal.hits[1].score


def test_taste_from_a_profile_document() -> None:
    profile = {"affinities": {"category": {"A": 0.5}, "brand": {"B": 1.0}, "shop": {}, "price_band": {"low": 0.3}},
               "interests": {"recent_categories": ["A"]}}  # fmt: skip
    taste = Taste.of(profile)
    assert taste.categories == {"A": 0.5} and taste.bands == {"low": 0.3} and taste.recent_categories == {"A"}
    assert not Taste.of(None)


def test_mask_reference_agrees_with_a_loop(shop: ShopSearch) -> None:
    """The vectorised filter mask against a plain per-item check."""
    f = parse_filters("category:Electronics;price:10..100")
    expected = [not i.hidden and i.category[:1] == ("Electronics",) and i.price is not None and 10 <= i.price <= 100
                for i in CATALOGUE]  # fmt: skip
    assert filter_mask(shop.facts, f).tolist() == expected
    assert np.array_equal(filter_mask(shop.facts, Filters()), ~shop.facts.hidden)
