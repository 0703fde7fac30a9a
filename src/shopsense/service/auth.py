"""API-key authentication: the ``X-API-Key`` header, and three roles, each allowed what the one below it is.

* ``STOREFRONT`` routes: what a shop's web page needs (events, item reads, search and suggest,
  recommendations, the assistant's chat and feedback); any live key may call them, including the
  storefront key that the built-in storefront page hands to every browser.
* ``CLIENT`` routes: a server-side integration's reads (profiles, a user's events, analytics, segments,
  experiments, search analytics, …); client and admin keys. A storefront key gets 403.
* ``ADMIN`` routes: catalogue writes, configuration, deletes; admin keys only.

A route declares its level with one of the three dependencies below (``_key=STOREFRONT``); hot routes may
call ``require(role)``'s check directly. See docs/security.md#scopes.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from shopsense.service.errors import ApiError
from shopsense.storage.keys import RANK, ApiKeyInfo, Role

API_KEY_HEADER = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An admin, client or storefront key (`shopsense keys create`)"
)

_NEEDS = {Role.ADMIN: "this route needs an admin key", Role.CLIENT: "this route needs a client or admin key"}
_STOREFRONT_MAY = (" (a storefront key may only send events, read items, search, get recommendations and use "
                   "the assistant's chat: the routes a shop's web page calls)")  # fmt: skip


def require(role: Role) -> Callable[..., ApiKeyInfo]:
    """Dependency: a valid key whose role is ``role`` or a higher one (admin > client > storefront)."""
    refused = frozenset(r for r in Role if RANK[r] < RANK[role])  # empty for STOREFRONT: any live key
    needs = _NEEDS.get(role, "")

    def check(request: Request, secret: str | None = Depends(API_KEY_HEADER)) -> ApiKeyInfo:
        if not secret:
            raise ApiError(401, "missing API key: send it in the X-API-Key header")
        key = request.app.state.db.keys.authenticate(secret)
        if key is None:
            raise ApiError(401, "invalid or revoked API key")
        if key.role in refused:
            why = _STOREFRONT_MAY if key.role is Role.STOREFRONT else ""
            raise ApiError(403, f"{needs}; the key sent is a {key.role.value} key{why}")
        return key

    return check


ADMIN = Depends(require(Role.ADMIN))
CLIENT = Depends(require(Role.CLIENT))
STOREFRONT = Depends(require(Role.STOREFRONT))
