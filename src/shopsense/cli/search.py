"""Search commands: ``shopsense bench search`` (relevance benchmark), ``shopsense search synonyms …``
(the admin-managed synonym list) and ``shopsense search train-ranker`` (learn the ranker from clicks)."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from shopsense.cli.app import app, bench_app, console, open_db, settings_of
from shopsense.data.search_sets import load_crowdflower, load_homedepot, load_multicpr

search_app = typer.Typer(help="Search administration: synonyms and the learned ranker.", no_args_is_help=True)
synonyms_app = typer.Typer(help="The admin-managed synonym list.", no_args_is_help=True)
app.add_typer(search_app, name="search")
search_app.add_typer(synonyms_app, name="synonyms")


def _fail(message: str) -> typer.Exit:
    """Print a one-line ``error:`` like the CLI's known problems; the caller raises the returned exit (status 2)."""
    console.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(2)


class SearchFormat(str, Enum):
    homedepot = "homedepot"
    multicpr = "multicpr"
    crowdflower = "crowdflower"


LOADERS = {SearchFormat.homedepot: load_homedepot, SearchFormat.multicpr: load_multicpr, SearchFormat.crowdflower: load_crowdflower}


@bench_app.command("search")
def bench_search(
    ctx: typer.Context,
    data: Annotated[Path, typer.Option(help="data set folder (homedepot, multicpr) or CSV file (crowdflower)")],
    format: Annotated[SearchFormat, typer.Option("--format", help="layout of --data")],
    out: Annotated[Path | None, typer.Option(help="write the results as JSON here")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="at most this many queries per half (quick runs)")] = None,
    seed: Annotated[int, typer.Option(help="seed of the learned ranker")] = 0,
    dense: Annotated[bool, typer.Option(help="with dense retrieval (embeds the corpus once, cached in the data dir)")] = True,
) -> None:
    """NDCG@10, MRR@10, Recall@100 and latency p50/p99 of BM25, dense and ShopSense search, same run."""
    from shopsense.search.benchmark import run_benchmark

    if not data.exists():
        raise FileNotFoundError(f"no such file or folder: {data}")
    try:
        bench = LOADERS[format](data)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    cache = settings_of(ctx).data_dir / "search" / "embeddings"
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        tasks: dict[str, int] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done)

        results = run_benchmark(bench, cache_dir=cache, limit=limit, seed=seed, dense=dense, progress=progress)
    first = results[0]
    table = Table(title=f"search: {bench.name}, {first.queries:,} evaluation queries (ranker tuned on {first.tuning_queries:,} "
                        f"others), full ranking over {len(bench.corpus):,} documents")  # fmt: skip
    for column in ("system", "NDCG@10", "MRR@10", "Recall@100", "p50 ms", "p99 ms"):
        table.add_column(column, justify="left" if column == "system" else "right")
    for r in results:
        m = r.metrics
        table.add_row(r.name, f"{m['ndcg@10']:.4f}", f"{m['mrr@10']:.4f}", f"{m['recall@100']:.4f}", f"{r.p50_ms:.1f}", f"{r.p99_ms:.1f}")
    console.print(table)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        payload = {"data": str(data), "format": format.value, "documents": len(bench.corpus), "limit": limit, "seed": seed, "dense": dense,
                   "systems": [{"name": r.name, **r.metrics, "p50_ms": r.p50_ms, "p99_ms": r.p99_ms, "queries": r.queries,
                                "tuning_queries": r.tuning_queries} for r in results]}
        out.write_text(json.dumps(payload, indent=2))
        console.print(f"wrote {out}")


@synonyms_app.command("add")
def synonyms_add(
    ctx: typer.Context,
    term: Annotated[str, typer.Argument(help="the word or phrase shoppers type")],
    synonyms: Annotated[list[str], typer.Argument(help="what it should also find")],
    two_way: Annotated[bool, typer.Option(help="make every member equivalent (default: term -> synonyms only)")] = False,
) -> None:
    """Add a synonym rule."""
    from shopsense.search.store import SearchStore
    from shopsense.search.synonyms import SynonymRule

    try:
        rule = SynonymRule(term, tuple(synonyms), two_way)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    rule_id = SearchStore(open_db(ctx).engine).add_synonym(rule)
    console.print(f"added rule {rule_id}: {term} {'<->' if two_way else '->'} {', '.join(synonyms)}")


@synonyms_app.command("list")
def synonyms_list(ctx: typer.Context) -> None:
    """Show the synonym rules."""
    from shopsense.search.store import SearchStore

    table = Table("id", "term", "", "synonyms")
    for rule_id, rule in SearchStore(open_db(ctx).engine).synonyms():
        table.add_row(str(rule_id), rule.term, "<->" if rule.two_way else "->", ", ".join(rule.synonyms))
    console.print(table)


@synonyms_app.command("delete")
def synonyms_delete(ctx: typer.Context, rule_id: Annotated[int, typer.Argument()]) -> None:
    """Delete a synonym rule."""
    from shopsense.search.store import SearchStore

    if not SearchStore(open_db(ctx).engine).delete_synonym(rule_id):
        raise FileNotFoundError(f"no synonym rule {rule_id}")
    console.print(f"deleted rule {rule_id}")


@search_app.command("train-ranker")
def train_ranker(ctx: typer.Context, seed: Annotated[int, typer.Option()] = 0) -> None:
    """Learn the search ranker (LambdaRank) from clicks on search results; the API uses it from its next rebuild."""
    from shopsense.search.learn import NoClicksError, train_from_clicks
    from shopsense.search.live import SearchService, ranker_dir

    settings = settings_of(ctx)
    service = SearchService(open_db(ctx), settings.data_dir, models_dir=settings.models_dir)
    engine = service.current().search.engine
    try:
        learned = train_from_clicks(engine, service.store, ranker_dir(settings.models_dir), seed=seed)
    except NoClicksError as exc:
        raise _fail(str(exc)) from None
    console.print(f"trained on {learned['queries']} queries with {learned['clicked_results']} clicked results; "
                  f"saved to {ranker_dir(settings.models_dir)}")  # fmt: skip
