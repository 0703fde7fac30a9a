"""Text recall: a brand-new item, with no events and a category nobody browses, is recommendable at once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import ShopApi
from fastapi.testclient import TestClient
from serving_shop import build_shop

from shopsense.config import load_settings
from shopsense.domain import Item
from shopsense.service.app import create_app
from shopsense.serving.catalog import CatalogSnapshot
from shopsense.serving.content import ContentIndex, item_text
from shopsense.storage import Database
from shopsense.storage.keys import Role


def test_item_text_is_the_passage_search_embeds() -> None:
    catalog = CatalogSnapshot.build([Item("a", "Red case", category=("Shop", "Phone cases"), brand="Acme"), Item("b", "")])
    assert item_text(catalog, 0) == "Red case Acme Shop / Phone cases"
    assert item_text(catalog, 1) == ""


def test_proposal_ranks_by_cosine_to_the_anchors_and_leaves_them_out() -> None:
    vectors = np.array([[1, 0], [0.8, 0.6], [0, 1], [0, 0]], dtype=np.float32)
    index = ContentIndex(vectors, has_text=np.array([True, True, True, False]))
    proposal = index.proposal(np.array([0]), depth=5)
    assert proposal.source == "content" and proposal.rows.tolist() == [1, 2]  # 3 has no text
    assert index.proposal(np.array([3]), depth=5).rows.size == 0  # an anchor without text proposes nothing


def test_a_new_item_is_recommended_through_its_text(db: Database, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    build_shop(db, data_dir)
    _, client = db.keys.create(Role.CLIENT, "test client")
    _, admin = db.keys.create(Role.ADMIN, "test admin")
    app = create_app(load_settings(env={}, data_dir=data_dir, text_recall=True), db)
    with TestClient(app, raise_server_exceptions=False) as http:
        shop = ShopApi(http, db, {"X-API-Key": admin}, {"X-API-Key": client}, data_dir)
        new = {"item_id": "trail-9", "title": "Trail running shoe 9", "category": ["Outdoor", "Trail"], "price": 90}
        assert http.put("/v1/items", json={"items": [new]}, headers=shop.admin).status_code == 200
        http.app.state.serving.refresh()
        # u2 browses running shoes: the new shoe, in a category nobody has seen, reaches its feed by text alone
        feed = shop.recommend("u2", n=24)
        found = {i["item_id"]: i for i in feed["items"]}
        assert "trail-9" in found and found["trail-9"]["source"] == "content"
        assert found["trail-9"]["reason"].startswith("Similar to Running shoe")
        similar = [i["item_id"] for i in shop.recommend("u2", scenario="similar", items="c2-i0", n=12)["items"]]
        assert "trail-9" in similar
        assert (data_dir / "search" / "embeddings" / "vectors.npy").is_file()  # shared with search, by text hash
