"""Privacy routes (admin): export everything held about a user, or delete it everywhere (docs/privacy.md).

``DELETE /v1/users/{id}`` answers 200 with the rows deleted per table once the database part is done;
when the shared cache (Redis) cannot be reached, ``cache_entries`` is null and ``warnings`` says that
cached copies expire by their TTL; repeating the request retries the cache. Deleting a user deleted
before answers 200 again (with what arrived since, often nothing); an id never seen answers 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from shopsense.privacy.subject import export_user, forget_user
from shopsense.service.auth import ADMIN
from shopsense.service.errors import ApiError
from shopsense.storage.codec import from_ms
from shopsense.storage.privacy import UserDataStore

router = APIRouter(prefix="/v1", tags=["privacy"])


class DeletionOut(BaseModel):
    user_id: str
    deleted_at: str = Field(description="events of the user dated before this are refused from now on")
    previously_deleted_at: str | None = Field(description="set when the user had been deleted before")
    deleted: dict[str, int] = Field(description="rows deleted per table")
    cache_entries: int | None = Field(description="entries removed from the shared cache; null when unreachable")
    warnings: list[str]


def _not_found(request: Request, user_id: str) -> ApiError:
    deleted_ms = UserDataStore(request.app.state.db.engine).tombstones([user_id]).get(user_id)
    if deleted_ms is not None:
        return ApiError(404, f"nothing is held about user {user_id!r}: deleted at {from_ms(deleted_ms).isoformat()}")
    return ApiError(404, f"no user {user_id!r}")


def _settle_in_process(request: Request) -> None:
    """Write this process's buffered impressions, so that the deletion finds them in the database."""
    serving = getattr(request.app.state, "serving", None)
    if serving is not None:
        serving.impressions.flush()


def _forget_in_process(request: Request) -> None:
    """Drop what this process derived from the deleted rows: search suggestions, analytics results."""
    state = request.app.state
    if getattr(state, "search", None) is not None:
        state.search.invalidate()
    state.analytics_cache = None  # made again on first use


@router.get("/users/{user_id}/export", summary="Everything held about a user, as JSON")
def export(user_id: str, request: Request, _key=ADMIN) -> dict[str, Any]:
    _settle_in_process(request)
    document = export_user(request.app.state.db, user_id)
    if document is None:
        raise _not_found(request, user_id)
    return document


@router.delete("/users/{user_id}", response_model=DeletionOut, summary="Delete a user's data everywhere")
def delete(user_id: str, request: Request, _key=ADMIN) -> DeletionOut:
    _settle_in_process(request)
    forgotten = forget_user(request.app.state.db, request.app.state.shared, user_id)
    if forgotten is None:
        raise _not_found(request, user_id)
    _forget_in_process(request)
    return DeletionOut(**forgotten.to_json())
