"""``shopsense report`` (the behaviour analytics report) and ``shopsense bench analytics`` (its 1M-event timing)."""

from __future__ import annotations

import os
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shopsense.cli.app import app, bench_app, console, open_db
from shopsense.storage import Database, open_database

if TYPE_CHECKING:
    from shopsense.analytics.report import Report

TARGET_SECONDS = 30.0
_DAY = ["%Y-%m-%d"]


def _bar(label: str) -> Progress:
    return Progress(
        TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
        TimeElapsedColumn(), console=console,
    )  # fmt: skip


def _build(db: Database, out: Path, since: datetime | None = None, until: datetime | None = None) -> Report:
    """Build the report with a progress bar (analytics is imported here, so other commands start fast)."""
    from shopsense.analytics.frame import Window
    from shopsense.analytics.report import REPORT_STEPS, build_report

    try:
        window = Window(since and since.date(), until and until.date())
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--since/--until") from None
    with _bar("report") as bar:
        task = bar.add_task("loading events", total=REPORT_STEPS)
        return build_report(db, out, window, on_step=lambda label: bar.update(task, advance=1, description=f"done: {label}"))


@app.command()
def report(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="folder for report.html, report.json and figures/")],
    since: Annotated[datetime | None, typer.Option(formats=_DAY, help="first day included (UTC)")] = None,
    until: Annotated[datetime | None, typer.Option(formats=_DAY, help="last day included (UTC)")] = None,
) -> None:
    """Behaviour analytics report: funnels, cohorts, repeat purchase, RFM, clusters, popularity, co-purchase, activity."""
    db = open_db(ctx)
    try:
        result = _build(db, out, since, until)
    finally:
        db.close()
    console.print(f"{len(result.figures)} figures in {out / 'figures'}; data in {result.json}")
    print(result.html)


@bench_app.command("analytics")
def bench_analytics(
    events: Annotated[int, typer.Option(min=10_000, help="synthetic events to generate")] = 1_000_000,
    users: Annotated[int, typer.Option(min=100)] = 50_000,
    items: Annotated[int, typer.Option(min=100)] = 20_000,
    out: Annotated[Path | None, typer.Option(help="keep the report here [default: a temporary folder]")] = None,
) -> None:
    """Time a full report over a fresh SQLite store of synthetic events (generation, import and module loading not counted)."""
    import shopsense.analytics.report  # noqa: F401 - module loading (matplotlib, scikit-learn) is not report work
    from shopsense.evaluation.synthetic_shop import synthetic_shop
    from shopsense.ingest.importer import import_dataset

    with tempfile.TemporaryDirectory(prefix="shopsense-bench-") as tmp:
        with console.status(f"generating {events:,} events over {users:,} users and {items:,} items…"):
            try:
                dataset = synthetic_shop(events, n_users=users, n_items=items)
            except ValueError as exc:
                raise typer.BadParameter(str(exc), param_hint="--events/--users") from None
        db = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            with _bar("importing") as bar:
                task = bar.add_task("events", total=len(dataset.events))
                import_dataset(db, dataset, rejects_path=Path(tmp) / "rejected.csv", progress=lambda n: bar.advance(task, n))
            del dataset
            started, cpu = time.perf_counter(), time.process_time()
            result = _build(db, out or Path(tmp) / "report")
            total, cpu = time.perf_counter() - started, time.process_time() - cpu
        finally:
            db.close()
    table = Table("step", "seconds", title=f"Analytics report over {events:,} events (SQLite store, loading included)")
    for step, seconds in result.seconds.items():
        table.add_row(step, f"{seconds:.2f}")
    table.add_row("[bold]total", f"[bold]{total:.2f}")
    console.print(table)
    verdict = "[green]within[/green]" if total <= TARGET_SECONDS else "[red]over[/red]"
    console.print(f"full report over {events:,} events: [bold]{total:.1f} s[/bold] ({verdict} the {TARGET_SECONDS:.0f} s target; "
                  f"{cpu:.1f} s of CPU on {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})")
