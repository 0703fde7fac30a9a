"""Search routes: product search, autocomplete, search analytics and the synonym list."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

import orjson
from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from shopsense.profiles.documents import read_profile
from shopsense.search.filters import FilterError, parse_filters
from shopsense.search.live import SearchService
from shopsense.search.personalize import Taste
from shopsense.search.shop import SORTS, SearchRequest
from shopsense.search.store import LoggedSearch
from shopsense.search.synonyms import SynonymRule
from shopsense.service.auth import ADMIN, CLIENT, STOREFRONT
from shopsense.service.errors import ApiError
from shopsense.service.schemas import StrictIn
from shopsense.service.user_tokens import vouch

router = APIRouter(prefix="/v1", tags=["search"])
SHARED_SEARCH_TTL_S = 30.0  # click and sales signals are refreshed every minute anyway


class ParsedQueryOut(BaseModel):
    text: str
    normalized: str
    language: str
    corrected: str | None
    tokens: list[str]
    synonyms: list[str]
    filters: dict
    categories: list[dict]


class SearchHitOut(BaseModel):
    item_id: str
    score: float
    source: str
    reason: str


class SearchOut(BaseModel):
    recomm_id: str
    query: ParsedQueryOut
    items: list[SearchHitOut]
    total: int
    page: int
    n: int
    sort: str
    facets: dict[str, dict[str, int]]
    fallback: str | None = Field(description="relaxed_terms | dense_only | popular_in_category when nothing matched")


class SuggestionOut(BaseModel):
    text: str
    source: str
    count: int


class SuggestOut(BaseModel):
    suggestions: list[SuggestionOut]


class SynonymIn(StrictIn):
    term: str = Field(min_length=1, max_length=200)
    synonyms: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(min_length=1, max_length=50)
    two_way: bool = False


class SynonymOut(SynonymIn):
    rule_id: int


class QueryStat(BaseModel):
    query: str
    searches: int
    zero_results: int
    clicked_searches: int
    ctr: float


class SearchAnalyticsOut(BaseModel):
    since: date | None
    until: date | None
    top_queries: list[QueryStat]
    zero_result_queries: list[QueryStat]
    ctr_by_query: list[QueryStat]


def service(request: Request) -> SearchService:
    """The app's search service, made on first use."""
    state = request.app.state
    if getattr(state, "search", None) is None:
        state.search = SearchService(state.db, state.settings.data_dir, models_dir=state.settings.models_dir)
    return state.search


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, f"invalid request: {field}: {message}", [{"field": field, "message": message}])


@router.get("/search", response_model=SearchOut, summary="Search the catalogue, personalised for a user")
def search(
    request: Request,
    q: str = Query(min_length=1, max_length=500, description="what the shopper typed (Chinese, English or mixed)"),
    user_id: str | None = Query(None, max_length=128, description="personalise for this user"),
    filters: str | None = Query(None, max_length=2000, description="e.g. category:Tools|Garden;brand:Bosch;price:10..50;in_stock:true"),
    sort: str = Query("relevance", description=" | ".join(SORTS)),
    page: int = Query(1, ge=1, le=1000),
    n: int = Query(20, ge=1, le=100),
    personalization: float = Query(1.0, ge=0.0, le=10.0, description="strength of the personal re-ranking; 0 = off"),
    _key=STOREFRONT,
) -> SearchOut:
    if not q.strip():
        raise _invalid("query.q", "the query is blank")
    if sort not in SORTS:
        raise _invalid("query.sort", f"unknown sort {sort!r}; one of {', '.join(SORTS)}")
    vouch(request, _key, [user_id] if user_id else [], stored=True)
    try:
        parsed_filters = parse_filters(filters)
    except FilterError as exc:
        raise _invalid("query.filters", str(exc)) from None
    search_service = service(request)
    snapshot = search_service.current()
    ask = SearchRequest(q, user_id, parsed_filters, sort, page, n, personalization)
    shared, key = request.app.state.shared, None
    if user_id is None:  # the same answer for every shopper: shared by all server processes for a while
        key = "search:" + hashlib.sha256(repr((snapshot.version, ask)).encode()).hexdigest()
    cached = shared.get(key) if key else None
    if cached is not None:
        body = orjson.loads(cached)
    else:
        profile = read_profile(request.app.state.db, user_id) if user_id else None
        body = _search_body(snapshot.search.search(ask, Taste.of(profile)), parsed_filters.as_dict(), ask)
        if key:
            shared.set(key, orjson.dumps(body), SHARED_SEARCH_TTL_S)
    recomm_id = uuid.uuid4().hex
    search_service.store.log(LoggedSearch(recomm_id, q, body["query"]["normalized"], user_id, body["total"], body["fallback"]))
    return SearchOut(recomm_id=recomm_id, **body)


