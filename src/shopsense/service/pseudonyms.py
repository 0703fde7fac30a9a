"""Pseudonymous user ids at the HTTP edge (``SHOPSENSE_PSEUDONYMIZE_KEY``, see ``shopsense.privacy.pseudonym``).

:class:`PseudonymousUserIds` rewrites the user id a request names in its path (``/v1/users/{id}[/…]``)
or in its ``user_id`` query parameter before routing, so every lookup (recommendations, profile, events,
search personalisation, export, deletion, experiment assignment) sees the stored pseudonym while the
shop keeps sending its own ids. Ids in JSON bodies are handled where the body is read: event batches
by ingest (after the raw id was validated), other bodies with :func:`stored_user_id`. Values that are not
valid ids are left as they are, for the route to reject.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from shopsense.privacy.pseudonym import pseudonymize
from shopsense.storage.codec import storable_id

_USER_PATH = re.compile(r"(/v1/users/)([^/]+)(/.*)?")


def stored_user_id(request: Request, user_id: str) -> str:
    """The id under which ``user_id`` is stored: its pseudonym when a key is set."""
    return pseudonymize(request.app.state.settings.pseudonymize_key, user_id)


class PseudonymousUserIds:
    """ASGI middleware; passes everything through untouched when ``key`` is empty."""

    def __init__(self, app: ASGIApp, key: str) -> None:
        self.app = app
        self.key = key

    def _one(self, user_id: str) -> str:
        return pseudonymize(self.key, user_id) if storable_id(user_id) else user_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.key and scope["type"] == "http" and scope["path"].startswith("/v1/"):
            scope = dict(scope)
            found = _USER_PATH.fullmatch(scope["path"])
            if found:
                path = found.group(1) + self._one(found.group(2)) + (found.group(3) or "")
                scope["path"], scope["raw_path"] = path, quote(path).encode()
            if b"user_id=" in scope.get("query_string", b""):
                pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
                rewritten = [(k, self._one(v) if k == "user_id" else v) for k, v in pairs]
                scope["query_string"] = urlencode(rewritten).encode("latin-1")
        await self.app(scope, receive, send)
