"""Signed user tokens: the shop's server vouches for which shopper a browser is (``SHOPSENSE_USER_TOKEN_KEY``).

A storefront key is public (every browser of the shop has it), so on its own it lets anyone name any
user id. With a token key set, every storefront-key request that names a user — events, recommendations,
personalised search, similar / also-bought for a user, assistant chat — must carry ``X-User-Token`` for
exactly that user. The shop's server mints the token when the shopper signs in (or for an anonymous
session id) and hands it to its page; client and admin keys, used server-side, need none.

Token: ``ut1.<base64url(user id)>.<expiry, unix seconds>.<base64url(HMAC-SHA256(key, "ut1|<user id>|<expiry>"))>``
(RFC 2104); compared in constant time. Without a token key nothing changes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterable

from fastapi import Request

from shopsense.service.errors import ApiError
from shopsense.service.pseudonyms import stored_user_id
from shopsense.storage.keys import ApiKeyInfo, Role

HEADER = "X-User-Token"
_VERSION = "ut1"


class UserTokenError(ValueError):
    """A token that is malformed, forged, expired or for another user; the message says which."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def _signature(key: str, user_id: str, expires: int) -> bytes:
    return hmac.new(key.encode(), f"{_VERSION}|{user_id}|{expires}".encode(), hashlib.sha256).digest()


def mint_user_token(key: str, user_id: str, *, ttl_seconds: int = 3600, now: float | None = None) -> str:
    """A token vouching for ``user_id`` until ``now + ttl_seconds``."""
    if not key:
        raise UserTokenError("no user-token key: set SHOPSENSE_USER_TOKEN_KEY")
    if not user_id or ttl_seconds <= 0:
        raise UserTokenError("a token needs a non-empty user id and a positive lifetime")
    expires = int((time.time() if now is None else now) + ttl_seconds)
    return ".".join((_VERSION, _b64(user_id.encode()), str(expires), _b64(_signature(key, user_id, expires))))


def verify_user_token(key: str, token: str, *, now: float | None = None) -> str:
    """The user id ``token`` vouches for; :class:`UserTokenError` when it is not valid now."""
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != _VERSION or not parts[2].isdigit():
        raise UserTokenError(f"malformed {HEADER}: expected {_VERSION}.<user>.<expiry>.<signature>")
    try:
        user_id, signature = _unb64(parts[1]).decode(), _unb64(parts[3])
    except ValueError:
        raise UserTokenError(f"malformed {HEADER}: not base64url") from None
    expires = int(parts[2])
    if not hmac.compare_digest(signature, _signature(key, user_id, expires)):
        raise UserTokenError(f"invalid {HEADER}: the signature does not match")
    if expires <= (time.time() if now is None else now):
        raise UserTokenError(f"expired {HEADER}: ask the shop's server for a new one")
    return user_id


def vouch(request: Request, key: ApiKeyInfo, user_ids: Iterable[str], *, stored: bool, anonymous: str | None = None) -> None:
    """403 unless a storefront request's ``X-User-Token`` vouches for every id in ``user_ids``.

    ``stored``: the ids are as the handler sees path and query ids (pseudonyms when pseudonymisation is
    on); otherwise they are the raw ids of a request body. ``anonymous``: an id that needs no token (a
    route's default shopper), raw or stored. No-op without a token key or for client and admin keys.
    """
    settings = request.app.state.settings
    if not settings.user_token_key or key.role is not Role.STOREFRONT:
        return
    wanted = set(user_ids) - ({anonymous, stored_user_id(request, anonymous)} if anonymous else set())
    if not wanted:
        return
    token = request.headers.get(HEADER)
    if not token:
        raise ApiError(403, f"a storefront key must send {HEADER} for the user it names (the shop's server mints it)")
    try:
        user_id = verify_user_token(settings.user_token_key, token)
    except UserTokenError as exc:
        raise ApiError(403, str(exc)) from None
    vouched = stored_user_id(request, user_id) if stored else user_id
    others = sorted(wanted - {vouched})
    if others:
        shown = ", ".join(repr(u) for u in others[:3]) if not stored or not settings.pseudonymize_key else "another user"
        raise ApiError(403, f"{HEADER} is not for {shown}: a storefront request may only name its token's user")
