"""Top-N metrics against hand-computed values, and their properties."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from shopsense.evaluation import rec_metrics as m

INF = np.inf
ONE_EACH = np.array([0, 1, 9, 10, INF])  # one held-out item per user, ranks from 0


def test_single_held_out_item_by_hand() -> None:
    assert m.hit_rate(ONE_EACH, 10).tolist() == [1, 1, 1, 0, 0]
    assert m.recall(ONE_EACH, 10).tolist() == [1, 1, 1, 0, 0]
    assert m.ndcg(ONE_EACH, 10) == pytest.approx([1, 1 / math.log2(3), 1 / math.log2(11), 0, 0])
    assert m.reciprocal_rank(ONE_EACH) == pytest.approx([1, 1 / 2, 1 / 10, 1 / 11, 0])
    assert m.reciprocal_rank(ONE_EACH, 10) == pytest.approx([1, 1 / 2, 1 / 10, 0, 0])
    assert m.average_precision(ONE_EACH, 10) == pytest.approx([1, 1 / 2, 1 / 10, 0, 0])


def test_several_held_out_items_by_hand() -> None:
    ranks = np.array([[0, 2, INF], [3, 1, INF]])  # second user: two items, the third column is padding
    count = np.array([3, 2])
    assert m.hit_rate(ranks, 3, count).tolist() == [1, 1]
    assert m.recall(ranks, 3, count) == pytest.approx([2 / 3, 1 / 2])
    idcg3 = 1 + 1 / math.log2(3) + 1 / 2
    idcg2 = 1 + 1 / math.log2(3)
    assert m.ndcg(ranks, 3, count) == pytest.approx([(1 + 1 / 2) / idcg3, (1 / math.log2(3)) / idcg2])
    assert m.average_precision(ranks, 3, count) == pytest.approx([(1 / 1 + 2 / 3) / 3, (1 / 2) / 2])
    assert m.reciprocal_rank(ranks, None, count) == pytest.approx([1, 1 / 2])


def test_padding_does_not_change_a_single_item() -> None:
    padded = np.array([[4, INF, INF]])
    assert m.ndcg(padded, 10, np.array([1])) == pytest.approx(m.ndcg(np.array([4]), 10))


def test_users_without_held_out_items_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        m.ndcg(np.array([[INF]]), 10, np.array([0]))


@given(
    ranks=st.lists(st.integers(0, 60), min_size=1, max_size=6, unique=True),
    missing=st.integers(0, 3),
    k=st.integers(1, 20),
)
def test_accuracy_metrics_lie_in_0_1_and_a_perfect_ranking_scores_1(ranks: list[int], missing: int, k: int) -> None:
    row = np.array([[*ranks, *[INF] * missing]], dtype=float)  # missing: held-out items never ranked
    count = np.array([len(ranks) + missing])
    for metric in (m.hit_rate, m.recall, m.ndcg, m.average_precision):
        assert 0 <= metric(row, k, count)[0] <= 1 + 1e-12
    assert 0 <= m.reciprocal_rank(row, k, count)[0] <= 1
    perfect = np.arange(count[0], dtype=float)[None, :]
    assert m.ndcg(perfect, k)[0] == pytest.approx(1)
    assert m.average_precision(perfect, k)[0] == pytest.approx(1)
    assert m.reciprocal_rank(perfect)[0] == 1


@given(st.lists(st.integers(0, 40), min_size=2, max_size=5, unique=True))
def test_ndcg_never_improves_when_an_item_drops(ranks: list[int]) -> None:
    worse = [*ranks[:-1], ranks[-1] + 100]
    assert m.ndcg(np.array([worse], float), 50)[0] <= m.ndcg(np.array([ranks], float), 50)[0]


TOP = np.array([[0, 1], [2, -1], [-1, -1]])  # the last user got an empty list


def test_coverage_counts_distinct_recommended_items() -> None:
    assert m.catalogue_coverage(TOP, 4) == 3 / 4


def test_novelty_and_average_popularity_by_hand() -> None:
    probability, counts = np.array([0.5, 0.25, 1.0]), np.array([10, 4, 1])
    novelty = m.novelty(TOP, probability)
    assert novelty[:2] == pytest.approx([(1 + 2) / 2, 0])
    assert math.isnan(novelty[2])
    assert m.average_popularity(TOP, counts)[:2] == pytest.approx([7, 1])


# items 0, 1: category A; 2: category B; 3: no features; 4: A and B
CATEGORIES = np.array([[1, 0], [1, 0], [0, 1], [0, 0], [1, 1]], dtype=float)


def test_intra_list_diversity_by_hand() -> None:
    top = np.array([[0, 1, 2], [0, 1, -1], [0, -1, -1], [0, 3, -1], [4, 0, -1]])
    ild = m.intra_list_diversity(top, CATEGORIES)
    assert ild[[0, 1, 3, 4]] == pytest.approx([1 - 1 / 3, 0, 1, 1 - 1 / math.sqrt(2)])
    assert math.isnan(ild[2])


def test_intra_list_diversity_agrees_with_the_pairwise_definition() -> None:
    rng = np.random.default_rng(3)
    features = sparse.random(30, 8, density=0.3, random_state=4, format="csr")
    top = np.array([rng.choice(30, 5, replace=False) for _ in range(20)])
    dense = features.toarray()
    unit = dense / np.maximum(np.linalg.norm(dense, axis=1, keepdims=True), 1e-300)
    expected = [1 - np.mean([unit[i] @ unit[j] for i, j in itertools.permutations(row, 2)]) for row in top]
    assert m.intra_list_diversity(top, features) == pytest.approx(expected)
