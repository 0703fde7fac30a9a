"""Profile commands: ``shopsense profile USER`` (pretty), ``profiles rebuild`` and ``profiles export``."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.columns import Columns
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from shopsense.cli.app import app, console, open_db, settings_of
from shopsense.privacy.pseudonym import pseudonymize
from shopsense.profiles.documents import read_profile
from shopsense.profiles.export import FORMATS, export_profiles
from shopsense.profiles.params import ProfileParams
from shopsense.profiles.rebuild import rebuild_profiles
from shopsense.profiles.tags import days_ago

profiles_app = typer.Typer(help="Rebuild and export user profiles.", no_args_is_help=True)
app.add_typer(profiles_app, name="profiles")

BAR_WIDTH = 24
SPARK = "▁▂▃▄▅▆▇█"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


ExportFormat = enum.Enum("ExportFormat", {name: name for name in FORMATS}, type=str)  # jsonl | csv | parquet

def _bar(share: float, width: int = BAR_WIDTH) -> Text:
    filled = round(share * width)
    return Text("█" * filled, style="cyan") + Text("·" * (width - filled), style="dim")


def _sparkline(counts: list[int]) -> str:
    top = max(counts) or 1
    return "".join(" " if c == 0 else SPARK[(c * len(SPARK) - 1) // top] for c in counts)


def _affinity_table(title: str, shares: dict[str, float], limit: int = 8) -> Table:
    table = Table(title=title, show_header=False, box=None, title_justify="left", title_style="bold")
    for key, share in list(shares.items())[:limit]:
        table.add_row(_bar(share), f"{share:6.1%}", key)
    if len(shares) > limit:
        table.add_row("", "", Text(f"… {len(shares) - limit} more", style="dim"))
    return table


def _summary(doc: dict[str, Any]) -> Table:
    activity, rfm, stage = doc["activity"], doc["rfm"], doc["lifecycle"]
    table = Table(show_header=False, box=None)
    table.add_row("lifecycle", f"[bold]{stage['stage'] or '–'}[/bold] [dim]({stage['rule']})[/dim]")
    scores = "–" if rfm["r"] is None else f"R {rfm['r']} · F {rfm['f']} · M {rfm['m']}"
    table.add_row("RFM", f"[bold]{rfm['segment'] or '–'}[/bold]  {scores}")
    recency = "never" if rfm["recency_days"] is None else days_ago(rfm["recency_days"])
    table.add_row("", f"last purchase {recency} · {rfm['frequency']:,} orders · {rfm['monetary']:,.2f} net spend")
    seen = f"{activity['first_seen'] or '–'} … {activity['last_seen'] or '–'}"
    table.add_row("seen", f"{seen}  (as of {doc['as_of'] or '–'})")
    kinds = ", ".join(f"{k} {n:,}" for k, n in activity["by_type"].items()) or "none"
    table.add_row("events", f"{activity['events']:,} in {activity['sessions']:,} sessions: {kinds}")
    table.add_row("hours (UTC)", f"[cyan]{_sparkline(activity['hours'])}[/cyan]  [dim]0h … 23h[/dim]")
    week = "  ".join(f"{day} {n}" for day, n in zip(WEEKDAYS, activity["weekdays"]))
    table.add_row("weekdays", week)
    return table


def _details(doc: dict[str, Any]) -> Table:
    cycle, sentiment, interests = doc["purchase_cycle"], doc["sentiment"], doc["interests"]
    table = Table(show_header=False, box=None)
    overall = "–" if cycle["overall_days"] is None else f"every {cycle['overall_days']:g} days"
    per_category = ", ".join(f"{c}: {d:g} d" for c, d in cycle["by_category"].items())
    table.add_row("purchase cycle", overall + (f"  ({per_category})" if per_category else ""))
    if sentiment["reviews"]:
        table.add_row("reviews", f"{sentiment['reviews']} reviews, {sentiment['label']} (mean {sentiment['mean']:+.2f})")
    if sentiment["ratings"]:
        table.add_row("ratings", f"{sentiment['ratings']} ratings, mean {sentiment['rating_mean']:.2f}")
    if interests["recent_categories"]:
        table.add_row("recent categories", " ← ".join(interests["recent_categories"]))
    for n, guess in enumerate(interests["next_categories"]):
        share = guess["probability"]
        table.add_row("likely next" if n == 0 else "", Text.assemble(_bar(share, 12), f" {share:5.1%} {guess['category']}"))
    return table


def print_profile(doc: dict[str, Any]) -> None:
    """A profile document as Rich panels: summary, tags with evidence, affinities as bars, details."""
    attributes = ", ".join(f"{k}: {v}" for k, v in doc["attributes"].items()) or "no attributes"
    console.print(Panel(_summary(doc), title=f"[bold]user {doc['user_id']}[/bold]", subtitle=attributes))
    tags = Text("\n").join(Text.assemble((f"● {t['tag']}", "bold green"), f"  {t['evidence']}") for t in doc["tags"])
    console.print(Panel(tags or Text("none", style="dim"), title="tags", title_align="left"))
    affinities = [_affinity_table(kind.replace("_", " "), shares) for kind, shares in doc["affinities"].items() if shares]
    if affinities:
        console.print(Panel(Columns(affinities, padding=(0, 4)), title="affinities (time-decayed)", title_align="left"))
    console.print(Panel(_details(doc), title="habits and interests", title_align="left"))
    if doc.get("scores"):
        console.print(Panel(orjson.dumps(doc["scores"]).decode(), title="scores", title_align="left"))


@app.command("profile")
def profile(
    ctx: typer.Context,
    user_id: Annotated[str, typer.Argument(help="the user's id")],
    as_json: Annotated[bool, typer.Option("--json", help="print the document as JSON")] = False,
) -> None:
    """Show one user's profile."""
    db = open_db(ctx)
    doc = read_profile(db, pseudonymize(settings_of(ctx).pseudonymize_key, user_id))
    db.close()
    if doc is None:
        console.print(f"[red]error:[/red] no user {user_id!r}")
        raise typer.Exit(1)
    if as_json:
        print(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())
    else:
        print_profile(doc)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )


