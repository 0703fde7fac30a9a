"""Segment routes: save, list, read (with a live count), delete, export members, and preview a definition.

The rule language is documented in ``shopsense.segments.rules``; an invalid definition is a 422 whose
``details`` list every problem as ``{"field": "definition.all[2].op", "message": …}``.
"""

from __future__ import annotations

import io
from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from shopsense.segments.audience import (
    census,
    checked_rule,
    page_of,
    parse_fields,
    save_segment,
    target_record,
    write_target_list,
)
from shopsense.segments.rules import InvalidRule, Rule
from shopsense.service.auth import ADMIN, CLIENT
from shopsense.service.errors import ApiError
from shopsense.service.schemas import StrictIn
from shopsense.storage.segments import StoredSegment

router = APIRouter(prefix="/v1", tags=["segments"])
_RULE_DOC = "a rule tree: {all|any: [rules]}, {not: rule} or {field, op, value}; see shopsense.segments.rules"


class SegmentIn(StrictIn):
    definition: Any = Field(description=_RULE_DOC)
    description: str = Field(default="", max_length=2_000)


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    definition: Any = Field(description=_RULE_DOC)
    sample: int = Field(default=10, ge=0, le=100, description="how many matching user ids to return")


class SegmentOut(BaseModel):
    name: str
    description: str
    definition: Any
    created_at: datetime
    updated_at: datetime
    count: int | None = Field(default=None, description="profiles in the segment now (single-segment reads)")
    profiles: int | None = Field(default=None, description="profiles looked at for the count")

    @classmethod
    def of(cls, segment: StoredSegment, **counts: int) -> SegmentOut:
        return cls(**asdict(segment), **counts)


class SegmentList(BaseModel):
    segments: list[SegmentOut]


class PreviewOut(BaseModel):
    count: int
    profiles: int
    sample: list[str]


class MembersOut(BaseModel):
    segment: str
    total: int
    page: int
    page_size: int
    users: list[dict[str, Any]]


def _invalid(exc: InvalidRule) -> ApiError:
    details = [{"field": p.path, "message": p.message} for p in exc.problems]
    summary = "; ".join(str(p) for p in exc.problems[:5]) + ("; …" if len(details) > 5 else "")
    return ApiError(422, f"invalid segment, {len(details)} problem(s): {summary}", details)


def _stored(request: Request, name: str) -> tuple[StoredSegment, Rule]:
    segment = request.app.state.db.segments.get(name)
    if segment is None:
        raise ApiError(404, f"no segment {name!r}")
    try:
        return segment, checked_rule(segment.definition)
    except InvalidRule as exc:
        raise ApiError(409, f"segment {name!r} no longer validates; save it again: {exc}") from None


@router.put("/segments/{name}", response_model=SegmentOut, summary="Create or replace a segment (201 when new)")
def put_segment(
    name: str, body: SegmentIn, request: Request, response: Response, _key=ADMIN  # noqa: ANN001
) -> SegmentOut:
    try:
        segment, created = save_segment(request.app.state.db.segments, name, body.definition, body.description)
    except InvalidRule as exc:
        raise _invalid(exc) from None
    response.status_code = 201 if created else 200
    return SegmentOut.of(segment)


@router.get("/segments", response_model=SegmentList, summary="Every saved segment (without counts)")
def list_segments(request: Request, _key=CLIENT) -> SegmentList:  # noqa: ANN001
    return SegmentList(segments=[SegmentOut.of(s) for s in request.app.state.db.segments.list()])


@router.get("/segments/{name}", response_model=SegmentOut, summary="A segment with its live member count")
def get_segment(name: str, request: Request, _key=CLIENT) -> SegmentOut:  # noqa: ANN001
    segment, rule = _stored(request, name)
    counted = census(rule, request.app.state.db.profiles.iter_all())
    return SegmentOut.of(segment, count=counted.matched, profiles=counted.total)


@router.delete("/segments/{name}", status_code=204, summary="Delete a segment")
def delete_segment(name: str, request: Request, _key=ADMIN) -> Response:  # noqa: ANN001
    if not request.app.state.db.segments.delete(name):
        raise ApiError(404, f"no segment {name!r}")
    return Response(status_code=204)


@router.get("/segments/{name}/users", response_model=MembersOut, summary="The segment's users, a page at a time")
def segment_users(
    name: str,
    request: Request,
    format: Literal["json", "csv"] = Query("json", description="json: this object; csv: a target list"),  # noqa: A002
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(1_000, ge=1, le=10_000),
    fields: str = Query("", max_length=2_000, description="profile fields to include, comma-separated dotted paths"),
    _key=CLIENT,  # noqa: ANN001
) -> Any:
    segment, rule = _stored(request, name)
    wanted = [f.strip() for f in fields.split(",") if f.strip()]
    try:
        parsed = parse_fields(wanted)
    except InvalidRule as exc:
        raise _invalid(exc) from None
    total, rows = page_of(rule, request.app.state.db.profiles.iter_all(), page=page, page_size=page_size)
    if format == "csv":
        out = io.StringIO()
        write_target_list(rows, out, fmt="csv", fields=wanted)
        headers = {"X-Total-Count": str(total), "Content-Disposition": f'attachment; filename="{name}-{page}.csv"'}
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
    users = [target_record(uid, doc, parsed) for uid, doc in rows]
    return MembersOut(segment=segment.name, total=total, page=page, page_size=page_size, users=users)


@router.post("/segments/preview", response_model=PreviewOut, summary="Count and sample an unsaved definition")
def preview_segment(body: PreviewIn, request: Request, _key=CLIENT) -> PreviewOut:  # noqa: ANN001
    try:
        rule = checked_rule(body.definition)
    except InvalidRule as exc:
        raise _invalid(exc) from None
    counted = census(rule, request.app.state.db.profiles.iter_all(), sample=body.sample)
    return PreviewOut(count=counted.matched, profiles=counted.total, sample=counted.sample)
