"""Pure parts of the pipeline against hand-worked values: fusion, MMR, pins, the ItemKNN fast path, intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shopsense.data.interactions import Interactions
from shopsense.domain import Item
from shopsense.models.base import UserContext
from shopsense.models.itemknn import ItemKNN
from shopsense.pipeline.schedule import parse_interval
from shopsense.serving.catalog import CatalogSnapshot
from shopsense.serving.diversity import diversify
from shopsense.serving.fastpaths import itemknn_scorer
from shopsense.serving.rank import K, fuse
from shopsense.serving.rules import place_pins
from shopsense.serving.sources import Proposal


def test_weighted_reciprocal_rank_fusion() -> None:
    a = Proposal("a", "history", np.array([5, 7, 9]))
    b = Proposal("b", "popularity", np.array([7, 5]))
    fused = fuse([a, b], {"b": 0.5})
    got = dict(zip(fused.rows.tolist(), fused.scores.tolist()))
    assert got == pytest.approx({5: 1 / (K + 1) + 0.5 / (K + 2), 7: 1 / (K + 2) + 0.5 / (K + 1), 9: 1 / (K + 3)})
    main = dict(zip(fused.rows.tolist(), fused.origin.tolist()))
    assert main == {5: 0, 7: 0, 9: 0}  # a's contribution is the larger one for every item
    assert len(fuse([], {}).rows) == 0


def _catalog(leaves: list[str]) -> CatalogSnapshot:
    return CatalogSnapshot.build([Item(f"i{n}", f"t{n}", category=(leaf,)) for n, leaf in enumerate(leaves)])


def test_mmr_trades_relevance_for_novelty() -> None:
    catalog = _catalog(["x", "x", "y", "z"])
    rows, scores = np.arange(4), np.array([1.0, 0.95, 0.5, 0.4])
    assert diversify(catalog, rows, scores, 3, strength=0.0, max_per_category=None).tolist() == [0, 1, 2]
    # λ = 0.5: after row 0, row 1 scores 0.5·0.95 - 0.5·1 < 0, row 2 scores 0.5·0.5 - 0 = 0.25, row 3 0.2
    assert diversify(catalog, rows, scores, 3, strength=0.5, max_per_category=None).tolist() == [0, 2, 3]
    assert diversify(catalog, rows, scores, 4, strength=0.0, max_per_category=1).tolist() == [0, 2, 3]


def test_pins_take_their_positions() -> None:
    assert place_pins([1, 2, 3, 4], [(9, 0), (3, 1)], 4) == [9, 3, 1, 2]
    assert place_pins([1, 2], [(9, 5)], 3) == [1, 2, 9]


def test_itemknn_fast_path_agrees_with_score() -> None:
    rng = np.random.default_rng(1)
    n_events, items = 3000, np.array([f"i{n}" for n in range(60)], dtype=object)
    users = rng.integers(0, 200, n_events)
    interactions = Interactions.from_events(
        pd.DataFrame({"user_id": users.astype(str), "item_id": items[rng.integers(0, 60, n_events)],
                                        "type": "view", "ts_ms": np.arange(n_events)}), {"view": 1.0})  # fmt: skip
    model = ItemKNN(history=5, history_decay=0.5).fit(interactions)
    fast = itemknn_scorer(model)
    for n in range(30):
        recent = tuple(items[rng.integers(0, 60, n % 9)]) + (("unknown",) if n % 4 == 0 else ())
        user = UserContext(recent_items=recent)
        np.testing.assert_allclose(fast(user), model.score([user])[0], rtol=1e-5)


def test_retrain_intervals() -> None:
    assert [parse_interval(t) for t in ("90s", "15m", "1h", "2d", "30")] == [90, 900, 3600, 172800, 30]
    for bad in ("", "0h", "1w", "-5m", "h"):
        with pytest.raises(ValueError, match="interval"):
            parse_interval(bad)


def test_similarity_block_reads_the_csr_arrays_right() -> None:
    import scipy.sparse as sp

    from shopsense.serving.explain import _similarity_block

    dense = np.random.default_rng(3).random((30, 30)) * (np.random.default_rng(4).random((30, 30)) < 0.2)
    matrix = sp.csr_matrix(dense)
    history, targets = np.array([4, 0, 17, 4]), np.array([9, 2, 29, 5])
    np.testing.assert_allclose(_similarity_block(matrix, history, targets), dense[np.ix_(history, targets)])
