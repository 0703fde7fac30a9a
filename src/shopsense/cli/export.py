"""``shopsense export events``: the event log to Parquet / JSON Lines / CSV part files (the Spark jobs' input)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from shopsense.cli.app import app, console, open_db
from shopsense.spark.export import EXPORT_FORMATS, export_events
from shopsense.storage.codec import to_ms

export_app = typer.Typer(help="Export stored data to files.", no_args_is_help=True)
app.add_typer(export_app, name="export")
_DAY = ["%Y-%m-%d"]


@export_app.command("events")
def export_events_command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="a new (or empty) folder for the part files")],
    format: Annotated[str, typer.Option("--format", "-f", help=f"one of {', '.join(EXPORT_FORMATS)}")] = "parquet",
    since: Annotated[datetime | None, typer.Option(formats=_DAY, help="first day included (UTC)")] = None,
    until: Annotated[datetime | None, typer.Option(formats=_DAY, help="last day included (UTC)")] = None,
    chunk_rows: Annotated[int, typer.Option(min=1, help="events read from the database at a time")] = 200_000,
    rows_per_file: Annotated[int, typer.Option(min=1, help="events per part file")] = 1_000_000,
) -> None:
    """Stream the event log, in time order, to part files that `shopsense import` and Spark read back."""
    db = open_db(ctx)
    try:
        with console.status(f"exporting events to {out}…"):
            summary = export_events(
                db, out, fmt=format.lower(), since_ms=since and to_ms(since),
                until_ms=until and to_ms(until + timedelta(days=1)), chunk_rows=chunk_rows, rows_per_file=rows_per_file,
            )  # fmt: skip
    finally:
        db.close()
    console.print(f"wrote {summary.rows:,} events to {len(summary.files)} {format.lower()} file(s) in {out} "
                  f"({summary.seconds:.1f} s)")  # fmt: skip
