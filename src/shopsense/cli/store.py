"""Store commands: version, init, stats, keys, train, serve."""

from __future__ import annotations

from dataclasses import replace
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from shopsense import __version__
from shopsense.cli.app import app, console, keys_app, open_db, redact, settings_of
from shopsense.config import Settings
from shopsense.storage import Database, open_database
from shopsense.storage.keys import Role


class Engine(str, Enum):
    local = "local"
    spark = "spark"


@app.command()
def version() -> None:
    """Print the version."""
    console.print(__version__)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the data directory and the database schema (or upgrade it)."""
    settings = settings_of(ctx)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = open_database(settings.resolved_database_url)
    console.print(f"[green]ready[/green]: {db.backend} database at {redact(settings.resolved_database_url)}")
    db.close()


@app.command()
def stats(ctx: typer.Context) -> None:
    """Counts of events by type, users, items and the time range of the log."""
    db = open_db(ctx)
    event_stats, counts = db.events.stats(), db.catalog.counts()
    table = Table(title=f"ShopSense store ({db.backend})")
    table.add_column("what")
    table.add_column("count", justify="right")
    for kind, n in sorted(event_stats.by_type.items()):
        table.add_row(f"events: {kind}", f"{n:,}")
    table.add_row("events: total", f"{event_stats.total:,}")
    table.add_row("users with events", f"{event_stats.users:,}")
    table.add_row("items with events", f"{event_stats.items:,}")
    for name, n in counts.items():
        table.add_row(f"{name} in catalogue", f"{n:,}")
    console.print(table)
    if event_stats.first:
        console.print(f"time range: {event_stats.first:%Y-%m-%d %H:%M} .. {event_stats.last:%Y-%m-%d %H:%M} UTC")
    db.close()


@keys_app.command("create")
def keys_create(
    ctx: typer.Context,
    role: Annotated[Role, typer.Option(help="admin: catalogue, config and deletes; client: events and reads (a server's "
                                       "key); storefront: only what a shop page needs (a key browsers see)")],
    name: Annotated[str, typer.Option(help="a label to recognise the key by")] = "",
) -> None:
    """Create an API key; the secret is printed once and stored only as a hash."""
    db = open_db(ctx)
    info, secret = db.keys.create(role, name)
    console.print(f"created {info.role.value} key [bold]{info.key_id}[/bold]; the secret is shown only now:")
    print(secret)
    db.close()


@keys_app.command("list")
def keys_list(ctx: typer.Context) -> None:
    """List keys (ids, roles, names; never secrets)."""
    db = open_db(ctx)
    table = Table("key id", "role", "name", "revoked")
    for key in db.keys.list():
        table.add_row(key.key_id, key.role.value, key.name, "yes" if key.revoked else "")
    console.print(table)
    db.close()


@keys_app.command("revoke")
def keys_revoke(ctx: typer.Context, key_id: str) -> None:
    """Revoke a key by its id."""
    db = open_db(ctx)
    if not db.keys.revoke(key_id):
        console.print(f"[red]error:[/red] no key {key_id!r}")
        raise typer.Exit(1)
    console.print(f"revoked {key_id}")
    db.close()


@app.command()
def train(
    ctx: typer.Context,
    models: Annotated[
        str | None,
        typer.Option(help="comma-separated slots, e.g. popularity,itemknn,also_bought,blend (default: the first three; "
                    "with --engine spark: popularity,itemknn,also_bought,als)"),
    ] = None,
    engine: Annotated[
        Engine, typer.Option(help="local: this process; spark: Spark jobs over a Parquet export (docs/spark.md)")
    ] = Engine.local,
    spark_master: Annotated[str | None, typer.Option(help="Spark master URL (--engine spark; default: local\\[2])")] = None,
    events: Annotated[
        Path | None, typer.Option(help="a Parquet export to train on (--engine spark; default: export the log now)")
    ] = None,
) -> None:
    """Train the models on the event log and activate the new versions."""
    from shopsense.pipeline.train import DEFAULT_MODELS, train_models
    from shopsense.spark.export import ExportError

    if engine is Engine.local and (events is not None or spark_master is not None):
        raise typer.BadParameter("--events and --spark-master need --engine spark", param_hint="--engine")
    if engine is Engine.spark:
        from shopsense.spark.train import SPARK_MODELS, train_with_spark

        def run(db: Database, s: Settings, names: tuple[str, ...]) -> list:
            return train_with_spark(db, s, names, events=events, master=spark_master or "local[2]")

        defaults = SPARK_MODELS
    else:
        defaults, run = DEFAULT_MODELS, train_models
    names = tuple(n.strip() for n in models.split(",") if n.strip()) if models else defaults
    settings = settings_of(ctx)
    db = open_db(ctx)
    with console.status(f"training {', '.join(names)} ({engine.value})…"):
        try:
            trained = run(db, settings, names)
        except ExportError:  # a folder that is not an event export: an error line, not a usage error
            raise
        except ValueError as exc:  # an unknown model name or bad hyper-parameters
            raise typer.BadParameter(str(exc), param_hint="--models") from None
    for t in trained:
        console.print(f"[green]trained[/green] {t.name} version {t.version}: {t.metrics}")
    db.close()


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="bind address [env SHOPSENSE_HOST; default 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="port [env SHOPSENSE_PORT; default 8000]")] = None,
    retrain_every: Annotated[
        str | None, typer.Option(help="also retrain in a separate process every interval (90s, 15m, 1h, 1d)")
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="server processes sharing the port (PostgreSQL + Redis: docs/deploy.md)")
    ] = 1,
) -> None:
    """Run the HTTP API (optionally retraining the models on a schedule without blocking it)."""
    from shopsense.pipeline.schedule import RetrainScheduler, parse_interval
    from shopsense.service.server import run_server

    settings = settings_of(ctx)
    try:
        scheduler = RetrainScheduler(settings, parse_interval(retrain_every)) if retrain_every else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--retrain-every") from None
    if scheduler is not None:
        scheduler.start()
    try:
        run_server(replace(settings, host=host or settings.host, port=port or settings.port), console, workers=workers)
    finally:
        if scheduler is not None:
            scheduler.stop()
