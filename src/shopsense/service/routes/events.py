"""Event ingestion: batches of up to 1,000 events, each accepted, counted as a duplicate, or rejected."""

from __future__ import annotations

import math
from typing import Any

import orjson
import pandas as pd
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from shopsense.ingest.batch import ingest_events
from shopsense.ingest.validate import EVENT_FIELDS, Limits
from shopsense.service.auth import STOREFRONT
from shopsense.service.errors import ApiError
from shopsense.service.schemas import EVENT_BATCH_SCHEMA, EventBatchResult
from shopsense.service.user_tokens import vouch

router = APIRouter(prefix="/v1", tags=["events"])
_KNOWN = frozenset(EVENT_FIELDS)


def _parse_batch(body: bytes, max_events: int) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """The events as dicts, plus reasons for entries that are not event objects at all."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, f"body is not valid JSON: {exc}") from None
    if not isinstance(payload, dict) or "events" not in payload:
        raise ApiError(422, 'body must be a JSON object {"events": [...]}')
    extra = sorted(set(payload) - {"events"})
    if extra:
        raise ApiError(422, f"unknown top-level fields: {', '.join(extra)}")
    events = payload["events"]
    if not isinstance(events, list):
        raise ApiError(422, "events must be a list")
    if len(events) > max_events:
        raise ApiError(413, f"{len(events)} events in one batch; the limit is {max_events}: split the batch")
    problems: dict[int, str] = {}
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            problems[index] = "event must be a JSON object"
        elif unknown := sorted(set(event) - _KNOWN):
            problems[index] = f"unknown fields: {', '.join(unknown)}"
        elif any(isinstance(event.get(k), (dict, list)) for k in _KNOWN - {"context"}):
            problems[index] = "only context may hold an object or a list"
        elif any(isinstance(v, float) and not math.isfinite(v) for v in event.values()):
            problems[index] = "numbers must be finite"
    return events, problems


def _ingest(request: Request, events: list[dict[str, Any]], problems: dict[int, str]) -> EventBatchResult:
    settings = request.app.state.settings
    good = [i for i in range(len(events)) if i not in problems]
    frame = pd.DataFrame.from_records([events[i] for i in good], index=good, columns=list(EVENT_FIELDS))
    limits = Limits(max_text_chars=settings.max_text_chars, pseudonymize_key=settings.pseudonymize_key)
    outcome = ingest_events(request.app.state.db, frame, limits)
    results = []
    for index, event in enumerate(events):
        event_id = event.get("event_id") if isinstance(event, dict) else None
        event_id = None if event_id is None else str(event_id)
        if index in problems:
            results.append({"index": index, "event_id": event_id, "status": "rejected", "reason": problems[index]})
        else:
            status = outcome.status[index]
            results.append({"index": index, "event_id": event_id, "status": status, "reason": outcome.reasons.get(index)})
    counts = {s: sum(r["status"] == s for r in results) for s in ("accepted", "duplicate", "rejected")}
    return EventBatchResult(**counts, results=results)


@router.post(
    "/events",
    response_model=EventBatchResult,
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": EVENT_BATCH_SCHEMA}}}},
    summary="Send a batch of events (at most 1,000, at most 2 MB)",
)
async def post_events(request: Request, _key=STOREFRONT) -> EventBatchResult:  # noqa: ANN001
    events, problems = _parse_batch(await request.body(), request.app.state.settings.max_batch_events)
    users = [e["user_id"] for i, e in enumerate(events) if i not in problems and isinstance(e.get("user_id"), str)]
    vouch(request, _key, users, stored=False)  # the whole batch is refused, nothing stored
    return await run_in_threadpool(_ingest, request, events, problems)
