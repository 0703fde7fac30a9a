"""The search benchmark: plain BM25, plain dense and ShopSense's search, in one run on one corpus.

Protocol (ARCHITECTURE.md, "Search"): every query is ranked against the whole corpus; judged grades
become gains (Home Depot: relevance − 1, CrowdFlower: median − 1, Multi-CPR: 1), unjudged documents
count 0; queries without a positive gain are left out. Queries are split once by a hash of their id
into a tuning half (used to train the LambdaRank model) and an evaluation half, on which every system
is reported. Latency is the wall time per query from text to ranked list, one query at a time, one
thread, query-embedding cache cleared before the evaluation half.

- ``bm25``: bm25s with its default parameters (k1 = 1.5, b = 0.75, Lucene idf) and its default
  tokenizer with English stopwords and the Snowball English stemmer; Chinese text is cut by jieba;
- ``dense``: cosine between the e5 query and passage vectors, exact faiss search (``IndexFlatIP``);
- ``shopsense``: ``SearchEngine`` (query understanding, field-weighted BM25 ∪ dense pool, LambdaRank); its
  dense candidates come from an HNSW graph above 20,000 documents.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shopsense.data.search_sets import SearchBenchmark
from shopsense.search.dense import DenseIndex, E5Encoder, EmbeddingCache
from shopsense.search.engine import SearchEngine
from shopsense.search.index import SearchDoc, SearchIndex
from shopsense.search.metrics import summarize
from shopsense.search.query import QueryParser
from shopsense.search.ranker import LambdaRanker
from shopsense.search.text import Analyzer, detect_language

Progress = Callable[[str, int, int], None]  # (step, done, total)
GRADE_SCALE = {"homedepot": 3, "crowdflower": 1, "multicpr": 1}  # integer label = round(scale · gain)
TOP = 100


@dataclass
class SystemResult:
    name: str
    metrics: dict[str, float]
    p50_ms: float
    p99_ms: float
    queries: int  # evaluated (the evaluation half, or its first ``limit``)
    tuning_queries: int


def gains(bench: SearchBenchmark) -> dict[str, dict[str, float]]:
    shift = 0.0 if bench.name == "multicpr" else 1.0
    return {q: {d: g - shift for d, g in judged.items()} for q, judged in bench.qrels.items()}


def split_queries(qids: Sequence[str]) -> tuple[list[str], list[str]]:
    """(tuning, evaluation): a fixed split by the parity of a BLAKE2b hash of the query id."""
    tune, evaluate = [], []
    for qid in qids:
        (tune if hashlib.blake2b(qid.encode(), digest_size=1).digest()[0] % 2 == 0 else evaluate).append(qid)
    return tune, evaluate


def _timed(run: Callable[[str], list[str]], qids: Sequence[str], texts: dict[str, str]) -> tuple[dict, np.ndarray]:
    runs, times = {}, []
    for qid in qids:
        start = time.perf_counter()
        runs[qid] = run(texts[qid])
        times.append(time.perf_counter() - start)
    return runs, np.asarray(times) * 1000


def _result(name: str, runs: dict, times: np.ndarray, qrels: dict, tuning: int) -> SystemResult:
    return SystemResult(name, summarize(runs, qrels), float(np.percentile(times, 50)), float(np.percentile(times, 99)),
                        len(runs), tuning)  # fmt: skip


class PlainBM25:
    """bm25s with default settings: its tokenizer (English stopwords, Snowball stemmer) or jieba for Chinese."""

    def __init__(self, ids: list[str], texts: list[str], *, chinese: bool) -> None:
        import bm25s
        import Stemmer

        self.ids, self.chinese = ids, chinese
        self.stemmer = Stemmer.Stemmer("english")
        self.model = bm25s.BM25()
        self.model.index(self._tokens(texts), show_progress=False)
        self.vocab = set(self.model.vocab_dict)

    def _tokens(self, texts: list[str]) -> list[list[str]]:
        import bm25s

        if self.chinese:
            import jieba

            return [[w for w in jieba.lcut(t) if w.strip()] for t in texts]
        return bm25s.tokenize(texts, stopwords="en", stemmer=self.stemmer, show_progress=False, return_ids=False)

    def __call__(self, text: str) -> list[str]:
        tokens = [t for t in self._tokens([text])[0] if t in self.vocab]
        if not tokens:
            return []
        scores = self.model.get_scores(tokens)
        top = np.argpartition(-scores, TOP)[:TOP] if len(scores) > TOP else np.arange(len(scores))
        top = top[np.lexsort((top, -scores[top]))]
        return [self.ids[i] for i in top if scores[i] > 0]


def build_engine(bench: SearchBenchmark, vectors: np.ndarray, encoder: E5Encoder) -> SearchEngine:
    docs = [SearchDoc(pid, title, description=bench.descriptions.get(pid, "")) for pid, title in bench.corpus.items()]
    chinese = detect_language(" ".join(list(bench.queries.values())[:200])) != "en"
    analyzer = Analyzer(han_bigrams=chinese)
    index = SearchIndex(docs, analyzer, vectors)
    return SearchEngine(index, QueryParser(analyzer, speller=index.speller), encoder)


def train_ranker(engine: SearchEngine, bench: SearchBenchmark, qids: Sequence[str], qrels: dict, *, seed: int = 0,
                 progress: Progress | None = None) -> LambdaRanker:
    """LambdaRank on the pools of the tuning queries, labels round(scale · gain), unjudged 0."""
    scale = GRADE_SCALE[bench.name]
    ids = list(bench.corpus)
    groups, labels = [], []
    for i, qid in enumerate(qids):
        pool = engine.pool(engine.parse(bench.queries[qid]))
        groups.append(pool.features)
        labels.append(np.array([round(scale * qrels[qid].get(ids[r], 0.0)) for r in pool.rows], dtype=np.int32))
        if progress and (i % 200 == 0 or i == len(qids) - 1):
            progress("tune", i + 1, len(qids))
    max_grade = max((int(y.max()) for y in labels if len(y)), default=1)
    return LambdaRanker.for_queries(len(qids), max_grade=max_grade, seed=seed).fit(groups, labels)


def run_benchmark(bench: SearchBenchmark, *, cache_dir: Path | None, limit: int | None = None, seed: int = 0,
                  dense: bool = True, progress: Progress | None = None) -> list[SystemResult]:
    """Train on the tuning half, then measure the systems on the evaluation half (without ``dense``: no
    dense baseline, and ShopSense's search lexical only)."""
    import faiss

    faiss.omp_set_num_threads(1)
    qrels = gains(bench)
    qids = [q for q in bench.queries if any(g > 0 for g in qrels.get(q, {}).values())]
    tune, evaluate = split_queries(qids)
    if limit is not None:
        tune, evaluate = tune[:limit], evaluate[:limit]
    ids = list(bench.corpus)
    encoder = E5Encoder(num_threads=1) if dense else None
    vectors = None
    if encoder is not None:
        vectors = EmbeddingCache(cache_dir, encoder).embed(
            [SearchDoc(pid, bench.corpus[pid]).passage for pid in ids],
            progress=(lambda d, n: progress("embed corpus", d, n)) if progress else None,
        )  # fmt: skip
    engine = build_engine(bench, vectors, encoder)
    engine.ranker = train_ranker(engine, bench, tune, qrels, seed=seed, progress=progress)
    chinese = engine.index.analyzer.han_bigrams
    systems: list[tuple[str, Callable[[str], list[str]]]] = [
        ("bm25 (bm25s defaults)", PlainBM25(ids, [bench.corpus[p] for p in ids], chinese=chinese))
    ]
    if encoder is not None:
        flat = DenseIndex(vectors, exact_up_to=len(vectors))  # the baseline is exact
        systems.append(("dense (e5-small)", lambda text: [ids[r] for r in flat.search(encoder.query(text), TOP)[0]]))
    systems.append(("shopsense" if dense else "shopsense (lexical only)",
                    lambda text: [ids[r] for r in engine.rank(text).rows[:TOP]]))  # fmt: skip
    results = []
    for name, run in systems:
        if encoder is not None:
            encoder.clear_cache()
        runs, times = _timed(run, evaluate, bench.queries)
        results.append(_result(name, runs, times, qrels, len(tune)))
        if progress:
            progress(name, len(evaluate), len(evaluate))
    return results
