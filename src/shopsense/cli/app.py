"""The Typer app, the shared console and the global options every command sees."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from shopsense.config import Settings, SettingsError, load_settings
from shopsense.ingest.readers import ImportFormatError
from shopsense.pipeline.train import NothingToTrainError
from shopsense.spark.export import ExportError
from shopsense.spark.session import SparkUnavailableError
from shopsense.storage import Database, DatabaseURLError, open_database

app = typer.Typer(
    help="ShopSense: behaviour-driven e-commerce search, recommendations, profiles and analytics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks that print their figures.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(bench_app, name="bench")
console = Console()
USER_ERRORS = (
    ImportFormatError, DatabaseURLError, SettingsError, NothingToTrainError, FileNotFoundError, SQLAlchemyError,
    ExportError, SparkUnavailableError,
)  # fmt: skip


def settings_of(ctx: typer.Context) -> Settings:
    return ctx.obj


def open_db(ctx: typer.Context) -> Database:
    return open_database(settings_of(ctx).resolved_database_url)


def redact(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@app.callback()
def _main(
    ctx: typer.Context,
    data_dir: Annotated[Path | None, typer.Option(help="data directory [env SHOPSENSE_DATA_DIR; default ./shopsense-data]")] = None,
    database_url: Annotated[
        str | None, typer.Option(help="sqlite:///FILE or postgresql://… [env SHOPSENSE_DATABASE_URL; default: SQLite in the data dir]")
    ] = None,
) -> None:
    ctx.obj = load_settings(data_dir=data_dir, database_url=database_url)


