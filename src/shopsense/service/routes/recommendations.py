"""Recommendation routes: per-user scenarios, item pages, and the per-scenario rules (admin).

Handlers only translate query parameters into a ``RecommendationRequest`` and the result into JSON; the
pipeline lives in ``shopsense.serving``. The router's lifespan starts the serving runtime (models loaded
before the first request) and flushes the impression log at shutdown.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, FastAPI, Path, Query, Request, Response, Security
from starlette.concurrency import run_in_threadpool
from threadpoolctl import threadpool_limits

from shopsense.service.auth import ADMIN, API_KEY_HEADER, CLIENT, require
from shopsense.service.errors import ApiError
from shopsense.service.user_tokens import vouch
from shopsense.serving.pipeline import RecommendationRequest, Recommendations
from shopsense.serving.rules import RequestFilters, RulesError
from shopsense.serving.runtime import Runtime, ServingUnavailable
from shopsense.serving.scenarios import SCENARIOS, ScenarioError
from shopsense.serving.snapshot import Snapshot
from shopsense.storage.keys import Role
from shopsense.storage.schema import ID_LENGTH


@asynccontextmanager
async def lifespan(app: FastAPI):  # noqa: ANN201
    # requests are small matrix-vector products: BLAS threads would only spin between them, burning CPU
    threadpool_limits(limits=1, user_api="blas")
    runtime = new_runtime(app.state)
    await run_in_threadpool(runtime.start)
    app.state.serving = runtime
    try:
        yield
    finally:
        await run_in_threadpool(runtime.stop)


router = APIRouter(prefix="/v1", tags=["recommendations"], lifespan=lifespan)
Scenario = Query("for_you", description=f"one of: {', '.join(SCENARIOS)}")
MAX_N = 100
ANONYMOUS = "anonymous"  # the shopper of a product page's shelves when the page names none
# The hot routes run on the event loop and check the key inline (the shared check, called directly): a
# thread-pool hand-off per request costs more CPU than the check itself and adds GIL hand-over delays.
# They serve shop pages, so any live key may call them, the storefront key that browsers see included.
storefront = require(Role.STOREFRONT)


def new_runtime(state: Any) -> Runtime:  # noqa: ANN401 - starlette's State
    """A runtime over the app's database, with text recall (embeddings cached in the data dir) when enabled."""
    settings = state.settings
    content_dir = settings.data_dir / "search" / "embeddings" if settings.text_recall else None  # search's cache
    return Runtime(state.db, content_dir=content_dir)


def runtime_of(request: Request) -> Runtime:
    """The app's serving runtime (started by the lifespan; created here when an app runs without one)."""
    state = request.app.state
    if getattr(state, "serving", None) is None:
        state.serving = new_runtime(state)
    return state.serving


def snapshot_of(request: Request) -> Snapshot:
    """The runtime's current snapshot, or a 503 error saying why there is none yet."""
    try:
        return runtime_of(request).snapshot
    except ServingUnavailable as exc:
        raise ApiError(503, str(exc)) from None


def _attributes(pairs: list[str]) -> tuple[tuple[str, str], ...]:
    bad = [p for p in pairs if ":" not in p or not p.split(":", 1)[0]]
    if bad:
        raise ApiError(422, f"attr must be KEY:VALUE, got {bad[0]!r}")
    return tuple(tuple(p.split(":", 1)) for p in pairs)  # type: ignore[misc]


def _json(result: Recommendations) -> Response:
    key = "shop_id" if SCENARIOS[result.scenario].per_shop else "item_id"
    body = {
        "recomm_id": result.recomm_id, "scenario": result.scenario, "user_id": result.user_id,
        "experiment": {"id": result.experiment_id, "variant": result.variant} if result.experiment_id else None,
        "models": result.models,
        "items": [{key: r.id, "title": r.title, "score": r.score, "source": r.source, "reason": r.reason,
                   "position": p} for p, r in enumerate(result.items)],
    }  # fmt: skip
    return Response(orjson.dumps(body), media_type="application/json")


def _run(request: Request, ask: RecommendationRequest) -> Response:
    """Runs on the event loop: the pipeline takes about a millisecond (two indexed reads included), less
    than a hand-off to the thread pool and back costs under load."""
    try:
        return _json(runtime_of(request).recommend(ask))
    except (ScenarioError, RulesError) as exc:
        raise ApiError(422, str(exc)) from None
    except ServingUnavailable as exc:
        raise ApiError(503, str(exc)) from None