def _search_body(result: SearchResult, filters: dict, ask: SearchRequest) -> dict:
    """The response without its ``recomm_id`` (which is new for every request), as plain JSON data."""
    parsed = result.parsed
    constraints = {k: v for k, v in (("price_min", parsed.price_min), ("price_max", parsed.price_max),
                                     ("colors", parsed.colors)) if v}  # fmt: skip
    return {
        "query": {
            "text": parsed.text, "normalized": parsed.normalized, "language": parsed.language,
            "corrected": parsed.corrected, "tokens": parsed.tokens, "synonyms": parsed.synonyms,
            "filters": {**filters, **constraints},
            "categories": [{"category": c, "probability": round(p, 4)} for c, p in parsed.categories],
        },
        "items": [hit.__dict__ for hit in result.hits],
        "total": result.total, "page": ask.page, "n": ask.n, "sort": ask.sort, "facets": result.facets,
        "fallback": result.fallback,
    }  # fmt: skip


@router.get("/suggest", response_model=SuggestOut, summary="Autocomplete from past queries and titles")
def suggest(
    request: Request,
    q: str = Query(min_length=1, max_length=200),
    n: int = Query(10, ge=1, le=50),
    _key=STOREFRONT,
) -> SuggestOut:
    found = service(request).current().suggester.suggest(q, n)
    return SuggestOut(suggestions=[SuggestionOut(**s.__dict__) for s in found])


def _day_ms(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp() * 1000)


@router.get("/analytics/search", response_model=SearchAnalyticsOut, summary="Top queries, zero results, CTR by query")
def search_analytics(
    request: Request,
    since: date | None = Query(None, description="first day included (YYYY-MM-DD, UTC)"),
    until: date | None = Query(None, description="last day included (YYYY-MM-DD, UTC)"),
    limit: int = Query(20, ge=1, le=1000),
    _key=CLIENT,
) -> SearchAnalyticsOut:
    if since and until and since > until:
        raise _invalid("query.since", "since is after until")
    start = _day_ms(since) if since else 0
    end = _day_ms(until + timedelta(days=1)) if until else 2**62
    data = service(request).store.analytics(start, end, limit)
    return SearchAnalyticsOut(since=since, until=until, **data)


@router.get("/search/synonyms", response_model=list[SynonymOut], summary="The synonym rules")
def list_synonyms(request: Request, _key=ADMIN) -> list[SynonymOut]:
    return [SynonymOut(rule_id=i, term=r.term, synonyms=list(r.synonyms), two_way=r.two_way)
            for i, r in service(request).store.synonyms()]  # fmt: skip


@router.post("/search/synonyms", response_model=SynonymOut, status_code=201, summary="Add a one-way or two-way rule")
def add_synonym(rule: SynonymIn, request: Request, _key=ADMIN) -> SynonymOut:
    try:
        domain = SynonymRule(rule.term, tuple(rule.synonyms), rule.two_way)
    except ValueError as exc:
        raise _invalid("body.term", str(exc)) from None
    search_service = service(request)
    rule_id = search_service.store.add_synonym(domain)
    search_service.invalidate()
    return SynonymOut(rule_id=rule_id, **rule.model_dump())


@router.delete("/search/synonyms/{rule_id}", status_code=204, summary="Delete a synonym rule")
def delete_synonym(request: Request, rule_id: int = Path(ge=1, le=2**31 - 1), _key=ADMIN) -> None:
    search_service = service(request)
    if not search_service.store.delete_synonym(rule_id):
        raise ApiError(404, f"no synonym rule {rule_id}")
    search_service.invalidate()
