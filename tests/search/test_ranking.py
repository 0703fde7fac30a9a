"""Metrics by hand, BM25 field weighting, the candidate pool, the rankers and the embedding cache."""

from __future__ import annotations

import math
from difflib import SequenceMatcher

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopsense.search.dense import E5Encoder, EmbeddingCache
from shopsense.search.features import FEATURES, QueryText, longest_common_substring
from shopsense.search.index import SearchDoc, SearchIndex
from shopsense.search.lexical import FieldIndex
from shopsense.search.metrics import mrr_at, ndcg_at, recall_at, summarize
from shopsense.search.ranker import FusionRanker, LambdaRanker
from shopsense.search.text import Analyzer


def test_metrics_by_hand() -> None:
    gains = {"a": 2.0, "b": 1.0, "c": 0.0}
    # DCG = 1/log2(2)·0 + 1/log2(3)·1 + 1/log2(4)·2 ; IDCG = 2 + 1/log2(3)
    expected = (1 / math.log2(3) + 2 / 2) / (2 + 1 / math.log2(3))
    assert ndcg_at(["c", "b", "a"], gains) == pytest.approx(expected)
    assert ndcg_at(["a", "b"], gains) == pytest.approx(1.0)
    assert mrr_at(["x", "c", "b"], gains) == pytest.approx(1 / 3)  # c has gain 0: not relevant
    assert mrr_at(["x"] * 10 + ["a"], gains) == 0.0  # beyond the cut-off
    assert recall_at(["a", "x"], gains) == 0.5 and recall_at(["a"], {"a": 0.0}) == 0.0
    assert summarize({"q": ["a", "b"]}, {"q": gains}) == {"ndcg@10": 1.0, "mrr@10": 1.0, "recall@100": 1.0}


@given(st.lists(st.sampled_from("abcdefgh"), unique=True, max_size=8),
       st.dictionaries(st.sampled_from("abcdefgh"), st.floats(0, 3)))  # fmt: skip
def test_metrics_stay_between_zero_and_one(ranked: list[str], gains: dict[str, float]) -> None:
    for metric in (ndcg_at, mrr_at, recall_at):
        assert 0.0 <= metric(ranked, gains) <= 1.0 + 1e-12


@given(st.text("abcx手机", max_size=12), st.text("abcy手机壳", max_size=30))
def test_longest_common_substring_agrees_with_difflib(query: str, doc: str) -> None:
    reference = SequenceMatcher(None, query, doc, autojunk=False).find_longest_match().size if query and doc else 0
    assert longest_common_substring(query, doc) == reference


def test_field_weights_rank_title_matches_first() -> None:
    a = Analyzer()
    docs = [SearchDoc("d1", "garden hose", description="works with any drill"), SearchDoc("d2", "cordless drill"),
            SearchDoc("d3", "hammer", brand="Drill Master")]  # fmt: skip
    index = SearchIndex(docs, a)
    order = np.argsort(-index.lexical.scores(a.tokens("drill")))
    assert [docs[i].doc_id for i in order] == ["d2", "d3", "d1"]  # title > brand > description


def test_field_index_agrees_with_plain_bm25s_on_one_field() -> None:
    import bm25s

    corpus = [["red", "dress"], ["blue", "dress", "dress"], ["red", "shoe"], ["hat"]]
    ours = FieldIndex({"title": corpus}, weights={"title": 1.0}, k1=1.5, b=0.75)
    reference = bm25s.BM25(k1=1.5, b=0.75)
    reference.index(corpus, show_progress=False)
    for query in (["red"], ["dress", "red"], ["hat", "unknown"]):
        known = [t for t in query if t in reference.vocab_dict]
        np.testing.assert_allclose(ours.scores(query), reference.get_scores(known), rtol=1e-6)


def test_pool_with_a_mask_is_the_pool_of_the_allowed_rows() -> None:
    a = Analyzer()
    titles = ["red dress", "red shoe", "blue dress", "red hat", "green dress", "red red dress"]
    docs = [SearchDoc(f"d{i}", t) for i, t in enumerate(titles)]
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(docs), 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = SearchIndex(docs, a, vectors)
    query = QueryText(a.tokens("red dress"), "reddress", False)
    mask = np.array([True, False, True, True, False, True])
    pool = index.pool(query, query.tokens, vectors[1], size=2, mask=mask)
    allowed = np.flatnonzero(mask)
    bm25 = index.lexical.scores(query.tokens)
    lexical = set(allowed[np.argsort(-bm25[allowed])[:2]])
    dense = set(allowed[np.argsort(-(vectors[allowed] @ vectors[1]))[:2]])
    assert set(pool.rows) == lexical | dense and mask[pool.rows].all()
    assert pool.features.shape == (len(pool.rows), len(FEATURES))


