"""API-key authentication: ``X-API-Key`` header; admin keys may do everything, client keys events and reads."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from shopsense.service.errors import ApiError
from shopsense.storage.keys import ApiKeyInfo, Role

API_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="An admin or client key (`shopsense keys create`)")


def require(role: Role) -> Callable[..., ApiKeyInfo]:
    """Dependency: a valid key of ``role`` (an admin key satisfies a client route too)."""

    def check(request: Request, secret: str | None = Depends(API_KEY_HEADER)) -> ApiKeyInfo:
        if not secret:
            raise ApiError(401, "missing API key: send it in the X-API-Key header")
        key = request.app.state.db.keys.authenticate(secret)
        if key is None:
            raise ApiError(401, "invalid or revoked API key")
        if role is Role.ADMIN and key.role is not Role.ADMIN:
            raise ApiError(403, "this route needs an admin key; the key sent is a client key")
        return key

    return check


ADMIN = Depends(require(Role.ADMIN))
CLIENT = Depends(require(Role.CLIENT))
