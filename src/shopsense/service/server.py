"""Run the API with uvicorn (one process, or several worker processes); wait for one started elsewhere.

Worker processes are stateless copies: each loads the active models and the search index itself and
follows the database (new model versions, catalogue and rule changes within about a second); rate
limits and cached results are shared through Redis when ``SHOPSENSE_REDIS_URL`` is set (docs/deploy.md).
"""

from __future__ import annotations

import os
import subprocess
import time

import httpx
import uvicorn
from fastapi import FastAPI
from rich.console import Console

from shopsense.config import Settings, load_settings
from shopsense.service.app import create_app


def create_app_from_environment() -> FastAPI:
    """The factory each worker process calls: settings from the ``SHOPSENSE_*`` environment."""
    return create_app(load_settings())


def run_server(settings: Settings, console: Console, *, workers: int = 1) -> None:
    """Serve until interrupted; ``workers`` > 1 starts that many processes sharing the port."""
    shown = f"{workers} worker processes" if workers > 1 else "one process"
    console.print(f"ShopSense API on [bold]http://{settings.host}:{settings.port}[/bold] ({shown}; docs at /docs); Ctrl+C stops it")
    common = {"host": settings.host, "port": settings.port, "log_level": "warning", "access_log": False}
    if workers == 1:
        uvicorn.run(create_app(settings), **common)
        return
    if settings.resolved_database_url.startswith("sqlite"):
        console.print("[yellow]note:[/yellow] several workers on SQLite serialise their writes; use PostgreSQL (docs/deploy.md)")
    # the workers read their settings from the environment: pass on what came from command-line flags
    os.environ.update(
        SHOPSENSE_DATA_DIR=str(settings.data_dir.resolve()), SHOPSENSE_DATABASE_URL=settings.resolved_database_url
    )
    uvicorn.run("shopsense.service.server:create_app_from_environment", factory=True, workers=workers, **common)


def wait_until_ready(base: str, deadline: float, server: subprocess.Popen) -> None:
    """Poll ``base``/health/ready until it answers 200; a RuntimeError when the server process exits
    first (with the end of its stderr) or ``deadline`` (``time.monotonic()``) passes."""
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited: {server.stderr.read().decode()[-2000:] if server.stderr else ''}")
        try:
            if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server at {base} did not become ready")
