"""The built-in storefront in a real browser while user tokens are required (SHOPSENSE_USER_TOKEN_KEY):
the browser gets one anonymous shopper, the picker is locked to it, and every personal call carries its
token (a missing one would be a 403 in the console)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from webstore import Server, Tab, build_store, server_env, start_server

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package (pip install -e '.[dev]')").expect


@pytest.fixture(scope="module")
def token_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    data_dir = tmp_path_factory.mktemp("web-tokens") / "data"
    admin = build_store(data_dir, items=60, customers=40)
    server = start_server(data_dir, server_env(SHOPSENSE_USER_TOKEN_KEY="web-test-secret"))
    yield server, admin
    server.stop()


def test_storefront_works_for_its_own_anonymous_shopper(browser, token_shop, tmp_path) -> None:  # noqa: ANN001
    server, admin = token_shop
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    tab = Tab(context.new_page(), server.url, tmp_path)
    page = tab.open("/")
    picker = page.locator("#shopper")
    expect(picker).to_be_disabled()
    shopper = picker.input_value()
    assert shopper.startswith("web-")
    expect(page.locator("#for-you .card").first).to_be_visible()
    page.locator("#for-you .card").first.click()  # a click and a view, sent with the page's token
    expect(page.locator("#product h1")).not_to_be_empty()
    tab.open("/")
    assert picker.input_value() == shopper  # the cookie keeps the same shopper across pages
    events = httpx.get(f"{server.url}/v1/users/{shopper}/events", headers={"X-API-Key": admin}).json()["events"]
    assert {"click", "view"} <= {e["type"] for e in events}
    assert tab.errors == []
    context.close()
