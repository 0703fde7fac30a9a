"""``shopsense import``: bulk import of event files and real data sets, with progress and a summary."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shopsense.cli.app import app, console, open_db, settings_of
from shopsense.data.loaders import DATASET_FORMATS, load_dataset
from shopsense.ingest.importer import ImportSummary, default_rejects_path, import_dataset, import_file
from shopsense.ingest.readers import FILE_FORMATS, ImportFormatError, count_rows, guess_format, parse_mapping
from shopsense.ingest.validate import Limits
from shopsense.profiles.params import ProfileParams
from shopsense.profiles.rebuild import rebuild_profiles

ALL_FORMATS = (*FILE_FORMATS, *DATASET_FORMATS)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]importing"), BarColumn(), MofNCompleteColumn(), TextColumn("rows"), TimeElapsedColumn(),
        console=console, transient=False,
    )  # fmt: skip


def print_summary(summary: ImportSummary) -> None:
    table = Table(title=f"import of {summary.source}", show_header=False)
    for label, value in (
        ("accepted (stored)", summary.accepted),
        ("duplicate (already stored)", summary.duplicate),
        ("rejected (invalid)", summary.rejected),
        ("skipped (not events)", summary.skipped),
        ("rows in total", summary.rows),
    ):
        table.add_row(label, f"{value:,}")
    table.add_row("time", f"{summary.seconds:.1f} s ({summary.rows_per_second:,.0f} rows/s)")
    console.print(table)
    for reason, count in sorted(summary.skip_reasons.items(), key=lambda kv: -kv[1])[:12]:
        console.print(f"  skipped {count:,}: {reason}")
    if summary.rejects_path:
        console.print(f"rejected and skipped rows, with row numbers and reasons: {summary.rejects_path}")


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="the file to import")],
    format: Annotated[
        str | None, typer.Option("--format", "-f", help=f"one of {', '.join(ALL_FORMATS)} [default: from the suffix]")
    ] = None,
    map: Annotated[
        list[str] | None, typer.Option("--map", "-m", help="COLUMN=FIELD renames a column (COLUMN= ignores it); repeatable")
    ] = None,
    chunk_rows: Annotated[int | None, typer.Option(min=1, help="rows per transaction [default 100,000]")] = None,
    rejects: Annotated[Path | None, typer.Option(help="where to write rejected rows [default DATA_DIR/imports/]")] = None,
    profiles: Annotated[bool, typer.Option(help="rebuild the user profiles after the import")] = True,
) -> None:
    """Import events (CSV, JSON Lines, Parquet, or a known real data set). Safe to re-run: ids are idempotent."""
    settings = settings_of(ctx)
    fmt = (format or guess_format(file)).lower()
    if fmt not in ALL_FORMATS:
        raise ImportFormatError(f"unknown format {fmt!r}; expected one of {', '.join(ALL_FORMATS)}")
    if not file.exists():
        raise ImportFormatError(f"{file}: no such file")
    mapping = parse_mapping(map or [])
    if mapping and fmt in DATASET_FORMATS:
        raise ImportFormatError(f"--map applies to csv, jsonl and parquet files, not to the {fmt} format")
    db = open_db(ctx)
    chunk = chunk_rows or settings.import_chunk_rows
    rejects_path = rejects or default_rejects_path(settings.data_dir, file)
    limits = Limits(max_text_chars=settings.max_text_chars, pseudonymize_key=settings.pseudonymize_key)
    started = time.perf_counter()
    with _progress() as bar:
        if fmt in DATASET_FORMATS:
            task = bar.add_task("import", total=None)
            dataset = load_dataset(fmt, file)
            bar.update(task, total=dataset.source_rows)
            summary = import_dataset(
                db, dataset, chunk_rows=chunk, rejects_path=rejects_path, limits=limits,
                progress=lambda n: bar.advance(task, n),
            )  # fmt: skip
        else:
            task = bar.add_task("import", total=count_rows(file, fmt))
            summary = import_file(
                db, file, fmt, mapping=mapping, chunk_rows=chunk, rejects_path=rejects_path, limits=limits,
                progress=lambda n: bar.advance(task, n),
            )  # fmt: skip
    print_summary(replace(summary, seconds=time.perf_counter() - started))  # reading the file included
    if profiles and summary.accepted:
        with console.status("rebuilding user profiles…"):
            params = ProfileParams(event_weights=dict(settings.event_weights))
            rebuilt = rebuild_profiles(db, settings.models_dir / "profiles", params)
        console.print(f"rebuilt {rebuilt.users:,} user profiles in {rebuilt.seconds:.1f} s")
    db.close()
