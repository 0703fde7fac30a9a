"""Run the API with uvicorn in this process."""

from __future__ import annotations

import uvicorn
from rich.console import Console

from shopsense.config import Settings
from shopsense.service.app import create_app


def run_server(settings: Settings, console: Console) -> None:
    console.print(f"ShopSense API on [bold]http://{settings.host}:{settings.port}[/bold] (docs at /docs); Ctrl+C stops it")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning", access_log=False)