@profiles_app.command("rebuild")
def rebuild(
    ctx: typer.Context,
    half_life_days: Annotated[float, typer.Option(min=0.01, help="half-life of the affinities' time decay")] = 30.0,
    active_days: Annotated[float, typer.Option(min=0.01, help="lifecycle: active within this many days")] = 30.0,
    churned_days: Annotated[float, typer.Option(min=0.01, help="lifecycle: churned after this many days")] = 90.0,
) -> None:
    """Recompute every profile from the whole event log and learn a new profile model."""
    settings = settings_of(ctx)
    params = ProfileParams(
        half_life_days=half_life_days,
        event_weights=dict(settings.event_weights),
        active_days=active_days,
        churned_days=churned_days,
    )
    db = open_db(ctx)
    tasks: dict[str, TaskID] = {}
    with _progress() as bar:

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done)

        summary = rebuild_profiles(db, settings.models_dir / "profiles", params, progress=progress)
    db.close()
    rate = summary.events / summary.seconds if summary.seconds else 0.0
    console.print(
        f"[green]rebuilt[/green] {summary.users:,} profiles from {summary.events:,} events in {summary.seconds:.1f} s "
        f"({rate:,.0f} events/s); profile model {summary.version}"
    )


@profiles_app.command("export")
def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="the file to write")],
    format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="jsonl: whole documents; csv, parquet: flat columns")
    ] = ExportFormat["jsonl"],
) -> None:
    """Export every profile (without internal state) to JSON Lines, CSV or Parquet."""
    db = open_db(ctx)
    with _progress() as bar:
        task = bar.add_task("exporting profiles", total=None)
        written = export_profiles(db, out, format.value, progress=lambda n: bar.advance(task, n))
    db.close()
    console.print(f"[green]exported[/green] {written:,} profiles to {out}")
