"""Every error leaves the API as ``{"error": {"code", "message", "details"}}`` with the right status."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import orjson
import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

from shopsense.storage.database import is_unavailable_error

log = logging.getLogger("shopsense.service")

_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_input",
    429: "rate_limited", 500: "internal_error", 503: "unavailable",
}  # fmt: skip


class ApiError(Exception):
    def __init__(self, status: int, message: str, details: list[Any] | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []
        self.code = code or _CODES.get(status, "error")


def error_body(status: int, message: str, details: list[Any] | None = None, code: str | None = None) -> dict:
    return {"error": {"code": code or _CODES.get(status, "error"), "message": message, "details": details or []}}


async def send_error(send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Answer with the error shape straight from ASGI middleware (before the app has read the request)."""
    body = orjson.dumps(error_body(status, message))
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *(headers or [])]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


def _respond(status: int, message: str, details: list[Any] | None = None, code: str | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, message, details, code), status_code=status)


def _location(loc: tuple) -> str:
    return ".".join(str(part) for part in loc if part != "body") or "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _respond(exc.status, exc.message, exc.details, exc.code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        broken = next((e for e in exc.errors() if e.get("type") == "json_invalid"), None)
        if broken is not None:
            return _respond(400, f"body is not valid JSON: {broken.get('ctx', {}).get('error', broken['msg'])}")
        details = [{"field": _location(e["loc"]), "message": e["msg"]} for e in exc.errors()]
        summary = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
        return _respond(422, f"invalid request: {summary}", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else _CODES.get(exc.status_code, "error")
        return _respond(exc.status_code, message)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        """Also the last resort for errors raised in middleware (outside the handlers below)."""
        if is_unavailable_error(exc):
            return _database_unavailable(request, exc)
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return _respond(500, "internal error; the server log has the details")

    async def _database(request: Request, exc: Exception) -> JSONResponse:
        return _database_unavailable(request, exc) if is_unavailable_error(exc) else await _unexpected(request, exc)

    # SQLAlchemy's errors, and the drivers' own from the hot path's raw connections (storage/serving.py)
    for database_error in (SQLAlchemyError, psycopg.Error, sqlite3.Error):
        app.add_exception_handler(database_error, _database)


def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The database is down or restarting: a 503 the client may retry (the connection pool reconnects by
    itself once it is back); any other database error stays a 500, since it is a bug."""
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, str(exc).splitlines()[0])
    body = error_body(503, "database unavailable; retry shortly", code="database_unavailable")
    return JSONResponse(body, status_code=503, headers={"Retry-After": "1"})
