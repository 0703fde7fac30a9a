"""A real server over a small demo store, and Debian's Chromium driven by Playwright (flags: DEVELOPERS.md).

Browser tests are skipped, with the reason, when /usr/bin/chromium or the playwright package is missing.
Screenshots go to test-artifacts/web/ at the repository root.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from webstore import Server, Tab, build_store, server_env, start_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"


@pytest.fixture(scope="session")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """The served store (with an A/B experiment on "for you", so the dashboard has results) and an admin key."""
    data_dir = tmp_path_factory.mktemp("web") / "data"
    admin = build_store(data_dir)
    server = start_server(data_dir, server_env())
    experiment = {"experiment_id": "for-you-diversity", "scenario": "for_you",
                  "variants": [{"name": "control"}, {"name": "diverse", "rules": {"diversity": 0.5}}]}  # fmt: skip
    created = httpx.post(f"{server.url}/v1/experiments", json=experiment, headers={"X-API-Key": admin})
    if created.status_code != 201:
        server.stop()
        raise RuntimeError(f"the server refused the A/B experiment: {created.status_code} {created.text}")
    yield server, admin
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium; the test is skipped, with the reason, when it or the playwright package is missing."""
    if not CHROMIUM.is_file():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium (see DEVELOPERS.md)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package (pip install -e '.[dev]')")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def tab(browser: Browser, shop: tuple[Server, str]) -> Iterator[Tab]:
    """A fresh browser context (so a new shopper with an empty cart) at desktop size."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    yield Tab(context.new_page(), shop[0].url, ARTIFACTS)
    context.close()
