"""Run the API with uvicorn in this process; wait for one started as another process (benchmarks)."""

from __future__ import annotations

import subprocess
import time

import httpx
import uvicorn
from rich.console import Console

from shopsense.config import Settings
from shopsense.service.app import create_app


def run_server(settings: Settings, console: Console) -> None:
    console.print(f"ShopSense API on [bold]http://{settings.host}:{settings.port}[/bold] (docs at /docs); Ctrl+C stops it")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning", access_log=False)


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
