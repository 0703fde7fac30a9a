"""Profile route: a user's profile ("user portrait"), rendered at read time (docs/profile-schema.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict

from shopsense.profiles.documents import read_profile
from shopsense.profiles.interests import EmbeddingCache, profile_vectors
from shopsense.service.auth import CLIENT
from shopsense.service.errors import ApiError

router = APIRouter(prefix="/v1", tags=["profiles"])


class Activity(BaseModel):
    first_seen: str | None
    last_seen: str | None
    days_inactive: float | None
    events: int
    sessions: int
    by_type: dict[str, int]
    hours: list[int]
    weekdays: list[int]


class Rfm(BaseModel):
    recency_days: float | None
    frequency: int
    monetary: float
    r: int | None
    f: int | None
    m: int | None
    segment: str | None


class Lifecycle(BaseModel):
    stage: str | None
    rule: str


class Affinities(BaseModel):
    category: dict[str, float]
    brand: dict[str, float]
    shop: dict[str, float]
    price_band: dict[str, float]


class PurchaseCycle(BaseModel):
    overall_days: float | None
    by_category: dict[str, float]


class Sentiment(BaseModel):
    reviews: int
    mean: float | None
    label: str | None
    ratings: int
    rating_mean: float | None


class NextCategory(BaseModel):
    category: str
    probability: float


class Interests(BaseModel):
    recent_categories: list[str]
    next_categories: list[NextCategory]
    long_term: list[float] | None = None  # only with ?vectors=true
    short_term: list[float] | None = None
    nearest_items: list[str] | None = None


class ProfileTag(BaseModel):
    tag: str
    evidence: str


class ProfileOut(BaseModel):
    """The profile document; fields written by other parts (``scores``) come through as they are."""

    model_config = ConfigDict(extra="allow")

    user_id: str
    attributes: dict[str, Any]
    activity: Activity
    rfm: Rfm
    lifecycle: Lifecycle
    affinities: Affinities
    purchase_cycle: PurchaseCycle
    sentiment: Sentiment
    interests: Interests
    tags: list[ProfileTag]
    as_of: str | None
    updated_at: str | None


@router.get("/users/{user_id}/profile", response_model=ProfileOut, response_model_exclude_unset=True,
            summary="A user's profile")
def get_profile(
    user_id: str, request: Request, vectors: bool = Query(False, description="add the interest vectors"), _key=CLIENT  # noqa: ANN001
) -> ProfileOut:
    state = request.app.state
    document = read_profile(state.db, user_id)
    if document is None:
        raise ApiError(404, f"no user {user_id!r}")
    if vectors:
        if not hasattr(state, "item_embeddings"):
            state.item_embeddings = EmbeddingCache()
        settings = state.settings
        document["interests"] = {**document["interests"], **profile_vectors(
            state.db, user_id, state.item_embeddings, settings.models_dir, settings.event_weights)}  # fmt: skip
    return ProfileOut.model_validate(document)
