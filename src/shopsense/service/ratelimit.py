"""Per-key rate limiting: at most ``per_second`` requests per API key (per client IP without a valid key).

Counts live in the app's shared cache (``app.state.shared.hit``): in the process by default, in Redis when
``SHOPSENSE_REDIS_URL`` is set, so every worker counts against the same limit. Over the limit a request gets
a 429 in the API's error shape with ``Retry-After`` (seconds to the end of the one-second window). Health
probes and CORS preflights are never limited (the CORS middleware, outside this one, answers preflights).
"""

from __future__ import annotations

import math
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from shopsense.service.errors import send_error
from shopsense.storage.database import is_unavailable_error

WINDOW_S = 1
EXEMPT_PREFIX = "/health/"


class RateLimit:
    def __init__(self, app: ASGIApp, per_second: int) -> None:
        self.app = app
        self.per_second = per_second

    def _bucket(self, scope: Scope) -> str:
        """``key:<id>`` for a live API key (authentication is cached for a second), else ``ip:<address>``
        (also while the database is unreachable: the route then answers 503)."""
        secret = next((v for k, v in scope["headers"] if k == b"x-api-key"), None)
        if secret:
            try:
                key = scope["app"].state.db.keys.authenticate(secret.decode("latin-1"))
            except Exception as exc:  # noqa: BLE001 - only an outage is let through, to the route's 503
                if not is_unavailable_error(exc):
                    raise
                key = None
            if key is not None:
                return f"key:{key.key_id}"
        client = scope.get("client")
        return f"ip:{client[0] if client else 'unknown'}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.per_second <= 0 or scope["path"].startswith(EXEMPT_PREFIX):
            await self.app(scope, receive, send)
            return
        count = scope["app"].state.shared.hit(self._bucket(scope), WINDOW_S)
        if count <= self.per_second:
            await self.app(scope, receive, send)
            return
        retry_after = max(1, math.ceil(WINDOW_S - time.time() % WINDOW_S))
        await send_error(send, 429, f"more than {self.per_second} requests per second for this key; retry later",
                         headers=[(b"retry-after", str(retry_after).encode())])  # fmt: skip
