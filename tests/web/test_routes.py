"""The page routes without a browser: the storefront's key, the admin page's lack of one, languages, assets."""

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


def test_the_storefront_carries_a_reused_storefront_key_and_the_admin_page_none(http: TestClient, db: Database, tmp_path: Path) -> None:
    first = config_of(http.get("/").text)["api_key"]
    assert db.keys.authenticate(first).role is Role.STOREFRONT
    assert config_of(http.get("/product/A1").text)["api_key"] == first  # reused, not one key per page
    stored = tmp_path / "data" / "storefront-key"
    assert stored.read_text() == first and stored.stat().st_mode & 0o777 == 0o600
    assert "api_key" not in config_of(http.get("/admin").text)

    db.keys.revoke(db.keys.authenticate(first).key_id)
    second = config_of(http.get("/cart").text)["api_key"]
    assert second != first and db.keys.authenticate(second).role is Role.STOREFRONT


def test_the_storefront_key_reads_no_shopper_data(http: TestClient) -> None:
    key = {"X-API-Key": config_of(http.get("/").text)["api_key"]}
    for path in ("/v1/users/u1/profile", "/v1/users/u1/events", "/v1/analytics/overview", "/v1/segments",
                 "/v1/analytics/search", "/v1/assistant/unanswered", "/v1/experiments"):  # fmt: skip
        refused = http.get(path, headers=key)
        assert refused.status_code == 403 and "storefront key" in refused.json()["error"]["message"], path
    assert http.post("/v1/segments/preview", json={"definition": {}}, headers=key).status_code == 403
    assert http.get("/v1/suggest?q=a", headers=key).status_code == 200


def test_a_client_key_left_in_the_storefront_file_is_revoked_and_replaced_at_start(db: Database, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    old, legacy = db.keys.create(Role.CLIENT, "storefront")  # what an older version kept there
    (data_dir / "storefront-key").write_text(legacy)
    with TestClient(create_app(load_settings(env={}, data_dir=data_dir), db)):  # starting is enough: no page loaded
        assert db.keys.authenticate(legacy) is None
        stored = (data_dir / "storefront-key").read_text()
        assert db.keys.authenticate(stored).role is Role.STOREFRONT
        assert (data_dir / "storefront-key").stat().st_mode & 0o777 == 0o600
        assert [k.revoked for k in db.keys.list() if k.key_id == old.key_id] == [True]
    with TestClient(create_app(load_settings(env={}, data_dir=data_dir), db)) as again:  # a storefront key stays
        assert (data_dir / "storefront-key").read_text() == stored == config_of(again.get("/").text)["api_key"]


def test_a_store_that_never_served_the_storefront_gets_no_key_at_start(db: Database, tmp_path: Path) -> None:
    with TestClient(create_app(load_settings(env={}, data_dir=tmp_path / "data"), db)):
        assert db.keys.list() == [] and not (tmp_path / "data" / "storefront-key").exists()


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
