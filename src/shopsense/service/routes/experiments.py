"""A/B experiment routes: create and stop (admin), list, read, and per-variant results (client)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from shopsense.service.auth import ADMIN, CLIENT
from shopsense.service.errors import ApiError
from shopsense.service.routes.recommendations import runtime_of, snapshot_of
from shopsense.serving.attribution import experiment_results
from shopsense.serving.experiments import ExperimentError, parse_experiment
from shopsense.serving.scenarios import SCENARIOS
from shopsense.storage.experiments import StoredExperiment
from shopsense.storage.impressions import ImpressionStore

router = APIRouter(prefix="/v1", tags=["experiments"])


def _out(stored: StoredExperiment) -> dict:
    return {"experiment_id": stored.experiment_id, "status": stored.status, **stored.definition,
            "created_at": stored.created_at.isoformat(), "updated_at": stored.updated_at.isoformat()}  # fmt: skip


def _stored(request: Request, experiment_id: str) -> StoredExperiment:
    stored = runtime_of(request).experiments.get(experiment_id)
    if stored is None:
        raise ApiError(404, f"no experiment {experiment_id!r}")
    return stored


@router.post("/experiments", status_code=201, summary="Start an experiment (the first variant is the control)")
def create_experiment(body: dict[str, Any], request: Request, _key=ADMIN) -> dict:  # noqa: ANN001
    experiment_id = body.pop("experiment_id", None)
    if not isinstance(experiment_id, str):
        raise ApiError(422, "experiment_id (a string) is required")
    try:
        experiment = parse_experiment(experiment_id, body, set(SCENARIOS))
    except ExperimentError as exc:
        raise ApiError(422, str(exc)) from None
    registered = {(v.name, v.version) for v in request.app.state.db.registry.versions()}
    missing = sorted({(s, v) for var in experiment.variants for s, v in var.models.items()} - registered)
    if missing:
        raise ApiError(422, f"variants name model versions that are not registered: {', '.join(f'{s} {v}' for s, v in missing)}")
    runtime = runtime_of(request)
    running = snapshot_of(request).experiment_for(experiment.scenario)
    if running is not None:
        raise ApiError(409, f"experiment {running.experiment_id} already runs on {experiment.scenario}: stop it first")
    if not runtime.experiments.create(experiment_id, experiment.to_json()):
        raise ApiError(409, f"experiment {experiment_id!r} exists already")
    runtime.refresh()
    return _out(_stored(request, experiment_id))


@router.get("/experiments", summary="Every experiment")
def list_experiments(request: Request, _key=CLIENT) -> dict:  # noqa: ANN001
    return {"experiments": [_out(e) for e in runtime_of(request).experiments.list()]}


@router.get("/experiments/{experiment_id}", summary="One experiment's definition and status")
def get_experiment(experiment_id: str, request: Request, _key=CLIENT) -> dict:  # noqa: ANN001
    return _out(_stored(request, experiment_id))


@router.post("/experiments/{experiment_id}/stop", summary="Stop assigning users (results stay readable)")
def stop_experiment(experiment_id: str, request: Request, _key=ADMIN) -> dict:  # noqa: ANN001
    _stored(request, experiment_id)
    runtime = runtime_of(request)
    runtime.experiments.set_status(experiment_id, "stopped")
    runtime.refresh()
    return _out(_stored(request, experiment_id))


@router.get("/experiments/{experiment_id}/results", summary="Per variant: users, impressions, CTR, conversion, revenue per user")
async def experiment_results_route(experiment_id: str, request: Request, _key=CLIENT) -> dict:  # noqa: ANN001
    stored = _stored(request, experiment_id)
    experiment = parse_experiment(experiment_id, stored.definition, set(SCENARIOS))
    runtime = runtime_of(request)
    store = ImpressionStore(request.app.state.db.engine)

    def compute() -> dict:
        runtime.impressions.flush()
        return experiment_results(experiment, store.of_experiment(experiment_id), store.attributed_events(experiment_id))

    return {**await run_in_threadpool(compute), "status": stored.status}
