"""Serving commands: model versions (list, activate, rollback) and ``bench serve``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from shopsense.cli.app import app, bench_app, console, open_db

model_app = typer.Typer(help="Registered model versions: list, activate, roll back.", no_args_is_help=True)
app.add_typer(model_app, name="model")
BEAUTY = Path("../shared/data/rec/beauty/Beauty.txt")


@model_app.command("list")
def model_list(ctx: typer.Context, name: Annotated[str | None, typer.Argument(help="only this model")] = None) -> None:
    """Every version with its metrics; the active one is marked."""
    db = open_db(ctx)
    table = Table("model", "version", "active", "created", "metrics")
    for v in db.registry.versions(name):
        table.add_row(v.name, v.version, "yes" if v.active else "", f"{v.created_at:%Y-%m-%d %H:%M:%S}", json.dumps(v.metrics))
    console.print(table)
    db.close()


@model_app.command("activate")
def model_activate(ctx: typer.Context, name: str, version: str) -> None:
    """Make VERSION the active version of NAME (a running server swaps it in within a second)."""
    from shopsense.serving.models import ModelLoadError, load_artifact

    db = open_db(ctx)
    entry = next((v for v in db.registry.versions(name) if v.version == version), None)
    if entry is None:
        db.close()
        raise typer.BadParameter(f"no version {version!r} of model {name!r} (see shopsense model list)")
    try:
        load_artifact(entry.path)  # refuse a broken artifact before anything serves it
    except (ModelLoadError, OSError, ValueError) as exc:
        db.close()
        raise typer.BadParameter(f"version {version} of {name} cannot be loaded: {exc}") from None
    db.registry.activate(name, version)
    console.print(f"[green]active[/green]: {name} {version}")
    db.close()


@model_app.command("rollback")
def model_rollback(ctx: typer.Context, name: str) -> None:
    """Activate the version of NAME registered before the active one."""
    db = open_db(ctx)
    previous = db.registry.rollback(name)
    db.close()
    if previous is None:
        console.print(f"[red]error:[/red] model {name!r} has no active version with an earlier one")
        raise typer.Exit(1)
    console.print(f"[green]rolled back[/green]: {name} is now {previous.version}")


@bench_app.command("serve")
def bench_serve_command(
    data: Annotated[Path, typer.Option(help="S3-Rec sequence file")] = BEAUTY,
    rate: Annotated[float, typer.Option(min=1, help="requests per second of the main run")] = 200,
    duration: Annotated[float, typer.Option(min=1, help="seconds of the main run")] = 30,
    find_max: Annotated[bool, typer.Option(help="then step the rate up to find the most sustained at p99 ≤ 50 ms")] = True,
    models: Annotated[str, typer.Option(help="models to train and serve, comma-separated")] = "popularity,itemknn,also_bought",
    sasrec_epochs: Annotated[int, typer.Option(min=1, help="epochs when sasrec is among --models")] = 5,
    port: Annotated[int, typer.Option()] = 8766,
    workers: Annotated[int, typer.Option(min=1, max=64, help="server worker processes")] = 1,
    postgres_url: Annotated[
        str | None, typer.Option(help="serve from a scratch database on this PostgreSQL server instead of SQLite")
    ] = None,
    redis_url: Annotated[str, typer.Option(help="share caches and rate limits through this Redis")] = "",
    out: Annotated[Path | None, typer.Option(help="write the figures as JSON here")] = None,
) -> None:
    """Serve Beauty-sized data with the real server and drive it with an open-loop HTTP load generator."""
    from shopsense.serving.benchmark import P99_LIMIT_MS, bench_serve

    if not data.is_file():
        raise FileNotFoundError(f"no such file: {data}")
    names = [m.strip() for m in models.split(",") if m.strip()]
    result = bench_serve(
        data, rate=rate, duration=duration, find_max=find_max, models=names, port=port, workers=workers,
        postgres_url=postgres_url, redis_url=redis_url,
        hyper_parameters={"sasrec": {"epochs": sasrec_epochs}}, progress=console.print,
    )  # fmt: skip
    setup = result.setup
    console.print(f"{setup['items']:,} items, {setup['users']:,} users, {setup['events']:,} events; models {', '.join(names)}; "
                  f"{workers} worker(s) on {setup['database']}{' + Redis' if redis_url else ''}")
    floor = Table("floor (in-process)", "p50 ms", "p99 ms", title="bare top-k and pipeline, one request at a time")
    for what, t in result.floor.items():
        floor.add_row(what, f"{t['p50_ms']:.2f}", f"{t['p99_ms']:.2f}")
    console.print(floor)
    table = Table("req/s offered", "achieved", "p50", "p95", "p99", "max", "errors", "server CPU/req", "load avg",
                  title="GET for_you over HTTP, latency in ms")  # fmt: skip
    for run in result.runs:
        lat = run["latency_ms"]
        table.add_row(f"{run['offered_rate']:.0f}", f"{run['achieved_rate']:.1f}", f"{lat['p50']:.2f}", f"{lat['p95']:.2f}",
                      f"{lat['p99']:.2f}", f"{lat['max']:.1f}", str(run["errors"]),
                      f"{run.get('server_cpu_ms_per_request', float('nan')):.2f}", f"{run['load_average_1min']:.1f}")  # fmt: skip
    console.print(table)
    console.print(f"max sustained throughput at p99 ≤ {P99_LIMIT_MS:.0f} ms: {result.max_sustained or 'none of the rates tried'} requests/s")
    if setup.get("worker_rss_mb"):
        console.print(f"resident memory per server process after the runs: {', '.join(f'{m:.0f} MB' for m in setup['worker_rss_mb'])}")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result.to_json(), indent=2))
        console.print(f"written {out}")
