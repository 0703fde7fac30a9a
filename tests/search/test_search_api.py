"""The search HTTP API on each storage backend: search, suggest, synonyms, analytics, freshness, errors."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from conftest import SearchApi

from shopsense.search.suggest import Suggester

ITEM = {"item_id": "p11", "title": "Stand mixer 5 qt", "category": ["Kitchen", "Mixers"], "brand": "KitchenAid",
        "price": 279.0}  # fmt: skip


def test_search_returns_items_parsed_query_facets_and_recomm_id(search_api: SearchApi) -> None:
    body = search_api.search(q="红色连衣裙 200元以下", n=5)
    assert [i["item_id"] for i in body["items"]] == ["p3"]
    item = body["items"][0]
    assert set(item) == {"item_id", "score", "source", "reason"} and item["source"] == "search" and item["reason"]
    query = body["query"]
    assert query["language"] == "zh" and query["filters"] == {"price_max": 200.0, "colors": ["red"]}
    assert "连衣裙" in query["tokens"] and query["categories"][0]["category"] == "Clothing > Dresses"
    assert body["facets"]["brand"] == {"Vero": 1} and body["total"] == 1 and body["fallback"] is None
    assert len(body["recomm_id"]) == 32 and body["page"] == 1 and body["n"] == 5 and body["sort"] == "relevance"


def test_search_corrects_spelling_and_filters(search_api: SearchApi) -> None:
    body = search_api.search(q="cordles dril", filters="brand:Bosch|Makita;price:..100")
    assert body["query"]["corrected"] == "cordless drill"
    assert [i["item_id"] for i in body["items"]] == ["p5"]
    assert body["query"]["filters"]["brands"] == ["Bosch", "Makita"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "query.q"), ({"q": " "}, "query.q"), ({"q": "x", "n": 0}, "query.n"), ({"q": "x", "n": 101}, "query.n"),
     ({"q": "x", "page": 0}, "query.page"), ({"q": "x", "sort": "cheap"}, "query.sort"),
     ({"q": "x", "filters": "colour:red"}, "query.filters"), ({"q": "x", "filters": "price:9..1"}, "query.filters"),
     ({"q": "x", "personalization": -1}, "query.personalization"), ({"q": "x" * 501}, "query.q")],
)  # fmt: skip
def test_bad_search_input_is_422(search_api: SearchApi, error_of, params: dict, field: str) -> None:
    error = error_of(search_api.http.get("/v1/search", params=params, headers=search_api.client), 422, "invalid_input")
    assert error["details"][0]["field"] == field


def test_search_needs_a_key(search_api: SearchApi, error_of) -> None:
    error_of(search_api.http.get("/v1/search", params={"q": "drill"}), 401, "unauthorized")
    error_of(search_api.http.post("/v1/search/synonyms", json={"term": "a", "synonyms": ["b"]}, headers=search_api.client),
             403, "forbidden")  # fmt: skip


def test_new_items_are_searchable_within_seconds(search_api: SearchApi) -> None:
    assert search_api.search(q="stand mixer")["fallback"] is not None  # nothing matches yet
    response = search_api.http.put("/v1/items", json={"items": [ITEM]}, headers=search_api.admin)
    assert response.status_code == 200, response.text
    start = time.monotonic()
    while time.monotonic() - start < 10:
        found = [i["item_id"] for i in search_api.search(q="stand mixer")["items"]]
        if found[:1] == ["p11"]:
            break
        time.sleep(0.2)
    assert found[:1] == ["p11"], found
    assert time.monotonic() - start < 10


def test_synonyms_admin_and_effect(search_api: SearchApi) -> None:
    assert search_api.search(q="tv")["items"][0]["item_id"] == "p8"  # the category says TV
    created = search_api.http.post("/v1/search/synonyms", json={"term": "earphones", "synonyms": ["earbuds"]},
                                   headers=search_api.admin)  # fmt: skip
    assert created.status_code == 201, created.text
    rule = created.json()
    assert rule["term"] == "earphones" and rule["two_way"] is False
    listed = search_api.http.get("/v1/search/synonyms", headers=search_api.admin).json()
    assert [r["rule_id"] for r in listed] == [rule["rule_id"]]
    start = time.monotonic()
    while time.monotonic() - start < 10 and not search_api.search(q="earphones")["query"]["synonyms"]:
        time.sleep(0.2)
    body = search_api.search(q="earphones")
    assert body["query"]["synonyms"] == ["earbuds"] and body["items"][0]["item_id"] == "p7"
    assert search_api.http.delete(f"/v1/search/synonyms/{rule['rule_id']}", headers=search_api.admin).status_code == 204
    assert search_api.http.delete(f"/v1/search/synonyms/{rule['rule_id']}", headers=search_api.admin).status_code == 404
    bad = search_api.http.post("/v1/search/synonyms", json={"term": "x", "synonyms": []}, headers=search_api.admin)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"


def test_a_query_only_one_shopper_typed_is_never_suggested(search_api: SearchApi) -> None:
    for _ in range(3):
        search_api.search(q="order 4471 jane doe", user_id="u1")  # private to u1, however often
    search_api.search(q="cordless drill", user_id="u1")
    search_api.search(q="cordless drill", user_id="u2")
    past = search_api.http.app.state.search.store.past_queries()
    assert past["order 4471 jane doe"] == 1 and past["cordless drill"] == 2  # searchers, not searches
    suggester = Suggester(past, [])
    assert suggester.suggest("order") == []
    assert [s.text for s in suggester.suggest("cord")] == ["cordless drill"]


def test_suggest_completes_past_queries_and_titles(search_api: SearchApi, error_of) -> None:
    for _ in range(2):
        search_api.search(q="cordless drill")
    search_api.http.app.state.search.invalidate()
    deadline = time.monotonic() + 10
    while True:
        body = search_api.http.get("/v1/suggest", params={"q": "cord"}, headers=search_api.client).json()
        if body["suggestions"] and body["suggestions"][0]["source"] == "query" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert body["suggestions"][0] == {"text": "cordless drill", "source": "query", "count": 2}
    assert any(s["source"] == "title" for s in body["suggestions"])
    zh = search_api.http.get("/v1/suggest", params={"q": "连衣"}, headers=search_api.client).json()["suggestions"]
    assert {s["text"] for s in zh} == {"红色连衣裙 夏季女装", "雪纺连衣裙 蓝色"}
    error_of(search_api.http.get("/v1/suggest", params={"q": ""}, headers=search_api.client), 422, "invalid_input")


def test_search_analytics_top_zero_results_and_ctr(search_api: SearchApi, error_of) -> None:
    shown = search_api.search(q="cordless drill")
    search_api.search(q="Cordless  drill!")  # normalises to the same query
    search_api.http.put("/v1/items", json={"items": [{**ITEM, "item_id": "p12", "hidden": True}]}, headers=search_api.admin)
    now = datetime.now(UTC).isoformat()
    click = {"event_id": "c1", "user_id": "u1", "type": "click", "item_id": shown["items"][0]["item_id"],
             "recomm_id": shown["recomm_id"], "position": 0, "timestamp": now}  # fmt: skip
    assert search_api.http.post("/v1/events", json={"events": [click]}, headers=search_api.client).status_code == 200
    body = search_api.http.get("/v1/analytics/search", headers=search_api.client).json()
    top = body["top_queries"][0]
    assert top == {"query": "cordless drill", "searches": 2, "zero_results": 0, "clicked_searches": 1, "ctr": 0.5}
    assert body["ctr_by_query"][0]["query"] == "cordless drill"
    today = datetime.now(UTC).date().isoformat()
    windowed = search_api.http.get("/v1/analytics/search", params={"since": today, "until": today},
                                   headers=search_api.client).json()  # fmt: skip
    assert windowed["top_queries"][0]["searches"] == 2
    past = search_api.http.get("/v1/analytics/search", params={"until": "2020-01-01"}, headers=search_api.client).json()
    assert past["top_queries"] == []
    error_of(search_api.http.get("/v1/analytics/search", params={"since": "2024-02-02", "until": "2024-02-01"},
                                 headers=search_api.client), 422, "invalid_input")  # fmt: skip


def test_zero_result_queries_are_counted(search_api: SearchApi) -> None:
    body = search_api.search(q="drill", filters="brand:Nobody")
    assert body["items"] == [] and body["total"] == 0
    stats = search_api.http.get("/v1/analytics/search", headers=search_api.client).json()
    assert stats["zero_result_queries"][0]["query"] == "drill"


def test_personalization_switch_over_http(search_api: SearchApi) -> None:
    events = [{"event_id": f"v{i}", "user_id": "fan", "type": "purchase", "item_id": "p1",
               "timestamp": datetime.now(UTC).isoformat()} for i in range(3)]  # fmt: skip
    assert search_api.http.post("/v1/events", json={"events": events}, headers=search_api.client).status_code == 200
    plain = search_api.search(q="case")
    off = search_api.search(q="case", user_id="fan", personalization=0)
    assert [i["item_id"] for i in off["items"]] == [i["item_id"] for i in plain["items"]]
    on = search_api.search(q="case", user_id="fan", personalization=3)
    assert on["items"][0]["item_id"] == "p1" and "Apple" in on["items"][0]["reason"]
