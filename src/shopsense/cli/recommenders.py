"""Recommender benchmark commands (``shopsense bench rec``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich import box
from rich.table import Column, Table

from shopsense.cli.app import bench_app, console, settings_of
from shopsense.data.loaders import DATASET_FORMATS
from shopsense.evaluation.splits import PROTOCOLS


def _grid(text: str | None) -> dict:
    """``--grid``: JSON text or a JSON file, ``{"model": {"param": value or [values]}}``."""
    if not text:
        return {}
    source = Path(text).read_text() if not text.lstrip().startswith("{") else text
    try:
        grid = json.loads(source)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"not JSON: {exc}", param_hint="--grid") from None
    if not isinstance(grid, dict) or not all(isinstance(v, dict) for v in grid.values()):
        raise typer.BadParameter('expected {"model": {"param": [values]}}', param_hint="--grid")
    return grid


def _new_table(title: str, caption: str, *headers: str) -> Table:
    """A table narrow enough for an 80-column terminal."""
    columns = [Column(headers[0], no_wrap=True), *(Column(h, justify="right") for h in headers[1:])]
    return Table(*columns, title=title, caption=caption, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)


def _table(report: dict) -> Table:
    k, title = report["k"], f"{Path(report['data']['path']).name}: {report['protocol']}"
    if report["protocol"] == "ratings-cv":
        table = _new_table(title, "mean ± std over folds", "model", "RMSE", "MAE", "fit s (all folds)", "peak MB")
        for name, result in report["models"].items():
            metric = result["metrics"]
            table.add_row(
                name, f"{metric['RMSE']:.4f} ± {metric['RMSE_std']:.4f}", f"{metric['MAE']:.4f} ± {metric['MAE_std']:.4f}",
                f"{result['fit_seconds']:.1f}", f"{result['peak_rss_mb']:,.0f}",
            )  # fmt: skip
        return table
    users = {result["metrics"]["users"] for result in report["models"].values()}
    caption = (
        f"ranking: {report['ranking']}; users: {', '.join(f'{u:,}' for u in sorted(users))}; "
        f"cov = catalogue coverage, nov = novelty (bits), ARP = average recommended popularity"
    )
    metrics = (f"HR@{k}", f"NDCG@{k}", "MRR", f"coverage@{k}", f"novelty@{k}", f"ARP@{k}")
    table = _new_table(title, caption, "model", *metrics[:3], f"cov@{k}", f"nov@{k}", f"ARP@{k}", "fit s (CPU)", "peak MB")
    for name, result in report["models"].items():
        metric = result["metrics"]
        shown = [f"{metric[c]:.4f}" if metric.get(c) is not None else "-" for c in metrics[:4]]
        shown += [f"{metric[c]:.2f}" if metric.get(c) is not None else "-" for c in metrics[4:]]
        fit = f"{result['fit_seconds']:.0f} ({result['fit_cpu_seconds']:.0f})"
        table.add_row(name, *shown, fit, f"{result['peak_rss_mb']:,.0f}")
    return table


@bench_app.command("rec")
def bench_rec(
    ctx: typer.Context,
    data: Annotated[Path, typer.Option(help="the data file (companion files are found beside it)")],
    format: Annotated[str, typer.Option("--format", "-f", help=f"one of {', '.join(DATASET_FORMATS)}")],
    protocol: Annotated[str, typer.Option(help=f"one of {', '.join(PROTOCOLS)}")] = "loo",
    models: Annotated[str, typer.Option(help="comma-separated model names [default: every model that fits the protocol]")] = "",
    out: Annotated[Path | None, typer.Option(help="results JSON [default: bench-rec-<data>-<protocol>.json]")] = None,
    k: Annotated[int, typer.Option("--k", min=1, help="list length K of the @K metrics")] = 10,
    seed: Annotated[int, typer.Option(help="seed for models, folds and sampled negatives")] = 0,
    batch_size: Annotated[int, typer.Option(min=1, help="users scored per batch")] = 512,
    sampled: Annotated[int, typer.Option(min=0, help="rank against N sampled negatives (reported as sampled); 0 = full ranking")] = 0,
    quantile: Annotated[float, typer.Option(min=0.0, max=1.0, help="temporal: time quantile where the test period starts")] = 0.8,
    grid: Annotated[str | None, typer.Option(help='hyper-parameters, JSON or a JSON file: {"model": {"param": [values]}}; several values are tuned on validation')] = None,
    group_by: Annotated[list[str] | None, typer.Option(help="also break metrics down by this user attribute (repeatable)")] = None,
    artifacts: Annotated[Path | None, typer.Option(help="where the split and training curves go [default: OUT without .json, + _artifacts]")] = None,
    split: Annotated[Path | None, typer.Option(help="reuse the split saved in this directory (an earlier run's ARTIFACTS/split)")] = None,
    item_features: Annotated[bool, typer.Option(help="give item category/brand/attribute tokens to models whose fit takes item_features")] = False,
) -> None:
    """Fit and evaluate recommenders (or rating models) on a data set; print a table and write JSON."""
    from shopsense.evaluation.bench_rec import BenchSpec, run_bench  # here: keeps `shopsense --help` fast

    if format not in DATASET_FORMATS:
        raise typer.BadParameter(f"one of {', '.join(DATASET_FORMATS)}", param_hint="--format")
    if protocol not in PROTOCOLS:
        raise typer.BadParameter(f"one of {', '.join(PROTOCOLS)}", param_hint="--protocol")
    out = out or Path(f"bench-rec-{data.stem.lower()}-{protocol}.json")
    spec = BenchSpec(
        data=data, format=format, protocol=protocol, artifacts=artifacts or out.with_name(out.stem + "_artifacts"),
        weights=settings_of(ctx).event_weights, models=[m.strip() for m in models.split(",") if m.strip()], k=k,
        seed=seed, batch_size=batch_size, negatives=sampled or None, quantile=quantile, grid=_grid(grid),
        group_by=group_by or [], split_dir=split, item_features=item_features,
    )  # fmt: skip
    bar = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    )  # fmt: skip
    with bar:
        task = bar.add_task("starting", total=None)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total or None)

        try:
            report = run_bench(spec, progress)
        except ValueError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    console.print(_table(report))
    console.print(f"results: {out}  split: {report['split']['dir']}")
