"""A small demo store (the bundled Online Retail sample cut to a few customers, trained, profiled), its server,
and a browser tab that records console errors."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from shopsense.cli.demo import demo_data_path
from shopsense.config import load_settings
from shopsense.data.online_retail import load_online_retail
from shopsense.ingest.importer import import_dataset
from shopsense.pipeline.train import train_models
from shopsense.profiles.params import ProfileParams
from shopsense.profiles.rebuild import rebuild_profiles
from shopsense.storage import open_database
from shopsense.storage.keys import Role

if TYPE_CHECKING:
    from playwright.sync_api import Page

ITEMS, CUSTOMERS = 300, 150  # the best sellers and their busiest buyers: dense enough for "also bought"


def build_store(data_dir: Path, items: int = ITEMS, customers: int = CUSTOMERS) -> str:
    """Import the sample's ``items`` best sellers bought by its ``customers`` busiest buyers, train, build
    profiles; returns an admin key. (Profiles and search embed every item: the catalogue sets the time.)"""
    settings = load_settings(env={}, data_dir=data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    dataset = load_online_retail(demo_data_path())
    events = dataset.events[~dataset.events["user_id"].str.startswith("guest-")]
    events = events[events["item_id"].isin(events["item_id"].value_counts().index[:items])]
    buyers = set(events["user_id"].value_counts().index[:customers])
    kept = events[events["user_id"].isin(buyers)]
    sold = set(kept["item_id"])
    small = replace(dataset, events=kept, items=[i for i in dataset.items if i.item_id in sold],
                    users=[u for u in dataset.users if u.user_id in buyers], skipped=dataset.skipped[:0])  # fmt: skip
    db = open_database(settings.resolved_database_url)
    try:
        import_dataset(db, small, rejects_path=data_dir / "rejected.csv")
        train_models(db, settings)
        rebuild_profiles(db, settings.models_dir / "profiles", ProfileParams(event_weights=dict(settings.event_weights)))
        return db.keys.create(Role.ADMIN, "web tests")[1]
    finally:
        db.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def server_env(**settings: str) -> dict[str, str]:
    """This process's environment without the outer shell's SHOPSENSE_* settings (test ones stay), plus ``settings``."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("SHOPSENSE_") or k.startswith("SHOPSENSE_TEST_")}
    return {**inherited, **settings}


def start_server(data_dir: Path, env: dict[str, str], timeout: float = 90.0) -> Server:
    """``shopsense serve`` (real uvicorn) on a free port; returns once /health/ready answers 200."""
    port = free_port()
    log = data_dir / "server.log"
    command = [sys.executable, "-m", "shopsense", "--data-dir", str(data_dir), "serve", "--port", str(port)]
    process = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{server.url}/health/ready", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"the server did not get ready in {timeout:.0f}s:\n{log.read_text()}")


class Tab:
    """A page at ``base``, with the console errors and uncaught exceptions it produced."""

    def __init__(self, page: Page, base: str, artifacts: Path) -> None:
        self.page, self.base, self.artifacts, self.errors = page, base, artifacts, []
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text} at {m.location.get('url')}"))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.set_default_timeout(30_000)

    def open(self, path: str) -> Page:
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str) -> Path:
        self.artifacts.mkdir(parents=True, exist_ok=True)
        path = self.artifacts / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


if __name__ == "__main__":  # python tests/web/webstore.py DIR, then shopsense --data-dir DIR serve: a look by hand
    target = Path(sys.argv[1])
    started = time.perf_counter()
    admin = build_store(target)
    print(json.dumps({"admin": admin, "seconds": round(time.perf_counter() - started, 1)}))
