"""The built-in storefront's shopper while user tokens are required (``SHOPSENSE_USER_TOKEN_KEY``).

The demo page normally lets a visitor pick any shopper id, which signed user tokens exist to prevent. With
a token key set, each browser instead gets one anonymous shopper (``web-<16 hex>``) of its own: the id
rides in an HttpOnly cookie that is itself a long-lived token (so a visitor cannot edit it into another
id), and every page load hands the page a short-lived ``X-User-Token`` for that id only.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from fastapi import Request

from shopsense.service.user_tokens import UserTokenError, mint_user_token, verify_user_token

COOKIE = "shopsense_shopper"
COOKIE_SECONDS = 365 * 86_400
PAGE_TOKEN_SECONDS = 12 * 3600


@dataclass(frozen=True)
class PageShopper:
    user_id: str
    token: str  # the page's X-User-Token
    new_cookie: str | None  # a cookie value to set when the browser had no valid one


def page_shopper(request: Request, key: str) -> PageShopper:
    """The browser's shopper from its cookie, or a new anonymous one."""
    cookie = request.cookies.get(COOKIE, "")
    try:
        user_id, new_cookie = verify_user_token(key, cookie), None
    except UserTokenError:  # none yet, expired, or edited
        user_id = f"web-{secrets.token_hex(8)}"
        new_cookie = mint_user_token(key, user_id, ttl_seconds=COOKIE_SECONDS)
    return PageShopper(user_id, mint_user_token(key, user_id, ttl_seconds=PAGE_TOKEN_SECONDS), new_cookie)
