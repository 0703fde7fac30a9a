"""The page routes without a browser: the storefront's client key, the admin page's lack of one, languages, assets."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shopsense.config import load_settings
from shopsense.service.app import create_app
from shopsense.storage import Database
from shopsense.storage.keys import Role


@pytest.fixture
def http(db: Database, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(load_settings(env={}, data_dir=tmp_path / "data"), db)) as client:
        yield client


def config_of(html: str) -> dict:
    return json.loads(re.search(r'<script id="config" type="application/json">(.*?)</script>', html).group(1))


def test_the_storefront_carries_a_reused_client_key_and_the_admin_page_none(http: TestClient, db: Database, tmp_path: Path) -> None:
    first = config_of(http.get("/").text)["api_key"]
    assert db.keys.authenticate(first).role is Role.CLIENT
    assert config_of(http.get("/product/A1").text)["api_key"] == first  # reused, not one key per page
    stored = tmp_path / "data" / "storefront-key"
    assert stored.read_text() == first and stored.stat().st_mode & 0o777 == 0o600
    assert "api_key" not in config_of(http.get("/admin").text)

    db.keys.revoke(db.keys.authenticate(first).key_id)
    second = config_of(http.get("/cart").text)["api_key"]
    assert second != first and db.keys.authenticate(second).role is Role.CLIENT


def test_pages_know_their_item_and_speak_the_chosen_language(http: TestClient) -> None:
    product = config_of(http.get("/product/85123A").text)
    assert (product["page"], product["item_id"], product["lang"]) == ("product", "85123A", "en")
    chinese = http.get("/search?q=x&lang=zh")
    assert chinese.cookies["lang"] == "zh" and "搜索" in chinese.text and '<html lang="zh-CN">' in chinese.text
    assert config_of(http.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text)["lang"] == "zh"
    assert config_of(http.get("/?lang=xx").text)["lang"] in ("en", "zh")  # an unknown choice falls back


def test_assets_are_served(http: TestClient) -> None:
    for path in ("/web/static/api.js", "/web/static/store.js", "/web/static/admin.js", "/web/static/site.css"):
        assert http.get(path).status_code == 200, path
    plotly = http.get("/web/vendor/plotly.min.js")
    assert plotly.status_code == 200 and plotly.headers["content-type"].startswith("text/javascript")
    assert len(plotly.content) > 1_000_000