def _ask(user_id: str, scenario: str, n: int, items: list[str], category: str | None, price_min: float | None,
         price_max: float | None, shop: str | None, attr: list[str], overrides: dict[str, Any]) -> RecommendationRequest:  # fmt: skip
    if scenario not in SCENARIOS:
        raise ApiError(422, f"unknown scenario {scenario!r}; one of: {', '.join(SCENARIOS)}")
    try:
        filters = RequestFilters(category, price_min, price_max, shop, _attributes(attr))
    except RulesError as exc:
        raise ApiError(422, str(exc)) from None
    return RecommendationRequest(user_id, scenario, n, tuple(items), filters, {k: v for k, v in overrides.items() if v is not None})


IdList = Annotated[list[str], Query(max_length=100, description="item ids: the product page's item, or the cart")]


@router.get("/users/{user_id}/recommendations", summary="Recommendations for a user in a scenario")
async def user_recommendations(
    request: Request,
    user_id: Annotated[str, Path(min_length=1, max_length=ID_LENGTH)],
    scenario: str = Scenario,
    n: Annotated[int, Query(ge=1, le=MAX_N)] = 10,
    items: IdList = [],  # noqa: B006 - FastAPI reads the default, never mutates it
    category: Annotated[str | None, Query(max_length=200)] = None,
    price_min: Annotated[float | None, Query(ge=0, allow_inf_nan=False)] = None,
    price_max: Annotated[float | None, Query(ge=0, allow_inf_nan=False)] = None,
    shop: Annotated[str | None, Query(max_length=ID_LENGTH)] = None,
    attr: Annotated[list[str], Query(max_length=20, description="item attribute filter KEY:VALUE")] = [],  # noqa: B006
    diversity: Annotated[float | None, Query(ge=0, le=1, description="MMR strength")] = None,
    popularity_bias: Annotated[float | None, Query(ge=-10, le=10, allow_inf_nan=False)] = None,
    exclude_seen: bool | None = None,
    secret: str | None = Security(API_KEY_HEADER),
) -> Response:
    vouch(request, storefront(request, secret), [user_id], stored=True)
    overrides = {"diversity": diversity, "popularity_bias": popularity_bias, "exclude_seen": exclude_seen}
    return _run(request, _ask(user_id, scenario, n, items, category, price_min, price_max, shop, attr, overrides))


def _item_route(scenario: str):  # noqa: ANN202 - a route handler
    async def handler(
        item_id: str,
        request: Request,
        user_id: Annotated[str, Query(min_length=1, max_length=ID_LENGTH, description="the shopper (or a session id)")] = ANONYMOUS,
        n: Annotated[int, Query(ge=1, le=MAX_N)] = 10,
        secret: str | None = Security(API_KEY_HEADER),
    ) -> Response:
        vouch(request, storefront(request, secret), [user_id], stored=True, anonymous=ANONYMOUS)
        if item_id not in snapshot_of(request).catalog.index:
            raise ApiError(404, f"no item {item_id!r} in the catalogue")
        return _run(request, _ask(user_id, scenario, n, [item_id], None, None, None, None, [], {}))

    return handler


router.get("/items/{item_id}/similar", summary="Items similar to an item (product page)")(_item_route("similar"))
router.get("/items/{item_id}/also_bought", summary="Items bought together with an item")(_item_route("also_bought"))


@router.get("/scenarios", summary="Every scenario with its current rules")
def list_scenarios(request: Request, _key=CLIENT) -> dict:  # noqa: ANN001
    rules = snapshot_of(request).rules
    return {"scenarios": [{"name": name, "rules": rules[name].to_json()} for name in SCENARIOS]}


@router.put("/scenarios/{scenario}/rules", summary="Replace a scenario's stored rules (fields not given keep their defaults)")
def put_rules(scenario: str, rules: dict[str, Any], request: Request, _key=ADMIN) -> dict:  # noqa: ANN001
    if scenario not in SCENARIOS:
        raise ApiError(404, f"no scenario {scenario!r}; one of: {', '.join(SCENARIOS)}")
    try:
        merged = SCENARIOS[scenario].defaults.merged(rules)
    except RulesError as exc:
        raise ApiError(422, str(exc)) from None
    runtime = runtime_of(request)
    runtime.reads.put_scenario_rules(scenario, rules)
    runtime.refresh()
    return {"name": scenario, "rules": merged.to_json()}
