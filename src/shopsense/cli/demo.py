"""``shopsense demo``: store + bundled data + trained models + keys + a running server, in one command."""

from __future__ import annotations

import json
import os
import sys
import threading
import webbrowser
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from shopsense.cli.app import app, console, redact, settings_of
from shopsense.cli.importing import print_summary
from shopsense.config import Settings
from shopsense.data.online_retail import load_online_retail
from shopsense.ingest.importer import default_rejects_path, import_dataset
from shopsense.pipeline.train import train_models
from shopsense.profiles.params import ProfileParams
from shopsense.profiles.rebuild import rebuild_profiles
from shopsense.storage import Database, open_database
from shopsense.storage.keys import Role

DEMO_FILE = "online_retail_sample.parquet"


def demo_data_path() -> Path:
    return Path(str(resources.files("shopsense") / "demo_data" / DEMO_FILE))


def _demo_keys(db: Database, settings: Settings) -> dict[str, str]:
    """Admin and client keys for the demo, kept in DATA_DIR/demo-keys.json (mode 600) and reused."""
    path = settings.data_dir / "demo-keys.json"
    if path.exists():
        keys = json.loads(path.read_text())
        if all(db.keys.authenticate(keys.get(role, "")) for role in ("admin", "client")):
            return keys
    keys = {role.value: db.keys.create(role, "demo")[1] for role in (Role.ADMIN, Role.CLIENT)}
    path.write_text(json.dumps(keys, indent=2))
    os.chmod(path, 0o600)
    return keys


def _next_steps(settings: Settings, keys: dict[str, str], user_id: str, item_id: str) -> None:
    base = f"http://{settings.host}:{settings.port}"
    client = keys["client"]
    console.print(f"\n[bold]Storefront[/bold] {base}/ · [bold]dashboard[/bold] {base}/admin (sign in with the admin key below)")
    console.print(f"[bold]Open[/bold] {base}/docs for the interactive API.")
    console.print(f"Keys (also in {settings.data_dir / 'demo-keys.json'}):", soft_wrap=True)
    console.print(f"  client {client}\n  admin  {keys['admin']}", soft_wrap=True, markup=False, highlight=False)
    event = {"events": [{"event_id": "demo-1", "user_id": user_id, "type": "view", "item_id": item_id,
                         "timestamp": "2011-12-10T10:00:00Z"}]}  # fmt: skip
    console.print("[bold]Try[/bold]:")
    for command in (
        f"curl -H 'X-API-Key: {client}' {base}/v1/items/{item_id}",
        f"curl -H 'X-API-Key: {client}' '{base}/v1/users/{user_id}/events?limit=5'",
        f"curl -H 'X-API-Key: {client}' {base}/v1/users/{user_id}/profile",
        f"curl -H 'X-API-Key: {client}' {base}/v1/analytics/overview",
        f"curl -H 'X-API-Key: {client}' -H 'Content-Type: application/json' -d '{json.dumps(event)}' {base}/v1/events",
    ):
        console.print("  " + command, soft_wrap=True, markup=False, highlight=False)


def _has_desktop() -> bool:
    """A graphical browser can open here (without one, webbrowser would start a text browser in this terminal)."""
    return sys.platform in ("darwin", "win32") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@app.command()
def demo(
    ctx: typer.Context,
    serve: Annotated[bool, typer.Option(help="start the server after setting up")] = True,
    port: Annotated[int | None, typer.Option(help="port [default 8000]")] = None,
    open_browser: Annotated[bool, typer.Option("--open/--no-open", help="open the storefront in a web browser once serving")] = True,
) -> None:
    """Set up a store on the bundled Online Retail sample, train the models, build profiles, and serve the API."""
    settings = settings_of(ctx)
    settings = replace(settings, port=port or settings.port)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = open_database(settings.resolved_database_url)
    console.print(f"store: {db.backend} at {redact(settings.resolved_database_url)}")
    with console.status("importing the bundled Online Retail sample…"):
        dataset = load_online_retail(demo_data_path())
        summary = import_dataset(db, dataset, rejects_path=default_rejects_path(settings.data_dir, DEMO_FILE))
    print_summary(summary)
    with console.status("training…"):
        for trained in train_models(db, settings):
            console.print(f"[green]trained[/green] {trained.name} ({trained.metrics['interactions']:,} interactions)")
    with console.status("building user profiles…"):
        rebuilt = rebuild_profiles(db, settings.models_dir / "profiles", ProfileParams(event_weights=dict(settings.event_weights)))
    console.print(f"[green]built[/green] {rebuilt.users:,} user profiles")
    keys = _demo_keys(db, settings)
    sample = dataset.events.iloc[len(dataset.events) // 2]
    _next_steps(settings, keys, str(sample["user_id"]), str(sample["item_id"]))
    db.close()
    if serve:
        from shopsense.service.server import run_server

        if open_browser and _has_desktop():  # a moment after uvicorn starts listening
            threading.Timer(1.5, webbrowser.open, [f"http://{settings.host}:{settings.port}/"]).start()
        run_server(settings, console)
