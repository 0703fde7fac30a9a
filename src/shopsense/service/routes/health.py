"""Liveness and readiness probes (no key needed); ``process`` tells the server processes apart."""

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
    return JSONResponse({"status": "ok" if ok else "unavailable", "database": db.backend, "process": os.getpid()}, status_code=200 if ok else 503)
