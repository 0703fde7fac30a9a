"""Model registry routes (admin): list versions, activate one atomically, roll back."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from shopsense.service.auth import ADMIN
from shopsense.service.errors import ApiError
from shopsense.service.routes.recommendations import runtime_of, snapshot_of
from shopsense.serving.models import ModelLoadError, load_artifact
from shopsense.storage.registry import ModelVersion

router = APIRouter(prefix="/v1", tags=["models"])


class Activation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str = Field(min_length=1, max_length=64)


def _out(v: ModelVersion) -> dict:
    return {"name": v.name, "version": v.version, "metrics": v.metrics, "created_at": v.created_at.isoformat(),
            "active": v.active}  # fmt: skip


def _serving(request: Request) -> dict:
    served = snapshot_of(request).models
    return {"serving": {s: m.version for s, m in served.items()}, "last_error": runtime_of(request).last_error}


@router.get("/models", summary="Every registered model version and what this server is serving")
def list_models(request: Request, _key=ADMIN) -> dict:  # noqa: ANN001
    return {"versions": [_out(v) for v in request.app.state.db.registry.versions()], **_serving(request)}


@router.post("/models/{name}/activate", summary="Make a version the active one (loaded first, then swapped in at once)")
async def activate(name: str, body: Activation, request: Request, _key=ADMIN) -> dict:  # noqa: ANN001
    registry = request.app.state.db.registry
    entry = next((v for v in registry.versions(name) if v.version == body.version), None)
    if entry is None:
        raise ApiError(404, f"no version {body.version!r} of model {name!r}")
    try:
        await run_in_threadpool(load_artifact, entry.path)  # refuse a broken artifact before activating it
    except (ModelLoadError, OSError, ValueError) as exc:
        raise ApiError(409, f"version {body.version} of {name} cannot be loaded: {exc}") from None
    registry.activate(name, body.version)
    await run_in_threadpool(runtime_of(request).refresh)
    return {"active": _out(registry.active(name)), **_serving(request)}


@router.post("/models/{name}/rollback", summary="Activate the version registered before the active one")
async def rollback(name: str, request: Request, _key=ADMIN) -> dict:  # noqa: ANN001
    previous = request.app.state.db.registry.rollback(name)
    if previous is None:
        raise ApiError(409, f"model {name!r} has no active version with an earlier one to roll back to")
    await run_in_threadpool(runtime_of(request).refresh)
    return {"active": _out(request.app.state.db.registry.active(name)), **_serving(request)}
