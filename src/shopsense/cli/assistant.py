"""``shopsense bench assistant`` and ``shopsense assistant knowledge …`` (upload, list, delete Markdown)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from shopsense.assistant.bench.run import MATCHERS, PARTS, BenchData, run_bench
from shopsense.assistant.knowledge import split_sections
from shopsense.assistant.store import AssistantStore, KnowledgeDocument
from shopsense.cli.app import app, bench_app, console, open_db, settings_of

SHARED_ASSISTANT = Path("../shared/data/assistant")
assistant_app = typer.Typer(help="The shopping assistant's knowledge documents.", no_args_is_help=True)
knowledge_app = typer.Typer(help="FAQ and policy documents (Markdown) the assistant answers from.", no_args_is_help=True)
assistant_app.add_typer(knowledge_app, name="knowledge")
app.add_typer(assistant_app, name="assistant")


@knowledge_app.command("upload")
def upload(ctx: typer.Context, files: Annotated[list[Path], typer.Argument(help="Markdown files; doc id = file stem")]) -> None:
    """Add or replace documents (title = the first heading, else the file name)."""
    documents = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        title = next((line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")), path.stem)
        document = KnowledgeDocument(path.stem, title, text)
        if not split_sections(document):
            raise typer.BadParameter(f"{path} has no text under its headings")
        documents.append(document)
    db = open_db(ctx)
    try:
        AssistantStore(db.engine).put_documents(documents)
    finally:
        db.close()
    for d in documents:
        console.print(f"stored {d.doc_id!r} ({len(split_sections(d))} sections)")


@knowledge_app.command("list")
def list_documents(ctx: typer.Context) -> None:
    db = open_db(ctx)
    try:
        documents = AssistantStore(db.engine).documents()
    finally:
        db.close()
    table = Table("doc id", "title", "sections")
    for d in documents:
        table.add_row(d.doc_id, d.title, str(len(split_sections(d))))
    console.print(table)


@knowledge_app.command("delete")
def delete(ctx: typer.Context, doc_id: str) -> None:
    db = open_db(ctx)
    try:
        found = AssistantStore(db.engine).delete_document(doc_id)
    finally:
        db.close()
    if not found:
        raise FileNotFoundError(f"no knowledge document {doc_id!r}")
    console.print(f"deleted {doc_id!r}")


@bench_app.command("assistant")
def bench_assistant(
    ctx: typer.Context,
    data: Annotated[Path, typer.Option(help="folder with the Bitext, Amazon QA and jddc2018 files")] = SHARED_ASSISTANT,
    parts: Annotated[str, typer.Option(help=f"comma-separated subset of {','.join(PARTS)}")] = ",".join(PARTS),
    seed: Annotated[int, typer.Option()] = 0,
    matcher: Annotated[str, typer.Option(help="answer ranker's encoder: e5; e5-tuned (e5 fine-tuned per product fold: "
                                               "about 4 minutes on an H100, hours on 2 CPU cores; cached); or minilm (the "
                                               "[minilm] extra; its training data overlaps Amazon QA, see docs/benchmarks.md)")] = "e5",
    out: Annotated[Path | None, typer.Option(help="also write the report as JSON here")] = None,
) -> None:
    """Intent accuracy/macro-F1, answer retrieval and response selection beside BM25, grounding, latency."""
    if matcher not in MATCHERS:
        raise typer.BadParameter(f"unknown matcher {matcher!r}; choose from {', '.join(MATCHERS)}")
    chosen = tuple(p.strip() for p in parts.split(",") if p.strip())
    unknown = sorted(set(chosen) - set(PARTS))
    if unknown:
        raise typer.BadParameter(f"unknown parts {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    sets = BenchData.under(data)
    needed = {"intents": [sets.bitext], "answers": [sets.amazon_qa], "dialogues": [sets.jddc_train, sets.jddc_test]}
    missing = [str(p) for part in chosen for p in needed.get(part, []) if not p.exists()]
    if missing:
        raise FileNotFoundError(f"benchmark data not found: {', '.join(missing)}")
    cache = settings_of(ctx).data_dir / "cache" / "assistant"
    with console.status("assistant benchmark…") as status:
        report = run_bench(sets, cache, chosen, seed=seed, matcher=matcher, progress=lambda part: status.update(f"assistant benchmark: {part}…"))
    console.print(_table(report))
    for target, held in report["targets"].items():
        console.print(f"{'[green]met[/green]' if held else '[red]missed[/red]'}  {target}")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
        console.print(f"report written to {out}")


def _table(report: dict) -> Table:
    table = Table("benchmark", "metric", "system", "baseline", title="ShopSense assistant")
    if "intents" in report:
        r = report["intents"]
        table.add_row(f"Bitext intents (held-out {r['test_size']:,})", "accuracy / macro-F1", f"{r['accuracy']:.4f} / {r['macro_f1']:.4f}", "")
    for part, label, metric in (("answers", "Amazon QA answer retrieval", "mrr"), ("dialogues", "JDDC response selection", "recall_at_1")):
        if part in report:
            r = report[part]
            name = "MRR" if metric == "mrr" else "R10@1"
            table.add_row(label, f"{name} (MRR/R@1)", f"{r['system']['mrr']:.4f} / {r['system']['recall_at_1']:.4f}",
                          f"BM25 {r['bm25']['mrr']:.4f} / {r['bm25']['recall_at_1']:.4f}")  # fmt: skip
    if "grounding" in report:
        r = report["grounding"]
        table.add_row(f"grounding ({r['questions']} questions)", "accuracy", f"{r['accuracy']:.4f}", "")
        table.add_row("latency per turn, no LLM", "p50 / p95 ms", f"{r['latency_ms']['p50']:.1f} / {r['latency_ms']['p95']:.1f}", "")
    return table
