"""Incremental maintenance equals the batch rebuild: a random event stream, arriving out of order in
batches (with re-sent events), folded in by ingestion, against one batch pass over the stored log."""

from __future__ import annotations

import math
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from profile_shop import event, ingest, rebuild

from shopsense.domain import EventType
from shopsense.profiles.documents import STATE, compose
from shopsense.profiles.params import ProfileParams
from shopsense.profiles.rebuild import learn
from shopsense.profiles.state import merge, summarise
from shopsense.storage import Database

ITEMS = [*(f"k{p}" for p in range(1, 11)), "g1", "g2", "x1", "not-in-catalogue"]
TEXTS = ["great quality, love it", "not good", "质量很好", "不好用，失望", "ok", ""]


def random_events(seed: int, n: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    kinds = [t.value for t in EventType]
    events = []
    for i in range(n):
        kind = rng.choice(kinds)
        days, hours = rng.randrange(0, 200), rng.choice([0, 0.5, 7, 13.25, 23.9])  # repeated times on purpose
        extra: dict[str, Any] = {}
        if rng.random() < 0.6:
            extra["session_id"] = f"s{rng.randrange(12)}"
        if kind in ("purchase", "refund", "add_to_cart", "remove_from_cart") and rng.random() < 0.7:
            extra["value"] = rng.choice([1, 2, 5, 12])
        if kind in ("purchase", "refund") and rng.random() < 0.5:
            extra["context"] = {"unit_price": rng.choice([0.5, 3.2, 9.99])}
        if kind == "rating":
            extra["value"] = rng.randint(1, 5)
        if kind == "review":
            extra["text"] = rng.choice(TEXTS)
        if kind == "search":
            extra["query"] = "mug"
        item = None if kind == "search" else rng.choice(ITEMS)
        events.append(event(f"e{i}", f"u{rng.randrange(7)}", kind, item, days, hours, **extra))
    return events


def assert_close(incremental: Any, batch: Any, path: str = "") -> None:
    """Equal documents, floats within 1e-9 relative (1e-12 absolute where a sum cancels to zero)."""
    if isinstance(batch, dict):
        assert isinstance(incremental, dict) and incremental.keys() == batch.keys(), (path, incremental, batch)
        for key in batch:
            assert_close(incremental[key], batch[key], f"{path}.{key}")
    elif isinstance(batch, list):
        assert isinstance(incremental, list) and len(incremental) == len(batch), (path, incremental, batch)
        for n, (a, b) in enumerate(zip(incremental, batch)):
            assert_close(a, b, f"{path}[{n}]")
    elif isinstance(batch, float):
        assert math.isclose(incremental, batch, rel_tol=1e-9, abs_tol=1e-12), (path, incremental, batch)
    else:
        assert incremental == batch, (path, incremental, batch)


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_profiles_equal_the_batch_rebuild(shop: Database, tmp_path: Path, seed: int) -> None:
    rebuild(shop, tmp_path / "models")  # an empty log: a model with the catalogue's price quartiles
    events = random_events(seed, 400)
    rng = random.Random(seed)
    arrival = events + rng.sample(events, 40)  # some events are sent twice
    rng.shuffle(arrival)
    cuts = sorted(rng.sample(range(1, len(arrival)), 12))
    for start, end in zip([0, *cuts], [*cuts, len(arrival)]):
        ingest(shop, *arrival[start:end])

    model, batch_states = learn(shop, ProfileParams())
    stored = dict(shop.profiles.iter_all())
    assert stored.keys() == batch_states.keys()
    for user_id, batch_state in batch_states.items():
        assert_close(stored[user_id][STATE], batch_state, user_id)
        same_model = {"attributes": {}, "updated_at": "", "previous": None}
        assert_close(
            compose(user_id, stored[user_id][STATE], model, **same_model),
            compose(user_id, batch_state, model, **same_model),
            user_id,
        )


def test_concurrent_ingestion_loses_no_update(shop_db: Database, tmp_path: Path) -> None:
    """Four threads ingest overlapping users at once (as the HTTP server's workers do); nothing is lost."""
    rebuild(shop_db, tmp_path / "models")
    events = random_events(5, 240)
    batches = [events[start : start + 20] for start in range(0, len(events), 20)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda batch: ingest(shop_db, *batch), batches))
    _, batch_states = learn(shop_db, ProfileParams())
    stored = dict(shop_db.profiles.iter_all())
    for user_id, batch_state in batch_states.items():
        assert_close(stored[user_id][STATE], batch_state, user_id)


def test_merging_is_order_free(shop: Database) -> None:
    """Pure state algebra: fold single events in any order, or halves, and get the whole."""
    from profile_shop import catalogue

    from shopsense.profiles.enrich import enrich
    from shopsense.profiles.items import item_frame, with_bands
    from shopsense.profiles.log import read_events

    events = [e | {"user_id": "u"} for e in random_events(3, 120)]
    ingest(shop, *events)
    params = ProfileParams(half_life_days=7.0)
    frame = enrich(read_events(shop), with_bands(item_frame(catalogue()), {}), params)
    whole = summarise(frame, params)["u"]
    rows = [summarise(frame.iloc[[i]], params)["u"] for i in range(len(frame))]
    for order in (rows, rows[::-1], random.Random(0).sample(rows, len(rows))):
        folded = None
        for part in order:
            folded = merge(folded, part, params)
        assert_close(folded, whole)
    halves = merge(summarise(frame.iloc[::2], params)["u"], summarise(frame.iloc[1::2], params)["u"], params)
    assert_close(halves, whole)
