"""Liveness and readiness probes (no key needed); ``process`` tells the server processes apart.

Readiness depends on the database alone, the system of record. ``cache`` reports the shared cache
(``memory``, ``redis`` or ``degraded: <why>`` while Redis is unreachable): a degraded cache slows some
answers and makes rate limits per process, but every answer can still be computed, so it stays ready.
"""

import os

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/health/live")
def live() -> dict:
    return {"status": "ok"}


@router.get("/health/ready")
def ready(request: Request) -> JSONResponse:
    db = request.app.state.db
    ok = db.is_ready()
    body = {"status": "ok" if ok else "unavailable", "database": db.backend, "cache": request.app.state.shared.status(),
            "process": os.getpid()}  # fmt: skip
    return JSONResponse(body, status_code=200 if ok else 503)
