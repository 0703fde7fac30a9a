"""``shopsense bench ingest``: events/s for bulk import (SQLite, PostgreSQL) and for HTTP batches."""

from __future__ import annotations

import tempfile
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from shopsense.cli.app import bench_app, console
from shopsense.cli.demo import demo_data_path
from shopsense.data.online_retail import load_online_retail
from shopsense.evaluation.bench_ingest import bench_bulk_import, bench_http_ingest
from shopsense.storage.scratch import scratch_postgres_database

SHARED_RETAIL = Path("../shared/data/retail/online_retail.parquet")


@bench_app.command("ingest")
def bench_ingest(
    retail_file: Annotated[
        Path | None, typer.Option(help="Online Retail file [default: ../shared/data/…, else the bundled sample]")
    ] = None,
    postgres_url: Annotated[
        str | None, typer.Option(envvar="SHOPSENSE_BENCH_POSTGRES_URL", help="also import into a scratch database on this PostgreSQL server")
    ] = None,
    http_events: Annotated[int, typer.Option(min=0, help="events to send over HTTP (0 skips the HTTP test)")] = 100_000,
    batch_size: Annotated[int, typer.Option(min=1, max=1_000)] = 500,
    clients: Annotated[int, typer.Option(min=1, max=64, help="concurrent HTTP clients")] = 4,
    port: Annotated[int, typer.Option()] = 8765,
) -> None:
    """Measure ingestion throughput and print the figures."""
    source = retail_file or (SHARED_RETAIL if SHARED_RETAIL.exists() else demo_data_path())
    table = Table("benchmark", "rows / events", "seconds", "per second", title="ShopSense ingestion")
    targets = [("bulk import → SQLite", None), *([("bulk import → PostgreSQL", postgres_url)] if postgres_url else [])]
    for label, server in targets:
        with (
            tempfile.TemporaryDirectory(prefix="shopsense-bench-") as tmp,
            scratch_postgres_database(server) if server else nullcontext(f"sqlite:///{Path(tmp) / 'bench.db'}") as url,
            console.status(f"{label}…"),
        ):
            summary = bench_bulk_import(lambda: load_online_retail(source), url, Path(tmp))
        table.add_row(f"{label} ({source.name}, reading included)", f"{summary.rows:,}", f"{summary.seconds:.2f}", f"{summary.rows_per_second:,.0f}")
        console.print(f"{label}: accepted {summary.accepted:,}, skipped {summary.skipped:,}, rejected {summary.rejected:,}")
    if http_events:
        with console.status(f"HTTP: {http_events:,} events in batches of {batch_size} from {clients} clients…"):
            result = bench_http_ingest(http_events, batch_size, clients, port)
        table.add_row(
            f"HTTP POST /v1/events, batches of {batch_size}, {clients} clients, 1 server process, SQLite",
            f"{result.events:,}", f"{result.seconds:.2f}", f"{result.events_per_second:,.0f}",
        )  # fmt: skip
        if result.accepted != result.events:
            console.print(f"[red]only {result.accepted:,} of {result.events:,} events were accepted[/red]")
    console.print(table)
