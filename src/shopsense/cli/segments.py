"""``shopsense segments …`` (save, list, count, export, score) and ``shopsense bench propensity``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from shopsense.cli.app import app, bench_app, console, open_db
from shopsense.data.loaders import DATASET_FORMATS
from shopsense.segments.audience import EXPORT_FORMATS, census, checked_rule, members, save_segment, write_target_list
from shopsense.segments.rules import InvalidRule, Rule
from shopsense.storage import Database

segments_app = typer.Typer(help="Marketing segments: rules over profile fields and model scores.", no_args_is_help=True)
app.add_typer(segments_app, name="segments")
RuleOption = Annotated[str, typer.Option("--rule", help="the rule as JSON, or @FILE to read it from a file")]


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(2)


def _read_rule(text: str) -> Any:
    source = Path(text[1:]).read_text(encoding="utf-8") if text.startswith("@") else text
    try:
        return orjson.loads(source)
    except orjson.JSONDecodeError as exc:
        raise _fail(f"the rule is not valid JSON: {exc}") from None


def _problems(exc: InvalidRule) -> typer.Exit:
    console.print(f"[red]invalid segment[/red]: {len(exc.problems)} problem(s)")
    for problem in exc.problems:
        console.print(f"  {problem}", markup=False)
    return typer.Exit(2)


def _stored_rule(ctx: typer.Context, name: str) -> tuple[Database, Rule]:
    db = open_db(ctx)
    segment = db.segments.get(name)
    if segment is None:
        db.close()
        raise _fail(f"no segment {name!r} (see: shopsense segments list)")
    try:
        return db, checked_rule(segment.definition)
    except InvalidRule as exc:
        db.close()
        raise _problems(exc) from None


@segments_app.command("create")
def create(
    ctx: typer.Context,
    name: str,
    rule: RuleOption,
    description: Annotated[str, typer.Option(help="what the segment is for")] = "",
) -> None:
    """Save a segment (replacing one of the same name) after checking its rule."""
    definition = _read_rule(rule)
    db = open_db(ctx)
    try:
        _segment, created = save_segment(db.segments, name, definition, description)
    except InvalidRule as exc:
        raise _problems(exc) from None
    finally:
        db.close()
    console.print(f"[green]{'created' if created else 'replaced'}[/green] segment {name}")


@segments_app.command("list")
def list_segments(ctx: typer.Context) -> None:
    """Saved segments with their descriptions and rules."""
    db = open_db(ctx)
    table = Table("name", "description", "rule", "updated (UTC)")
    for segment in db.segments.list():
        rule = orjson.dumps(segment.definition).decode()
        table.add_row(segment.name, segment.description, rule, f"{segment.updated_at:%Y-%m-%d %H:%M}")
    console.print(table)
    db.close()


@segments_app.command("count")
def count(ctx: typer.Context, name: str) -> None:
    """How many users the segment holds now."""
    db, rule = _stored_rule(ctx, name)
    counted = census(rule, db.profiles.iter_all())
    db.close()
    share = f" ({counted.matched / counted.total:.1%})" if counted.total else ""
    console.print(f"{name}: {counted.matched:,} of {counted.total:,} profiles{share}")


@segments_app.command("preview")
def preview(ctx: typer.Context, rule: RuleOption, sample: Annotated[int, typer.Option(min=0)] = 10) -> None:
    """Count an unsaved rule and show a few of its users."""
    try:
        parsed = checked_rule(_read_rule(rule), prefix="rule")
    except InvalidRule as exc:
        raise _problems(exc) from None
    db = open_db(ctx)
    counted = census(parsed, db.profiles.iter_all(), sample=sample)
    db.close()
    console.print(f"{counted.matched:,} of {counted.total:,} profiles; first: {', '.join(counted.sample) or '-'}")


@segments_app.command("export")
def export(
    ctx: typer.Context,
    name: str,
    out: Annotated[Path, typer.Option(help="target list file (.csv or .jsonl)")],
    fmt: Annotated[str | None, typer.Option("--format", help="csv or jsonl [default: from the file suffix]")] = None,
    field: Annotated[list[str] | None, typer.Option(help="a profile field to add (dotted path); repeatable")] = None,
) -> None:
    """Write the segment's users (and chosen profile fields) as a target list."""
    fmt = fmt or ("jsonl" if out.suffix in (".jsonl", ".json") else "csv")
    if fmt not in EXPORT_FORMATS:
        raise _fail(f"unknown format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    db, rule = _stored_rule(ctx, name)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with out.open("w", encoding="utf-8", newline="") as handle:
            written = write_target_list(members(rule, db.profiles.iter_all()), handle, fmt=fmt, fields=field or [])
    except InvalidRule as exc:
        out.unlink(missing_ok=True)
        raise _problems(exc) from None
    finally:
        db.close()
    console.print(f"wrote {written:,} users of {name} to {out}")


@segments_app.command("delete")
def delete(ctx: typer.Context, name: str) -> None:
    """Delete a saved segment."""
    db = open_db(ctx)
    deleted = db.segments.delete(name)
    db.close()
    if not deleted:
        raise _fail(f"no segment {name!r}")
    console.print(f"deleted segment {name}")


@segments_app.command("score")
def score(
    ctx: typer.Context,
    horizon_days: Annotated[float, typer.Option(min=0.01, help="predict purchases / churn within N days")] = 30.0,
    category: Annotated[list[str] | None, typer.Option(help="also score purchase propensity in this category")] = None,
    seed: Annotated[int, typer.Option()] = 0,
) -> None:
    """Train the propensity and churn models on the log and write scores.* into every profile."""
    from shopsense.segments.scoring import score_users

    db = open_db(ctx)
    try:
        with console.status("training and scoring…"):
            summary = score_users(db, horizon_days=horizon_days, categories=category or [], seed=seed)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    finally:
        db.close()
    console.print(f"scored {summary.users_scored:,} users as of {summary.as_of}: {summary.profiles_updated:,} "
                  f"profiles updated, {summary.without_profile:,} users without a profile")  # fmt: skip
    for target, positives in summary.positives.items():
        console.print(f"  {target}: {positives:,} positive examples in training")


def _figure(value: float, digits: int) -> str:
    return "n/a" if math.isnan(value) else f"{value:.{digits}f}"


@bench_app.command("propensity")
def bench_propensity(
    data: Annotated[Path, typer.Option(help="the data set file")],
    fmt: Annotated[str, typer.Option("--format", help=f"one of {', '.join(DATASET_FORMATS)}")],
    horizon_days: Annotated[float, typer.Option(min=0.01, help="N: predict purchases / churn within N days")] = 30.0,
    category: Annotated[list[str] | None, typer.Option(help="a category to score ('auto': the most bought)")] = None,
    seed: Annotated[int, typer.Option()] = 0,
) -> None:
    """Propensity and churn models by temporal split: ROC-AUC and lift@10% beside the baselines."""
    from shopsense.evaluation.propensity import evaluate_propensity, load_benchmark_log, temporal_split, top_category
    from shopsense.segments.propensity import Target
    from shopsense.storage.codec import from_ms

    if fmt not in DATASET_FORMATS:
        raise _fail(f"unknown format {fmt!r}; expected one of {', '.join(DATASET_FORMATS)}")
    with console.status(f"loading {data.name}…"):
        bench = load_benchmark_log(fmt, data)
    try:
        split = temporal_split(bench.log, horizon_days)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    named = [top_category(bench.log, bench.item_categories, split.train_cutoff_ms) if c == "auto" else c
             for c in category or []]  # fmt: skip
    if None in named:
        console.print("no category has purchases before the training cutoff: 'auto' is left out")
    targets = [Target("purchase"), *(Target("purchase", c) for c in named if c), Target("churn")]
    with console.status("training and scoring…"):
        split, rows = evaluate_propensity(bench.log, targets, horizon_days, item_categories=bench.item_categories,
                                          exclude_users=bench.anonymous_users, seed=seed)  # fmt: skip
    when = [f"{from_ms(ms):%Y-%m-%d %H:%M}" for ms in (split.train_cutoff_ms, split.test_cutoff_ms, split.end_ms)]
    title = (f"{data.name}: horizon {horizon_days:g} days; train features < {when[0]}, labels to {when[1]}; "
             f"test features < {when[1]}, labels to {when[2]} (UTC)")  # fmt: skip
    table = Table("target", "model", "train users (pos.)", "test users (pos.)", "test rate", "ROC-AUC", "lift@10%",
                  title=title)  # fmt: skip
    for r in rows:
        rate = r.test_positives / r.test_users if r.test_users else math.nan
        table.add_row(
            r.target, r.model, f"{r.train_users:,} ({r.train_positives:,})", f"{r.test_users:,} ({r.test_positives:,})",
            _figure(rate, 3), _figure(r.roc_auc, 3), _figure(r.lift, 2),
        )  # fmt: skip
    console.print(table)
    if bench.anonymous_users:
        console.print(f"{len(bench.anonymous_users):,} anonymous (session-only) users left out: no one to target")
