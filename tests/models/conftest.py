"""Shared fixtures of the Recommender contract suite (test_recommender_contract.py).

``fit_recommender`` is parametrized over every Recommender implementation: adding a model adds one
entry to ``RECOMMENDERS`` here, not a test file. Each entry builds the model with small
hyper-parameters and fits it on ``two_shop_events``, a synthetic log with a known answer: two disjoint
"departments" of items, A (a0..a5) and B (b0..b5); every user shops in one department only, walking
up its items in order (a0 before a1 …), viewing, sometimes carting and buying. So a user whose recent
items are in A must be recommended items of A, and one in B items of B.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from shopsense.config import DEFAULT_EVENT_WEIGHTS
from shopsense.data.interactions import Interactions
from shopsense.models.base import Recommender
from shopsense.models.blend import Blend
from shopsense.models.ease import EASE
from shopsense.models.implicit_mf import ALS, BPR
from shopsense.models.itemknn import ItemKNN
from shopsense.models.popularity import Popularity

DEPARTMENTS = {"a": [f"a{n}" for n in range(6)], "b": [f"b{n}" for n in range(6)]}
ITEM_FEATURES = {item: [f"department:{d}"] for d, items in DEPARTMENTS.items() for item in items}


def _sasrec() -> Recommender:
    pytest.importorskip("torch")  # the torch extra is optional
    from shopsense.models.sasrec import SASRec

    return SASRec(dim=16, heads=2, max_len=8, dropout=0.0, lr=0.01, batch_size=32, epochs=30, patience=None, threads=1)


# name -> (fresh model, extra fit keyword arguments); small enough to fit in about a second
RECOMMENDERS: dict[str, tuple[Callable[[], Recommender], dict[str, Any]]] = {
    "popularity": (lambda: Popularity(category_weight=0.9), {"item_features": ITEM_FEATURES}),
    "itemknn": (lambda: ItemKNN(window=3), {}),
    "als": (lambda: ALS(factors=4, regularization=0.1, alpha=10.0, iterations=10), {}),
    "bpr": (lambda: BPR(factors=8, learning_rate=0.05, regularization=0.01, iterations=200), {}),
    "ease": (lambda: EASE(l2=1.0), {}),
    "sasrec": (_sasrec, {"progress": False}),
    "blend": (lambda: Blend(components={"itemknn": {"window": 3}, "ease": {"l2": 1.0}}, step=0.25), {}),
}


def make_two_shop_events(n_users: int = 40, seed: int = 0) -> pd.DataFrame:
    """user_id, item_id, type, ts_ms: the two-department log of the module docstring."""
    rng = np.random.default_rng(seed)
    rows = []
    clock = 1_700_000_000_000
    for number in range(n_users):
        department = "a" if number % 2 == 0 else "b"
        walk = sorted(rng.choice(6, size=int(rng.integers(3, 6)), replace=False))
        for position in walk:
            item = DEPARTMENTS[department][position]
            kinds = ["view"] + (["add_to_cart"] if rng.random() < 0.4 else [])
            kinds += ["purchase"] if len(kinds) == 2 and rng.random() < 0.5 else []
            for kind in kinds:
                clock += int(rng.integers(1_000, 60_000))
                rows.append((f"u{number:02d}", item, kind, clock))
    return pd.DataFrame(rows, columns=["user_id", "item_id", "type", "ts_ms"])


@pytest.fixture(scope="session")
def two_shop_events() -> pd.DataFrame:
    return make_two_shop_events()


@pytest.fixture(scope="session")
def two_shop_interactions(two_shop_events: pd.DataFrame) -> Interactions:
    return Interactions.from_events(two_shop_events, DEFAULT_EVENT_WEIGHTS)


@pytest.fixture(params=sorted(RECOMMENDERS))
def fit_recommender(request: pytest.FixtureRequest, two_shop_interactions: Interactions) -> Callable[..., Recommender]:
    """``fit_recommender(seed=0)``: a fresh model of this parameter's kind fitted on the two-shop log."""
    build, extra = RECOMMENDERS[request.param]

    def fit(seed: int = 0) -> Recommender:
        return build().fit(two_shop_interactions, seed=seed, **extra)

    return fit
