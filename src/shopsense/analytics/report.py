"""``shopsense report``: load once, compute every analysis, draw the figures, write HTML + JSON + PNGs.

Output in ``out``: ``report.html`` (self-contained: figures embedded as base64 PNG), ``report.json``
(the data of every figure, by analysis name, exactly as ``GET /v1/analytics/{name}`` returns it) and
``figures/<analysis>-<chart>.png``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from shopsense.analytics.charts import png
from shopsense.analytics.figures import FIGURES
from shopsense.analytics.frame import Window, load_log
from shopsense.analytics.html import render
from shopsense.analytics.registry import ANALYSES, compute
from shopsense.storage import Database

REPORT_STEPS = 1 + 2 * len(ANALYSES) + 1  # load, compute each, draw each, write


@dataclass(frozen=True)
class Report:
    html: Path
    json: Path
    figures: list[Path]
    seconds: dict[str, float]  # per step, in order: "load", each analysis, "<name> figures", "write"


def build_report(db: Database, out: Path, window: Window = Window(), *, on_step: Callable[[str], None] | None = None) -> Report:
    """Write the report of ``window`` into ``out``; ``on_step(label)`` is called after each of ``REPORT_STEPS`` steps."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    def done(label: str) -> None:
        nonlocal started
        seconds[label] = time.perf_counter() - started
        started = time.perf_counter()
        if on_step:
            on_step(label)

    log = load_log(db, window)
    done("load")
    try:
        results = {}
        for name in ANALYSES:
            results[name] = compute(log, name)
            done(name)
    finally:
        log.close()
    figures_dir = out / "figures"
    figures_dir.mkdir(parents=True, exist_ok=True)
    for stale in figures_dir.glob("*.png"):  # from an earlier report into the same folder
        stale.unlink()
    charts, paths = {}, []
    for name, result in results.items():
        charts[name] = [(chart, png(chart.figure)) for chart in FIGURES[name](result)]
        for chart, image in charts[name]:
            paths.append(figures_dir / f"{chart.slug}.png")
            paths[-1].write_bytes(image)
        done(f"{name} figures")
    generated = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    json_path, html_path = out / "report.json", out / "report.html"
    document = {"generated_at": generated, "window": window.as_dict(), "analyses": results}
    json_path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    source = db.engine.url.render_as_string(hide_password=True)
    html_path.write_text(render(results, charts, source=source, generated_at=generated), encoding="utf-8")
    done("write")
    return Report(html=html_path, json=json_path, figures=paths, seconds=seconds)