def _synthetic_groups(seed: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Queries whose relevant results have a high 'coverage' feature; everything else is noise."""
    rng = np.random.default_rng(seed)
    groups, labels = [], []
    for _ in range(60):
        x = rng.normal(size=(20, len(FEATURES))).astype(np.float32)
        y = (x[:, FEATURES.index("coverage")] > 0.8).astype(np.int32)
        groups.append(x)
        labels.append(y)
    return groups, labels


def test_lambdarank_learns_and_round_trips(tmp_path) -> None:
    groups, labels = _synthetic_groups(0)
    ranker = LambdaRanker(n_estimators=30, num_leaves=4, max_grade=1).fit(groups, labels)
    test_groups, test_labels = _synthetic_groups(1)
    ndcg = np.mean([ndcg_at([str(i) for i in np.argsort(-ranker.score(x))], {str(i): float(v) for i, v in enumerate(y)})
                    for x, y in zip(test_groups, test_labels) if y.any()])  # fmt: skip
    assert ndcg > 0.95
    ranker.save(tmp_path)
    again = LambdaRanker.load(tmp_path)
    np.testing.assert_array_equal(again.score(test_groups[0]), ranker.score(test_groups[0]))
    with pytest.raises(ValueError):
        LambdaRanker().fit([np.zeros((3, len(FEATURES)))], [np.zeros(3, np.int32)])


def test_fusion_ranker_prefers_lexical_and_dense_agreement() -> None:
    f = np.zeros((2, len(FEATURES)), np.float32)
    f[0, FEATURES.index("bm25_rel")] = 1.0
    f[0, FEATURES.index("dense")] = 0.9
    f[1, FEATURES.index("dense")] = 0.9
    assert np.argmax(FusionRanker().score(f)) == 0


def test_embedding_cache_encodes_each_text_once(tmp_path) -> None:
    encoder = E5Encoder()
    cache = EmbeddingCache(tmp_path, encoder)
    first = cache.embed(["红色连衣裙", "cordless drill", "红色连衣裙"])
    assert first.shape == (3, 384) and np.allclose(np.linalg.norm(first, axis=1), 1, atol=1e-3)
    np.testing.assert_array_equal(first[0], first[2])
    reloaded = EmbeddingCache(tmp_path, encoder)
    assert len(reloaded._hashes) == 2
    np.testing.assert_array_equal(reloaded.embed(["cordless drill"])[0], first[1])
    assert np.dot(encoder.query("电钻"), first[1]) > np.dot(encoder.query("电钻"), first[0])  # cross-lingual


def test_processes_sharing_an_embedding_cache_keep_each_others_vectors(tmp_path) -> None:
    encoder = E5Encoder()
    first, second = EmbeddingCache(tmp_path, encoder), EmbeddingCache(tmp_path, encoder)  # two server workers
    mug = first.embed(["mug"])
    drill = second.embed(["cordless drill"])  # saved after the first one: must not drop "mug"
    reloaded = EmbeddingCache(tmp_path, encoder)
    assert len(reloaded._hashes) == 2
    np.testing.assert_array_equal(reloaded.embed(["mug", "cordless drill"]), np.vstack([mug, drill]))
    np.save(tmp_path / "hashes.npy", reloaded._hashes[:1], allow_pickle=False)  # a pair torn by an old release
    assert len(EmbeddingCache(tmp_path, encoder)._hashes) == 0  # re-encoded, never mismatched


def test_hnsw_index_agrees_with_exact_search() -> None:
    from shopsense.search.dense import DenseIndex

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(3000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    exact, graph = DenseIndex(vectors), DenseIndex(vectors, exact_up_to=100)
    assert type(exact.index).__name__ == "IndexFlatIP" and type(graph.index).__name__ == "IndexHNSWFlat"
    overlap = []
    for query in vectors[:50] + 0.1 * rng.normal(size=(50, 32)).astype(np.float32):
        reference = set(np.argsort(-(vectors @ query))[:10])
        assert set(exact.search(query, 10)[0]) == reference
        overlap.append(len(reference & set(graph.search(query, 10)[0])) / 10)
    assert np.mean(overlap) > 0.9
