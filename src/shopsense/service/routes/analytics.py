"""Analytics routes: the data of every report section as JSON, over an optional window of whole UTC days."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from shopsense.analytics.cache import AnalyticsCache
from shopsense.analytics.frame import Window
from shopsense.analytics.registry import ANALYSES
from shopsense.service.auth import CLIENT
from shopsense.service.errors import ApiError

router = APIRouter(prefix="/v1", tags=["analytics"])


class AnalysisNames(BaseModel):
    names: list[str]


class AnalysisOut(BaseModel):
    name: str
    since: date | None
    until: date | None
    data: dict[str, Any]


def _cache(request: Request) -> AnalyticsCache:
    """The app's analytics cache, made on first use (a racing duplicate is harmless: one wins)."""
    state = request.app.state
    if getattr(state, "analytics_cache", None) is None:
        state.analytics_cache = AnalyticsCache(shared=state.shared)
    return state.analytics_cache


@router.get("/analytics", response_model=AnalysisNames, summary="The names of the analyses")
def list_analyses(_key=CLIENT) -> AnalysisNames:  # noqa: ANN001
    return AnalysisNames(names=list(ANALYSES))


@router.get("/analytics/{name}", response_model=AnalysisOut, summary="One analysis of the event log (see the report)")
def get_analysis(
    name: str,
    request: Request,
    since: date | None = Query(None, description="first day included (YYYY-MM-DD, UTC)"),
    until: date | None = Query(None, description="last day included (YYYY-MM-DD, UTC)"),
    _key=CLIENT,  # noqa: ANN001
) -> AnalysisOut:
    if name not in ANALYSES:
        raise ApiError(404, f"no analysis {name!r}; known: {', '.join(ANALYSES)}")
    try:
        window = Window(since, until)
    except ValueError as exc:
        raise ApiError(422, str(exc), [{"field": "query.since", "message": str(exc)}]) from None
    data = _cache(request).get(request.app.state.db, window, name)
    return AnalysisOut(name=name, since=since, until=until, data=data)
